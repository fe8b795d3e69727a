// call_log.h: the one line logged per call, by the broker for each gRPC call
// it handles and for each provider call it makes, and by an adapter for each
// provider call it answers.
//
//   CallRecord record{.kind = "request", .method = "/wams.broker.v1.ExchangeService/RequestData"};
//   record.outcome = "PERMISSION_DENIED";
//   record.failed_rules = {"R04"};
//   LogCall(record);
//
// A JSON line carries every field, empty ones as "" (or [] for no rules), so
// a log query need not test for absent keys:
//   {"time":"...","level":"INFO","event":"request","method":"...","outcome":"OK",
//    "latency_ms":12.5,"trace_id":"...","span_id":"...","parent_span_id":"...",
//    "transaction_id":"...","case_id":"...","caller_oin":"...","professional_id":"...",
//    "peer_oin":"...","failed_rules":["R04"]}   (and "detail":"..." when set)
// Never a BSN or a payload: every value is made log-safe (a BSN redacted)
// and bounded, as log.h says.
//
// Thread-safety: LogCall may be called from any thread.
#ifndef WAMS_BROKER_BASE_LOGGING_CALL_LOG_H_
#define WAMS_BROKER_BASE_LOGGING_CALL_LOG_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace wams::logging {

struct CallRecord {
  // "request" (a call the broker handles), "provider_call" (one the broker
  // makes to a provider) or "provider_request" (one an adapter answers).
  std::string kind;
  // The gRPC method, "/package.Service/Method".
  std::string method;
  // The gRPC status code's name, e.g. "OK", "PERMISSION_DENIED".
  std::string outcome;
  absl::Duration latency;
  // W3C ids (lower-case hex): the trace, this side's span of the call, and
  // the span it continues ("" when none).
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;
  // The FSC transaction id, the case, and who called.
  std::string transaction_id;
  std::string case_id;
  std::string caller_oin;
  std::string professional_id;
  // The other end of a provider call: the provider's OIN (broker) or the
  // broker's (adapter).
  std::string peer_oin;
  // The Wams rule ids a refusal cites (R01..R29).
  std::vector<std::string> failed_rules;
  // Free words about the call, e.g. an adapter's answer per category; never
  // a BSN, a payload or a reason a backend wrote. Left out when empty.
  std::string detail;
};

// Writes `record` as one line: INFO, or WARNING when the outcome is a
// server-side failure (INTERNAL, UNAVAILABLE, DATA_LOSS, UNKNOWN,
// DEADLINE_EXCEEDED).
void LogCall(const CallRecord& record);

}  // namespace wams::logging

#endif  // WAMS_BROKER_BASE_LOGGING_CALL_LOG_H_
