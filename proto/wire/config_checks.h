// config_checks.h: the checks every field of a config message gets, by
// reflection, so that a field added later is covered without a line of its
// own. The broker's and the adapter's config loaders both call it (this is the
// bottom layer both link).
//
//   WAMS_RETURN_IF_ERROR(wire::CheckConfigFields(config));
//
// A field breaks the rules when:
//   - a string is not valid UTF-8: the parsers accept it, but every message
//     that carries it later (a decision naming a party, an answer's legal
//     basis) would not parse at the other end;
//   - a google.protobuf.Duration that is set is zero or negative, or not a
//     valid Duration (nanos out of range or of the other sign): a timeout,
//     deadline or interval of zero means "never wait" or "spin", never what
//     an operator meant (leave the field out for its default);
//   - an integer is above 2^31-1: the programs hold limits as int, and a
//     larger value would wrap to a negative one.
// The message names the field path ("limits.provider_deadline",
// "parties[2].name") and never the value.
//
// Thread-safety: a pure function.
#ifndef WAMS_PROTO_WIRE_CONFIG_CHECKS_H_
#define WAMS_PROTO_WIRE_CONFIG_CHECKS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace wams::wire {

// The largest integer a config may hold (INT32_MAX).
inline constexpr int64_t kMaxConfigInteger = 2147483647;

// OK, or INVALID_ARGUMENT "<field path>: <what is wrong>" for the first field
// (in field-number order, depth first) that breaks a rule above.
absl::Status CheckConfigFields(const google::protobuf::Message& config);

}  // namespace wams::wire

#endif  // WAMS_PROTO_WIRE_CONFIG_CHECKS_H_
