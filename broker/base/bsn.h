// bsn.h: the Dutch citizen number (burgerservicenummer) as a validated value.
//
// A Bsn can only be made by ParseBsn(), which checks the length (9), the
// characters (digits only), that it is not all zeros, and the elfproef:
//
//   9*d1 + 8*d2 + 7*d3 + 6*d4 + 5*d5 + 4*d6 + 3*d7 + 2*d8 - 1*d9
//
// is divisible by 11 and not 0. The elfproef itself is wire::IsValidBsn
// (proto/wire/text_checks.h), the one implementation broker and adapters
// share; callers that need only a yes or no call that. Error messages name
// what was wrong but never echo the number itself, so they are safe to log
// and to return to callers.
//
//   absl::StatusOr<wams::base::Bsn> bsn =
//       wams::base::ParseBsn(request.subject_bsn(), "subject_bsn");
//   if (!bsn.ok()) return bsn.status();  // INVALID_ARGUMENT "subject_bsn: ..."
//   Lookup(bsn->value());
//
// Thread-safety: Bsn is an immutable value type; ParseBsn is a pure function.
#ifndef WAMS_BROKER_BASE_BSN_H_
#define WAMS_BROKER_BASE_BSN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::base {

// A BSN that passed ParseBsn(): exactly 9 digits, not all zeros, elfproef holds.
class Bsn {
 public:
  // The 9 digits. Treat as personal data: never log it.
  const std::string& value() const { return value_; }

  friend bool operator==(const Bsn& a, const Bsn& b) { return a.value_ == b.value_; }

 private:
  friend absl::StatusOr<Bsn> ParseBsn(absl::string_view text, absl::string_view field);
  explicit Bsn(absl::string_view digits) : value_(digits) {}

  std::string value_;
};

// Parses and validates a BSN. On failure returns INVALID_ARGUMENT whose message
// starts with `field` (e.g. "subject_bsn: BSN must have 9 digits, got 8") and
// says which check failed: wrong length, a non-digit character (by position),
// all zeros, or a failed elfproef. The message never contains the input.
absl::StatusOr<Bsn> ParseBsn(absl::string_view text, absl::string_view field = "bsn");

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_BSN_H_
