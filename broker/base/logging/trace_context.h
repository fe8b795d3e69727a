// trace_context.h: W3C Trace Context (traceparent, tracestate) as the broker
// and the adapters read, continue and forward it.
//
// The rules:
//   - traceparent, version 00: exactly "00-<trace-id>-<parent-id>-<flags>",
//     32, 16 and 2 lower-case hex digits, trace-id and parent-id not all
//     zeros.
//   - traceparent, a later version (01..fe), per the spec's versioning rules:
//     at least 55 characters whose first 55 parse by version 00's rules and,
//     when longer, a '-' after them. The trace continues as version 00 (the
//     highest known) with the same trace-id and parent-id and only the
//     sampled flag; what follows is not looked at. Version ff is forbidden.
//   - tracestate: at most 32 list-members of "key=value", separated by ','
//     with optional spaces, at most 512 bytes in all, each key and value by
//     the spec's grammar. Anything else (a tab too, which the spec allows)
//     is dropped whole: never echoed, never cut into something that means
//     something else.
//
// A side that handles a call makes its own span (NewSpanId), whose parent is
// the span in the traceparent it received; a call it makes onwards carries
// ChildTraceparent(received, span): same trace-id and flags, its own span id
// as the parent-id the callee sees.
//
//   std::optional<std::string> sent = ContinuedTraceparent(header);
//   std::string outgoing = ChildTraceparent(*sent, NewSpanId());
//
// Thread-safety: pure functions, except that fresh ids come from OpenSSL's
// CSPRNG (thread-safe).
#ifndef WAMS_BROKER_BASE_LOGGING_TRACE_CONTEXT_H_
#define WAMS_BROKER_BASE_LOGGING_TRACE_CONTEXT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace wams::logging {

// The metadata keys (gRPC metadata is lower case).
inline constexpr char kTraceparentHeader[] = "traceparent";
inline constexpr char kTracestateHeader[] = "tracestate";

// The longest tracestate kept, in bytes (the spec's 32 members of up to
// 256 bytes each may be cut to this; the broker drops a longer one).
inline constexpr size_t kMaxTracestateBytes = 512;

// True for a valid version-00 traceparent.
bool IsTraceparent(absl::string_view text);

// True for 16 lower-case hex digits, not all zeros.
bool IsSpanId(absl::string_view text);

// The version-00 traceparent that continues the trace `sent`, or nullopt
// when it cannot be continued.
std::optional<std::string> ContinuedTraceparent(absl::string_view sent);

// A version-00 traceparent starting a new trace: random trace-id and
// parent-id (never all zeros), flags 00 (not sampled).
std::string NewTraceparent();

// A random span id (16 lower-case hex digits, never all zeros).
std::string NewSpanId();

// `traceparent` (valid, version 00) with `span_id` as its parent-id: what a
// call made from within the span `span_id` carries. "" when either is invalid.
std::string ChildTraceparent(absl::string_view traceparent, absl::string_view span_id);

// The trace-id (32 hex digits) and parent-id (16) of a valid traceparent,
// else "".
std::string TraceIdOf(absl::string_view traceparent);
std::string ParentIdOf(absl::string_view traceparent);

// `sent` when it is a valid tracestate (the rules above), else "".
std::string ValidTracestate(absl::string_view sent);

}  // namespace wams::logging

#endif  // WAMS_BROKER_BASE_LOGGING_TRACE_CONTEXT_H_
