// trace_ids.h: the W3C trace context and FSC transaction id of one exchange
// call, checked before they are forwarded to a provider or signed into a
// receipt.
//
// A caller may send `traceparent` and `tracestate` (W3C Trace Context) and
// `fsc-transaction-id` (FSC, a UUIDv7) as metadata. Only valid values are
// used (the rules are in broker/base/logging/trace_context.h); an invalid or
// absent traceparent or transaction id is replaced by a fresh one, an
// invalid tracestate is dropped, and the invalid value is kept nowhere. The
// broker's own span of the call gets a fresh span id; its parent is the
// caller's span (the traceparent's parent-id).
//
//   TraceIds ids = ResolveTraceIds(sent_traceparent, sent_tracestate, sent_transaction_id);
//   receipt.set_trace_id(TraceIdOf(ids.traceparent));
//   receipt.set_span_id(ids.span_id);
//
// Thread-safety: pure functions, except that fresh ids come from OpenSSL's
// CSPRNG (thread-safe).
#ifndef WAMS_BROKER_BASE_TRACE_IDS_H_
#define WAMS_BROKER_BASE_TRACE_IDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "broker/base/logging/trace_context.h"

namespace wams::base {

using logging::ContinuedTraceparent;
using logging::IsTraceparent;
using logging::NewTraceparent;
using logging::TraceIdOf;

// The ids one call uses: all valid; tracestate may be empty.
struct TraceIds {
  // A version-00 W3C traceparent: the caller's, or a fresh trace. Its
  // parent-id is the caller's span, the parent of the broker's.
  std::string traceparent;
  // The caller's tracestate when valid, else "".
  std::string tracestate;
  // An FSC transaction id (lower-case UUIDv7): the caller's, or a fresh one.
  std::string transaction_id;
  // The broker's span of this call (16 hex digits).
  std::string span_id;
};

// The ids a call uses, from what the caller sent ("" when not sent); a valid
// `span_id` is kept, else a fresh one is made. Idempotent: ResolveTraceIds
// of its own result gives the same ids.
TraceIds ResolveTraceIds(absl::string_view traceparent, absl::string_view tracestate,
                         absl::string_view transaction_id, absl::string_view span_id = "");

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_TRACE_IDS_H_
