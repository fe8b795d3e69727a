#include "broker/base/logging/call_log.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/base/logging/log.h"

namespace wams::logging {
namespace {

// At most this many rule ids are listed; the policy has 29.
constexpr size_t kMaxRules = 32;
constexpr size_t kMaxDetailBytes = 4096;

bool IsServerFailure(const std::string& outcome) {
  return outcome == "INTERNAL" || outcome == "UNAVAILABLE" || outcome == "DATA_LOSS" ||
         outcome == "UNKNOWN" || outcome == "DEADLINE_EXCEEDED";
}

// A rule id as written in the rules (R01..R29): short and alphanumeric, so it
// can go into a JSON array unquoted-safe; anything else is left out.
bool IsRuleId(const std::string& id) {
  if (id.empty() || id.size() > 8) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The rules as a JSON array (or, in text, a comma-separated list).
std::string RulesValue(const std::vector<std::string>& rules) {
  const bool json = CurrentFormat() == Format::kJson;
  std::string value = json ? "[" : "";
  size_t listed = 0;
  for (const std::string& rule : rules) {
    if (!IsRuleId(rule) || listed == kMaxRules) continue;
    if (listed++ > 0) value += ",";
    absl::StrAppend(&value, json ? "\"" : "", rule, json ? "\"" : "");
  }
  if (json) value += "]";
  return value;
}

}  // namespace

void LogCall(const CallRecord& record) {
  std::vector<Field> fields = {
      {.key = "event", .value = record.kind},
      {.key = "method", .value = record.method},
      {.key = "outcome", .value = record.outcome},
      {.key = "latency_ms",
       .value = absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(record.latency)),
       .raw = true},
      {.key = "trace_id", .value = record.trace_id},
      {.key = "span_id", .value = record.span_id},
      {.key = "parent_span_id", .value = record.parent_span_id},
      {.key = "transaction_id", .value = record.transaction_id},
      {.key = "case_id", .value = record.case_id},
      {.key = "caller_oin", .value = record.caller_oin},
      {.key = "professional_id", .value = record.professional_id},
      {.key = "peer_oin", .value = record.peer_oin},
      {.key = "failed_rules", .value = RulesValue(record.failed_rules), .raw = true},
  };
  if (!record.detail.empty()) {
    // A detail keeps the longer bound of a message.
    fields.push_back({.key = "detail", .value = record.detail, .max_bytes = kMaxDetailBytes});
  }
  LogFields(IsServerFailure(record.outcome) ? Level::kWarning : Level::kInfo, fields);
}

}  // namespace wams::logging
