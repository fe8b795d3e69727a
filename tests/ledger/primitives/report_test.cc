// wams-audit report: HTML reports built from exports of real (signed)
// wams.broker.v1.Receipt messages made in a temp dir, through the library and
// through the real binary (WAMS_AUDIT_BIN).
#include "broker/tools/auditor/report.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "broker/ledger/export/export_format.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::auditor {
namespace {

using ::wams::testing::StatusIs;

namespace v1 = ::wams::broker::v1;
using ledger::CompactRange;
using ledger::Ed25519PrivateKey;
using ledger::NoteSigner;

constexpr char kOrigin[] = "wams.test.example/receipts";
constexpr char kMunicipality[] = "00000001000000000001";
constexpr char kGgz[] = "00000001000000000002";
constexpr char kPolice[] = "00000001000000000003";
constexpr char kCaseA[] = "0190f0c2-0000-7000-8000-00000000000a";
constexpr char kCaseB[] = "0190f0c2-0000-7000-8000-00000000000b";
constexpr int64_t kJan10 = 1767225600 + 9 * 86400;   // 2026-01-10 00:00 UTC
constexpr int64_t kMar10 = 1767225600 + 68 * 86400;  // 2026-03-10 00:00 UTC

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/wams_report_XXXXXX";
    EXPECT_NE(::mkdtemp(tmpl.data()), nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

v1::Receipt Decision(const std::string& case_id, const std::string& requester,
                     const std::string& target, int64_t when, bool granted,
                     std::vector<std::string> failed = {}) {
  v1::Receipt r;
  r.set_receipt_id("r-" + std::to_string(when));
  r.set_kind(v1::RECEIPT_KIND_DECISION);
  r.mutable_time()->set_seconds(when);
  r.set_case_id(case_id);
  r.set_requester_oin(requester);
  r.set_professional_id("prof-1");
  r.set_target_oin(target);
  r.set_purpose(granted ? v1::PURPOSE_RESEARCH : v1::PURPOSE_FRAUD_CONTROL);
  r.add_categories("care-indication");
  r.set_outcome(granted ? v1::RECEIPT_OUTCOME_GRANTED : v1::RECEIPT_OUTCOME_REFUSED);
  for (const std::string& id : failed) r.add_failed_rule_ids(id);
  return r;
}

v1::Receipt CaseEvent(const std::string& case_id, int64_t when, const std::string& detail) {
  v1::Receipt r;
  r.set_kind(v1::RECEIPT_KIND_CASE_EVENT);
  r.mutable_time()->set_seconds(when);
  r.set_case_id(case_id);
  r.set_requester_oin(kMunicipality);
  r.set_professional_id("prof-1");
  r.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  r.set_detail(detail);
  return r;
}

void AddObligation(v1::Receipt& r, v1::ObligationKind kind, const std::string& rule) {
  v1::Obligation* o = r.add_obligations();
  o->set_kind(kind);
  o->set_rule_id(rule);
}

// Writes a signed, verifiable export of `receipts` (index = position).
void WriteExport(const std::string& dir, const std::vector<v1::Receipt>& receipts,
                 const NoteSigner& signer) {
  absl::StatusOr<std::unique_ptr<ledger_export::ExportWriter>> writer =
      ledger_export::ExportWriter::Create(dir);
  ASSERT_TRUE(writer.ok()) << writer.status();
  CompactRange range;
  for (size_t i = 0; i < receipts.size(); ++i) {
    std::string bytes;
    ASSERT_TRUE(receipts[i].SerializeToString(&bytes));
    range.Append(ledger::LeafHash(bytes));
    absl::Status s = (*writer)->AddReceipt({i, bytes, signer.SignBytes(bytes), signer.KeyName()});
    ASSERT_TRUE(s.ok()) << s;
  }
  std::string note =
      signer.Sign(ledger::FormatCheckpointBody({kOrigin, receipts.size(), range.Root()}));
  absl::Status s = (*writer)->Finish({signer.VerifierKey()}, note);
  ASSERT_TRUE(s.ok()) << s;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The <svg id="..."> element of a chart, or "" when absent.
std::string Chart(const std::string& html, const std::string& id) {
  size_t start = html.find("<svg id=\"" + id + "\"");
  if (start == std::string::npos) return "";
  size_t end = html.find("</svg>", start);
  return html.substr(start, end - start);
}

struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult RunAudit(const std::string& args) {
  RunResult r;
  std::string cmd = std::string(WAMS_AUDIT_BIN) + " " + args + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/export";
    // Case A: opened, granted research request to GGZ (R17 obligation),
    // refused fraud-control request (R08, R07); case B interleaved; one
    // police decision in March with an R18 obligation.
    receipts_.push_back(CaseEvent(kCaseA, kJan10, "opened"));                        // 0
    receipts_.push_back(CaseEvent(kCaseB, kJan10 + 10, "opened"));                   // 1
    v1::Receipt granted = Decision(kCaseA, kMunicipality, kGgz, kJan10 + 20, true);  // 2
    AddObligation(granted, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, "R17");
    receipts_.push_back(granted);
    receipts_.push_back(Decision(kCaseB, kMunicipality, kGgz, kJan10 + 30, false, {"R06"}));  // 3
    receipts_.push_back(
        Decision(kCaseA, kMunicipality, kPolice, kJan10 + 40, false, {"R07", "R08"}));  // 4
    v1::Receipt police = Decision(kCaseB, kPolice, kGgz, kMar10, false, {"R08"});       // 5
    receipts_.push_back(police);
    v1::Receipt legal = Decision(kCaseB, kGgz, kPolice, kMar10 + 5, true);  // 6
    AddObligation(legal, v1::OBLIGATION_KIND_LEGAL_BASIS, "R18");
    receipts_.push_back(legal);
    WriteExport(dir_, receipts_, signer_);
  }

  TempDir tmp_;
  std::string dir_;
  std::vector<v1::Receipt> receipts_;
  NoteSigner signer_{kOrigin, Ed25519PrivateKey::Generate()};
};

TEST_F(ReportTest, CaseReportShowsItsReceiptsInLogOrderWithRulesAndMarks) {
  ReportOptions options;
  options.case_id = kCaseA;
  options.party_names = {{kGgz, "GGZ Utrecht"}};
  absl::StatusOr<ReportResult> r = BuildReport(dir_, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->verified);
  EXPECT_EQ(r->receipts_in_report, 3u);
  const std::string& h = r->html;
  size_t i0 = h.find("data-index=\"0\""), i2 = h.find("data-index=\"2\""),
         i4 = h.find("data-index=\"4\"");
  ASSERT_NE(i0, std::string::npos);
  ASSERT_NE(i2, std::string::npos);
  ASSERT_NE(i4, std::string::npos);
  EXPECT_LT(i0, i2);
  EXPECT_LT(i2, i4);
  EXPECT_EQ(h.find("data-index=\"1\""), std::string::npos) << "case B leaked into case A";
  EXPECT_EQ(Count(h, "<tr class=\"event\""), 3u);
  // The refused request cites its rules with titles and articles.
  EXPECT_NE(h.find("<b>R08</b> Forbidden purposes"), std::string::npos);
  EXPECT_NE(h.find("<b>R07</b> Allowed purposes"), std::string::npos);
  EXPECT_NE(h.find("art. 5.4.1 Wmo 2015; AVG art. 5 lid 1 sub b"), std::string::npos);
  EXPECT_NE(h.find("badge bad\">refused"), std::string::npos);
  EXPECT_NE(h.find("good care statement (R17)"), std::string::npos);
  EXPECT_NE(h.find("GGZ Utrecht"), std::string::npos);
  EXPECT_NE(h.find("VERIFIED: all 7 receipt signatures verified"), std::string::npos);
  EXPECT_EQ(Count(h, "class=\"mark-ok\""), 3u);
  EXPECT_EQ(h.find("NOT VERIFIED"), std::string::npos);
  EXPECT_EQ(h.find("<script"), std::string::npos);
}

TEST_F(ReportTest, PeriodReportChartsCountRequestsRefusalsAndSpecialCategories) {
  absl::StatusOr<ReportResult> r = BuildReport(dir_, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->receipts_in_report, 7u);
  const std::string& h = r->html;
  // Requesters of decisions: municipality (3), police (1), GGZ (1).
  std::string requests = Chart(h, "chart-requests");
  EXPECT_EQ(Count(requests, "<rect class=\"bar"), 3u) << requests;
  EXPECT_NE(requests.find(std::string(kMunicipality) + ": 3</title>"), std::string::npos);
  // Refusals: R08 twice, R06 and R07 once.
  std::string refusals = Chart(h, "chart-refusals");
  EXPECT_EQ(Count(refusals, "<rect class=\"bar refusal\""), 3u) << refusals;
  EXPECT_NE(refusals.find("R08 Forbidden purposes (opsporing, fraud control): 2</title>"),
            std::string::npos);
  EXPECT_NE(refusals.find("R06 Step by step: named categories and justification: 1</title>"),
            std::string::npos);
  std::string special = Chart(h, "chart-special");
  EXPECT_EQ(Count(special, "<rect class=\"bar"), 3u);
  EXPECT_NE(special.find("Good-care statement (R17): 1</title>"), std::string::npos);
  EXPECT_NE(special.find("Legal basis (R18): 1</title>"), std::string::npos);
  EXPECT_NE(special.find("All decisions: 5</title>"), std::string::npos);
  EXPECT_NE(h.find("<td>40.0%</td>"), std::string::npos);  // 2 of 5 decisions
}

TEST_F(ReportTest, PeriodReportLeavesOutReceiptsOutsideThePeriod) {
  ReportOptions options;
  options.from_unix = *ParseReportDate("2026-03-01");
  options.to_unix = *ParseReportDate("2026-03-31") + 86400;
  absl::StatusOr<ReportResult> r = BuildReport(dir_, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->receipts_in_report, 2u);
  EXPECT_EQ(Count(Chart(r->html, "chart-requests"), "<rect class=\"bar"), 2u);
  EXPECT_EQ(Count(Chart(r->html, "chart-refusals"), "<rect class=\"bar"), 1u);
  EXPECT_NE(r->html.find("2026-03-01 to 2026-03-31"), std::string::npos);
}

TEST_F(ReportTest, TamperedExportIsShownNotVerifiedWithTheFirstBadIndex) {
  // Re-sign receipt 4 with a stranger's key: the line parses, its signature
  // does not verify with the export's keys.
  std::ifstream in(dir_ + "/receipts.jsonl");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  in.close();
  NoteSigner stranger(kOrigin, Ed25519PrivateKey::Generate());
  ledger_export::ExportedReceipt e;
  ASSERT_TRUE(ledger_export::ParseReceiptLine(lines[4], e).ok());
  e.signature = stranger.SignBytes(e.receipt);
  lines[4] = ledger_export::FormatReceiptLine(e);
  lines[4].pop_back();  // ledger_export::FormatReceiptLine ends in "\n"
  std::ofstream out(dir_ + "/receipts.jsonl", std::ios::trunc);
  for (const std::string& l : lines) out << l << "\n";
  out.close();

  ReportOptions options;
  options.case_id = kCaseA;
  absl::StatusOr<ReportResult> r = BuildReport(dir_, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->verified);
  ASSERT_TRUE(r->first_bad_index.has_value());
  EXPECT_EQ(*r->first_bad_index, 4u);
  EXPECT_NE(r->html.find("NOT VERIFIED"), std::string::npos);
  EXPECT_NE(r->html.find("first bad index: 4"), std::string::npos);
  EXPECT_EQ(Count(r->html, "class=\"mark-ok\""), 2u);
  EXPECT_EQ(Count(r->html, "class=\"mark-bad\""), 1u);
  size_t row4 = r->html.find("data-index=\"4\"");
  ASSERT_NE(row4, std::string::npos);
  EXPECT_NE(r->html.find("mark-bad", row4), std::string::npos);
}

TEST(ReportEscapingTest, HostileReceiptFieldsCannotInjectMarkup) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/export";
  const std::string hostile_case = "c\"><script>alert(1)</script>";
  v1::Receipt r =
      Decision(hostile_case, "<img src=x onerror=alert(2)>", kGgz, kJan10, false, {"R99<iframe>"});
  r.set_professional_id("'><svg onload=alert(3)>");
  r.set_detail("</td></tr></table><script>alert(4)</script>&");
  r.add_categories("<b>bold</b>");
  NoteSigner signer(kOrigin, Ed25519PrivateKey::Generate());
  WriteExport(dir, {r}, signer);

  ReportOptions options;
  options.case_id = hostile_case;
  options.party_names = {{kGgz, "GGZ <marquee>"}};
  absl::StatusOr<ReportResult> case_report = BuildReport(dir, options);
  ASSERT_TRUE(case_report.ok()) << case_report.status();
  absl::StatusOr<ReportResult> period_report = BuildReport(dir, {});
  ASSERT_TRUE(period_report.ok()) << period_report.status();
  for (const std::string* h : {&case_report->html, &period_report->html}) {
    EXPECT_EQ(h->find("<script"), std::string::npos);
    EXPECT_EQ(h->find("<img"), std::string::npos);
    EXPECT_EQ(h->find("<iframe"), std::string::npos);
    EXPECT_EQ(h->find("<marquee"), std::string::npos);
    EXPECT_EQ(h->find("<svg onload"), std::string::npos);
    EXPECT_EQ(h->find("<b>bold"), std::string::npos);
  }
  const std::string& h = case_report->html;
  EXPECT_NE(h.find("&lt;script&gt;alert(4)&lt;/script&gt;&amp;"), std::string::npos);
  EXPECT_NE(h.find("&#39;&gt;&lt;svg onload=alert(3)&gt;"), std::string::npos);
  EXPECT_NE(h.find("c&quot;&gt;&lt;script&gt;"), std::string::npos);
  EXPECT_NE(h.find("GGZ &lt;marquee&gt;"), std::string::npos);
  EXPECT_NE(Chart(period_report->html, "chart-refusals").find("R99&lt;iframe&gt;"),
            std::string::npos);
}

TEST_F(ReportTest, UnknownCaseIsNotFound) {
  ReportOptions options;
  options.case_id = "no-such-case";
  EXPECT_EQ(BuildReport(dir_, options).status().code(), absl::StatusCode::kNotFound);
}

TEST(ReportDateTest, ParsesDaysAndRejectsOtherText) {
  EXPECT_EQ(*ParseReportDate("2026-01-01"), 1767225600);
  EXPECT_THAT(ParseReportDate("2026-1-1"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseReportDate("yesterday"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseReportDate("2026-01-01T00:00"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ReportTest, BinaryWritesCaseAndPeriodReportsAndFailsOnTampering) {
  const std::string config = tmp_.path() + "/broker.textproto";
  {
    std::ofstream c(config);
    c << "parties { oin: \"" << kGgz << "\" name: \"GGZ Utrecht\" }\n"
      << "parties { oin: \"" << kPolice << "\" name: \"Politie Midden\" }\n";
  }
  const std::string case_html = tmp_.path() + "/case.html";
  RunResult c = RunAudit("report --case " + std::string(kCaseA) + " --config " + config +
                         " --out " + case_html + " " + dir_);
  EXPECT_EQ(c.exit_code, 0) << c.output;
  EXPECT_NE(c.output.find("verified"), std::string::npos) << c.output;
  std::string html = ReadAll(case_html);
  EXPECT_EQ(Count(html, "<tr class=\"event\""), 3u);
  EXPECT_NE(html.find("Politie Midden"), std::string::npos);

  const std::string period_html = tmp_.path() + "/period.html";
  RunResult p =
      RunAudit("report --from 2026-01-01 --to 2026-01-31 --out " + period_html + " " + dir_);
  EXPECT_EQ(p.exit_code, 0) << p.output;
  EXPECT_NE(p.output.find("(5 receipts)"), std::string::npos) << p.output;
  EXPECT_NE(ReadAll(period_html).find("<svg id=\"chart-requests\""), std::string::npos);

  // The walkthrough's form: whole log, no case.
  RunResult w = RunAudit("report --out " + period_html + " " + dir_);
  EXPECT_EQ(w.exit_code, 0) << w.output;
  EXPECT_NE(w.output.find("(7 receipts)"), std::string::npos) << w.output;

  EXPECT_EQ(RunAudit("report " + dir_).exit_code, 2);  // no --out
  EXPECT_EQ(RunAudit("report --from 2026-13-45 --out x.html " + dir_).exit_code, 2);
  EXPECT_NE(RunAudit("report --help").output.find("wams-audit report"), std::string::npos);

  // Truncate the log: the report is still written and says so; exit 1.
  std::string jsonl = ReadAll(dir_ + "/receipts.jsonl");
  jsonl.erase(jsonl.rfind('\n', jsonl.size() - 2) + 1);
  std::ofstream(dir_ + "/receipts.jsonl", std::ios::trunc) << jsonl;
  RunResult t = RunAudit("report --out " + period_html + " " + dir_);
  EXPECT_EQ(t.exit_code, 1) << t.output;
  EXPECT_NE(t.output.find("NOT VERIFIED"), std::string::npos) << t.output;
  EXPECT_NE(ReadAll(period_html).find("NOT VERIFIED"), std::string::npos);
}

// The report cites every rule with the article of the rule catalogue
// (policy/rules.md), word for word, so an auditor reads what the policy cites.
TEST(ReportRules, ArticlesAreTheCataloguesWordForWord) {
  std::ifstream in(WAMS_RULE_CATALOGUE);
  ASSERT_TRUE(in) << WAMS_RULE_CATALOGUE;
  std::string line, id;
  int entries = 0;
  while (std::getline(in, line)) {
    if (line.rfind("### R", 0) == 0) id = line.substr(4, 3);
    const std::string article_prefix = "- **Article:** ";
    if (id.empty() || line.rfind(article_prefix, 0) != 0) continue;
    ++entries;
    const RuleInfo* info = FindRule(id);
    ASSERT_NE(info, nullptr) << id;
    EXPECT_EQ(info->article, line.substr(article_prefix.size())) << id;
  }
  EXPECT_EQ(entries, 29);
}

}  // namespace
}  // namespace wams::auditor
