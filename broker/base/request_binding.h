// request_binding.h: binds a caller's request id to the request it was first
// used for, so that idempotency never hands one request's outcome to another.
//
// A request id is the caller's choice, so "same id" alone does not make a
// retry: another professional of the same party, or a buggy client, may reuse
// an id for a request about another person. Every idempotent call (data
// requests, shares, case openings, conference steps) therefore keeps, with
// its outcome, a digest of what made the request: its kind, the acting party
// and professional, and the request message's deterministic serialisation.
// A later call with the same id is a retry only when its digest is equal.
//
//   WAMS_ASSIGN_OR_RETURN(const std::string digest, subject_keys.Keyed(
//       bsn, RequestBindingText("request", oin, professional_id, request)));
//   batch.Put(key, BindValue(digest, outcome_bytes));
//   ...
//   if (std::optional<Reuse> reuse = ReuseOf(UnbindValue(bytes), digest)) {
//     return ReusedRequestId(*reuse);   // refuse, receipt, never answer with the first outcome
//   }
//
// Stored format: "\xff" "WB1" || 32-byte digest || value. No protobuf
// serialisation starts with 0xff (field 31, wire type 7, is invalid) and no
// text id does, so a value stored before binding existed (a bare outcome or
// case id) is told apart without a version field: UnbindValue() gives it no
// digest, and such a value is never taken for any request (Reuse::kUnbound).
//
// Pure functions; thread-safe.
#ifndef WAMS_BROKER_BASE_REQUEST_BINDING_H_
#define WAMS_BROKER_BASE_REQUEST_BINDING_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"

namespace wams::base {

// The canonical text of a request for its digest: an unambiguous encoding
// of `kind`, the calling party's OIN, the acting professional's id and
// `request`'s deterministic serialisation. Metadata that may differ between
// retries (trace context) is not part of it. The digest is a keyed hash of
// this text (HMAC-SHA256 under the key of the subject it names,
// subjects::SubjectKeys::Keyed) wherever the request names a BSN: a plain
// SHA-256 of a request is a BSN hash that anyone with the data directory
// could reverse by trying every BSN.
std::string RequestBindingText(absl::string_view kind, absl::string_view party_oin,
                               absl::string_view professional_id,
                               const google::protobuf::MessageLite& request);

// `value` as stored with the digest of the request that produced it.
std::string BindValue(absl::string_view digest, absl::string_view value);

// A stored idempotency value, split. `digest` is nullopt for a value stored
// by a broker that did not bind request ids yet.
struct BoundValue {
  std::optional<std::string> digest;
  std::string value;
};
BoundValue UnbindValue(absl::string_view stored);

// Why a request id cannot serve a request.
enum class Reuse {
  // Its stored outcome belongs to another request.
  kOtherRequest,
  // Another request with it is still in flight.
  kOtherRequestInFlight,
  // Its outcome was stored by an older broker, without a digest: nothing
  // tells whether this is the same request, and handing its outcome to
  // another request is the one thing idempotency must never do.
  kUnbound,
};

// Why `stored` cannot answer the request whose digest is `digest`, or
// nullopt when it can (the same request).
std::optional<Reuse> ReuseOf(const BoundValue& stored, absl::string_view digest);

// The refusal of a reused request id: INVALID_ARGUMENT naming request_id
// (the request is wrong: a new request needs a new id; retrying it as it is
// can never succeed).
absl::Status ReusedRequestId(Reuse reuse);

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_REQUEST_BINDING_H_
