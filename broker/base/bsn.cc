#include "broker/base/bsn.h"

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "proto/wire/text_checks.h"

namespace wams::base {
namespace {
constexpr std::size_t kBsnLength = 9;
}  // namespace

absl::StatusOr<Bsn> ParseBsn(absl::string_view text, absl::string_view field) {
  // The format checks come first, each with its own message; the elfproef is
  // wire's, so broker and adapters judge a number the same way.
  if (text.size() != kBsnLength) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": BSN must have exactly ", kBsnLength,
                                                   " digits, got ", text.size(), " characters"));
  }
  bool all_zeros = true;
  for (std::size_t i = 0; i < kBsnLength; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": BSN must contain only the digits 0-9; character ", i + 1, " is not a digit"));
    }
    if (c != '0') all_zeros = false;
  }
  if (all_zeros) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": BSN must not be all zeros"));
  }
  if (!wire::IsValidBsn(text)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": BSN fails the elfproef (check digit); check for a typing error"));
  }
  return Bsn(text);
}

}  // namespace wams::base
