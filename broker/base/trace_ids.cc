#include "broker/base/trace_ids.h"

#include <optional>
#include <utility>

#include "broker/base/uuid.h"

namespace wams::base {

TraceIds ResolveTraceIds(absl::string_view traceparent, absl::string_view tracestate,
                         absl::string_view transaction_id, absl::string_view span_id) {
  TraceIds ids;
  std::optional<std::string> continued = logging::ContinuedTraceparent(traceparent);
  const bool continues = continued.has_value();
  ids.traceparent = continues ? *std::move(continued) : logging::NewTraceparent();
  // A tracestate belongs to the trace it came with: none for a fresh trace.
  if (continues) ids.tracestate = logging::ValidTracestate(tracestate);
  ids.transaction_id = IsUuidV7(transaction_id) ? std::string(transaction_id) : NewUuidV7();
  ids.span_id = logging::IsSpanId(span_id) ? std::string(span_id) : logging::NewSpanId();
  return ids;
}

}  // namespace wams::base
