// report.h: `wams-audit report`, an offline, self-contained HTML audit report
// built from an auditor export directory (checkpoint, receipts.jsonl, keys).
// Auditors would rather look than read JSON: a case report shows the case's
// timeline; a period report shows requests per party, refusals per rule and
// the share of special categories as inline SVG bar charts. The export is
// verified first (the same checks as `wams-audit verify`) and the result is
// shown at the top; every receipt row carries its own signature mark.
//
//   ReportOptions options;
//   options.case_id = "0190f0c2-...";                  // or leave unset: period
//   WAMS_ASSIGN_OR_RETURN(options.from, ParseReportDate("2026-01-01"));
//   WAMS_ASSIGN_OR_RETURN(ReportResult r, BuildReport("/exports/2026-06", options));
//   WriteFile("report.html", r.html);   // r.verified says whether the log verified
//
// No JavaScript, no external assets: the file opens offline in any browser.
// Every string that comes from a receipt, the config or the command line is
// HTML-escaped (HtmlEscape), so a hostile receipt field cannot inject markup.
#ifndef WAMS_BROKER_TOOLS_AUDITOR_REPORT_H_
#define WAMS_BROKER_TOOLS_AUDITOR_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace wams::auditor {

struct ReportOptions {
  // Report on this case only (a timeline). Default: unset = a period report.
  std::optional<std::string> case_id;
  // Period bounds in Unix seconds, [from, to). Receipts outside are left out
  // of the period report; a case report ignores them. Default: unbounded.
  std::optional<int64_t> from_unix;
  std::optional<int64_t> to_unix;
  // OIN -> party name, shown next to OINs. Default: empty (OINs only).
  std::map<std::string, std::string> party_names;
  // Passed to VerifyExport. Default: 0 = hardware concurrency.
  int threads = 0;
};

struct ReportResult {
  std::string html;
  // The export verified as a whole (VerifyExport OK).
  bool verified = false;
  // The first bad receipt index when verification pinned one.
  std::optional<uint64_t> first_bad_index;
  // Receipts shown (case) or counted (period).
  uint64_t receipts_in_report = 0;
};

// Builds the report. The HTML is produced even when the export does not
// verify (it then says NOT VERIFIED prominently). NOT_FOUND when `dir` has no
// receipts.jsonl or, for a case report, no receipt of that case.
absl::StatusOr<ReportResult> BuildReport(const std::string& dir, const ReportOptions& options);

// "YYYY-MM-DD" -> Unix seconds at 00:00 UTC. INVALID_ARGUMENT otherwise.
absl::StatusOr<int64_t> ParseReportDate(std::string_view date);

// OIN -> name from a BrokerConfig textproto (the `parties`). Parsed with
// protobuf TextFormat only, so wams-audit does not link the policy engine.
absl::StatusOr<std::map<std::string, std::string>> PartyNamesFromConfig(const std::string& path);

// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

// The rule table the report cites: R01..R29 -> short title and article.
// Null for an unknown id.
struct RuleInfo {
  const char* id;
  const char* title;
  const char* article;
};
const RuleInfo* FindRule(std::string_view rule_id);

}  // namespace wams::auditor

#endif  // WAMS_BROKER_TOOLS_AUDITOR_REPORT_H_
