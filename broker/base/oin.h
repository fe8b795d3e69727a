// oin.h: the organisatie-identificatienummer (OIN) of a Dutch government party.
//
// An OIN is exactly 20 digits; in a PKIoverheid certificate it is the subject
// serialNumber. An Oin can only be made by ParseOin(), so holding one means the
// format was checked. Error messages name the problem, not the input.
//
//   absl::StatusOr<wams::base::Oin> oin =
//       wams::base::ParseOin(party.oin(), "parties[3].oin");
//   if (!oin.ok()) return oin.status();  // INVALID_ARGUMENT "parties[3].oin: ..."
//
// Thread-safety: Oin is an immutable value type; ParseOin is a pure function.
#ifndef WAMS_BROKER_BASE_OIN_H_
#define WAMS_BROKER_BASE_OIN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::base {

// An OIN that passed ParseOin(): exactly 20 digits, not all zeros.
class Oin {
 public:
  const std::string& value() const { return value_; }

  friend bool operator==(const Oin& a, const Oin& b) { return a.value_ == b.value_; }

 private:
  friend absl::StatusOr<Oin> ParseOin(absl::string_view text, absl::string_view field);
  explicit Oin(absl::string_view digits) : value_(digits) {}

  std::string value_;
};

// Parses an OIN. On failure returns INVALID_ARGUMENT whose message starts with
// `field` and names the check that failed: wrong length, a non-digit character
// (by position), or all zeros.
absl::StatusOr<Oin> ParseOin(absl::string_view text, absl::string_view field = "oin");

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_OIN_H_
