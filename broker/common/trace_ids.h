// trace_ids.h: the W3C trace context and FSC transaction id of one exchange
// call, checked before they are forwarded to a provider or signed into a
// receipt.
//
// A caller may send `traceparent` (W3C Trace Context) and
// `fsc-transaction-id` (FSC, a UUIDv7) as metadata. Only valid values are
// used; an invalid or absent one is replaced by a fresh one, and the invalid
// value is kept nowhere. The rules:
//
//   - traceparent, version 00: exactly "00-<trace-id>-<parent-id>-<flags>",
//     32, 16 and 2 lower-case hex digits, trace-id and parent-id not all
//     zeros. Used as sent (the broker records no spans, so it passes the
//     caller's parent-id on).
//   - traceparent, a later version (01..fe), per the spec's versioning rules:
//     at least 55 characters whose first 55 parse by version 00's rules and,
//     when longer, a '-' after them. The trace continues as version 00 (the
//     highest the broker knows) with the same trace-id and parent-id and only
//     the sampled flag; what follows is not looked at. Version ff is
//     forbidden: a fresh trace.
//   - fsc-transaction-id: a UUIDv7 in lower-case canonical form
//     (common::IsUuidV7).
//
//   TraceIds ids = ResolveTraceIds(sent_traceparent, sent_transaction_id);
//   receipt.set_trace_id(TraceIdOf(ids.traceparent));
//
// Thread-safety: pure functions, except that fresh ids come from OpenSSL's
// CSPRNG (thread-safe).
#ifndef WAMS_BROKER_COMMON_TRACE_IDS_H_
#define WAMS_BROKER_COMMON_TRACE_IDS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace wams::common {

// The ids one call uses: both always set and valid.
struct TraceIds {
  // A version-00 W3C traceparent: the caller's, or a fresh trace.
  std::string traceparent;
  // An FSC transaction id (lower-case UUIDv7): the caller's, or a fresh one.
  std::string transaction_id;
};

// True for a valid version-00 traceparent (see above).
bool IsTraceparent(absl::string_view text);

// The version-00 traceparent that continues the trace `sent` (the rules
// above), or nullopt when it cannot be continued.
std::optional<std::string> ContinuedTraceparent(absl::string_view sent);

// A version-00 traceparent starting a new trace: random trace-id and
// parent-id (never all zeros), flags 00 (the broker records no trace data).
std::string NewTraceparent();

// The ids a call uses, from what the caller sent ("" when not sent).
// Idempotent: ResolveTraceIds of its own result gives the same ids.
TraceIds ResolveTraceIds(absl::string_view traceparent, absl::string_view transaction_id);

// The 32-hex-digit trace-id of a valid traceparent, else "".
std::string TraceIdOf(absl::string_view traceparent);

}  // namespace wams::common

#endif  // WAMS_BROKER_COMMON_TRACE_IDS_H_
