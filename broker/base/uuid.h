// uuid.h: UUIDv7 (RFC 9562) identifiers for cases, receipts, consents and
// transactions: time-ordered, so ids sort roughly by creation time, and
// random in the rest, so they reveal nothing about the subject.
//
//   std::string id = NewUuidV7();   // "01890a5d-ac96-7c2e-8a3f-...".
#ifndef WAMS_BROKER_BASE_UUID_H_
#define WAMS_BROKER_BASE_UUID_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace wams::base {

// A new UUIDv7 for `now`, in lower-case 8-4-4-4-12 form. Thread-safe.
std::string NewUuidV7(absl::Time now = absl::Now());

// True for a UUIDv7 in lower-case canonical 8-4-4-4-12 form: version
// nibble 7 and the RFC 9562 variant (8, 9, a or b at the start of the
// fourth group). Upper case, braces, a URN prefix or another version are not.
bool IsUuidV7(absl::string_view text);

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_UUID_H_
