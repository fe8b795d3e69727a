#include "broker/base/oin.h"

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace wams::base {

namespace {
constexpr std::size_t kOinLength = 20;
}  // namespace

absl::StatusOr<Oin> ParseOin(absl::string_view text, absl::string_view field) {
  if (text.size() != kOinLength) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": OIN must have exactly ", kOinLength,
                                                   " digits, got ", text.size(), " characters"));
  }
  bool all_zeros = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": OIN must contain only the digits 0-9; character ", i + 1, " is not a digit"));
    }
    if (c != '0') all_zeros = false;
  }
  if (all_zeros)
    return absl::InvalidArgumentError(absl::StrCat(field, ": OIN must not be all zeros"));
  return Oin(text);
}

}  // namespace wams::base
