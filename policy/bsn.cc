#include "policy/bsn.h"

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace wams::policy {
namespace {

constexpr std::size_t kBsnLength = 9;

// Why a BSN is invalid; kOk when it is valid. One walk over the digits serves
// both IsValidBsn() (hot path, no allocation) and ParseBsn() (messages).
enum class BsnProblem { kOk, kLength, kNonDigit, kAllZeros, kElfproef };

BsnProblem Check(absl::string_view text, std::size_t* bad_position) {
  if (text.size() != kBsnLength) return BsnProblem::kLength;
  int sum = 0;
  bool all_zeros = true;
  for (std::size_t i = 0; i < kBsnLength; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') {
      *bad_position = i + 1;
      return BsnProblem::kNonDigit;
    }
    const int digit = c - '0';
    if (digit != 0) all_zeros = false;
    // Weights 9..2 for the first eight digits; the last digit counts -1.
    sum += (i + 1 < kBsnLength) ? static_cast<int>(kBsnLength - i) * digit : -digit;
  }
  if (all_zeros) return BsnProblem::kAllZeros;
  // A sum of 0 is divisible by 11 but is not a valid elfproef (e.g. 100000009).
  if (sum == 0 || sum % 11 != 0) return BsnProblem::kElfproef;
  return BsnProblem::kOk;
}

}  // namespace

bool IsValidBsn(absl::string_view text) {
  std::size_t unused = 0;
  return Check(text, &unused) == BsnProblem::kOk;
}

absl::StatusOr<Bsn> ParseBsn(absl::string_view text, absl::string_view field) {
  std::size_t position = 0;
  switch (Check(text, &position)) {
    case BsnProblem::kOk:
      return Bsn(text);
    case BsnProblem::kLength:
      return absl::InvalidArgumentError(absl::StrCat(field, ": BSN must have exactly ", kBsnLength,
                                                     " digits, got ", text.size(), " characters"));
    case BsnProblem::kNonDigit:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": BSN must contain only the digits 0-9; character ", position,
                       " is not a digit"));
    case BsnProblem::kAllZeros:
      return absl::InvalidArgumentError(absl::StrCat(field, ": BSN must not be all zeros"));
    case BsnProblem::kElfproef:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": BSN fails the elfproef (check digit); check for a typing error"));
  }
  return absl::InternalError("unreachable BSN check");  // Enum is exhaustive above.
}

}  // namespace wams::policy
