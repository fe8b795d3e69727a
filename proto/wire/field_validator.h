// field_validator.h: checks a message against the field rules declared in
// the API (wams/broker/v1/field_rules.proto), by reflection.
//
// Every string, bytes and repeated field of every request message carries a
// FieldRule; FindViolation walks the message (nested messages too) and
// returns the first field that breaks its rule. The broker runs it on every
// request and on every provider answer, the adapter SDK on every delivered
// request.
//
//   if (std::optional<wire::Violation> bad = wire::FindViolation(request)) {
//     Receipt(bad->Bounded());   // field, length, SHA-256: never the value
//     return bad->ToStatus();    // RESOURCE_EXHAUSTED or INVALID_ARGUMENT
//   }
//
// Thread-safety: pure functions.
#ifndef WAMS_PROTO_WIRE_FIELD_VALIDATOR_H_
#define WAMS_PROTO_WIRE_FIELD_VALIDATOR_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "wams/broker/v1/field_rules.pb.h"

namespace wams::wire {

// One field that breaks its rule. Holds no part of the value.
struct Violation {
  // RESOURCE_EXHAUSTED (over max_bytes or max_items) or INVALID_ARGUMENT
  // (outside the syntax).
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;
  // The field path, e.g. "item.categories[3]".
  std::string field;
  // What is wrong, naming the limit, e.g. "longer than 128 bytes".
  std::string problem;
  // The value's size: bytes of a string, items of a list.
  size_t length = 0;
  // True when `length` counts the items of a list.
  bool counts_items = false;
  // Lower-case hex SHA-256 of the value (of a list: of its items, each
  // prefixed by its length as 8 bytes big-endian).
  std::string sha256_hex;

  // "<field>: <problem>", with the code.
  absl::Status ToStatus() const;
  // For a receipt: "<field>: <problem>; <length> bytes|items, sha256 <hex>".
  // Bounded (about 200 bytes plus the path) whatever the value.
  std::string Bounded() const;
};

// The first field of `message` (depth first, in field-number order) that
// breaks its rule, or nullopt when all hold. A field without a rule is not
// checked; the wire rules test makes sure every request field has one.
std::optional<Violation> FindViolation(const google::protobuf::Message& message);

// FindViolation(message) as a status: OK, or the violation's ToStatus().
absl::Status Validate(const google::protobuf::Message& message);

// The rule declared on `field` of `message`, e.g.
// RuleOf(*v1::ProviderRequest::descriptor(), "professional_id"). A field
// without a rule (or no such field) gives the empty rule, which CheckValue
// refuses: a caller naming a field that does not exist finds out at once.
const broker::v1::FieldRule& RuleOf(const google::protobuf::Descriptor& message,
                                    absl::string_view field);

// Checks one value outside a message (a metadata entry, a header) against
// `rule`, reported under the name `field`.
std::optional<Violation> CheckValue(absl::string_view field, const broker::v1::FieldRule& rule,
                                    absl::string_view value);

}  // namespace wams::wire

#endif  // WAMS_PROTO_WIRE_FIELD_VALIDATOR_H_
