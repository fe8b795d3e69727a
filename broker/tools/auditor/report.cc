// report.cc: see report.h. The HTML is built by hand (no template engine) so
// that every dynamic string visibly passes through HtmlEscape().
#include "broker/tools/auditor/report.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "broker/ledger/export/export_format.h"
#include "broker/tools/auditor/export_verifier.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "wams/broker/v1/config.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::auditor {
namespace {

namespace v1 = ::wams::broker::v1;

// A static copy of the rule catalogue (policy/rules.md, every rule R01..R29)
// so wams-audit does not link the policy engine for a few strings; the
// articles are the catalogue's, word for word (tests/audit checks it).
constexpr RuleInfo kRules[] = {
    {"R01", "Client request", "art. 2.3a.1 Wmo 2015"},
    {"R02", "Professional request", "art. 2.3a.4 Wmo 2015"},
    {"R03", "Voluntary only", "Wams (scope of the bill)"},
    {"R04", "Client's wish is leading (scope)", "art. 2.3a.1 Wmo 2015"},
    {"R05", "Research content", "art. 2.3a.1, 5.4.1 Wmo 2015"},
    {"R06", "Step by step: named categories and justification",
     "art. 5.4.1 Wmo 2015; AVG art. 5 lid 1 sub c"},
    {"R07", "Allowed purposes", "art. 5.4.1 Wmo 2015; AVG art. 5 lid 1 sub b"},
    {"R08", "Forbidden purposes (opsporing, fraud control)",
     "Wams (geen grondslag voor opsporing of oneigenlijk gebruik)"},
    {"R09", "No fishing: one client of one open case", "art. 5.4.1 Wmo 2015 (casuïstisch)"},
    {"R10", "Phase and role", "art. 2.3a.1, 5.4.1 Wmo 2015"},
    {"R11", "Family members must agree", "art. 2.3a.1 Wmo 2015"},
    {"R12", "Duty or power to coordinate", "Wams, gecoördineerde aanpak (Wmo 2015 par. 2.3a)"},
    {"R13", "Coordinator", "Wams, gecoördineerde aanpak (Wmo 2015 par. 2.3a)"},
    {"R14", "Attuned with the client", "Wams, gecoördineerde aanpak (Wmo 2015 par. 2.3a)"},
    {"R15", "Coordination, not execution", "Wams, gecoördineerde aanpak (Wmo 2015 par. 2.3a)"},
    {"R16", "Qualified duty to provide", "art. 5.4.2 Wmo 2015"},
    {"R17", "Medical secrecy and youth care", "art. 5.4.2 Wmo 2015"},
    {"R18", "Police and justice data", "art. 5.4.2 Wmo 2015; Wpg; Wjsg"},
    {"R19", "BSN as identifier", "art. 5.4.1 Wmo 2015"},
    {"R20", "Earlier municipal data", "Wams (the bill's text names no article)"},
    {"R21", "Municipality to party", "art. 5.4.1 Wmo 2015"},
    {"R22", "Who convenes", "Wams, casusoverleg (Wmo 2015 par. 2.3a)"},
    {"R23", "Who attends", "Wams, casusoverleg (Wmo 2015 par. 2.3a)"},
    {"R24", "Sharing in the conference", "Wams, casusoverleg; art. 5.4.2 Wmo 2015"},
    {"R25", "Minutes on measure", "Wams, casusoverleg (Wmo 2015 par. 2.3a)"},
    {"R26", "Onward use needs the provider's assent", "Wams, casusoverleg (Wmo 2015 par. 2.3a)"},
    {"R27", "Identification, authorisation, logging", "AVG art. 5 lid 2 en art. 32"},
    {"R28", "Dossier", "Wams (the bill's text names no article)"},
    {"R29", "Transparency to the client", "AVG art. 15"},
};

std::string Str(absl::string_view s) { return std::string(s.data(), s.size()); }

// "RECEIPT_KIND_CASE_EVENT" -> "case event".
std::string EnumLabel(const std::string& name, std::string_view prefix) {
  std::string s = name;
  if (s.compare(0, prefix.size(), prefix) == 0) s = s.substr(prefix.size());
  for (char& c : s)
    c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string KindLabel(v1::ReceiptKind k) {
  return EnumLabel(v1::ReceiptKind_Name(k), "RECEIPT_KIND_");
}
std::string OutcomeLabel(v1::ReceiptOutcome o) {
  return EnumLabel(v1::ReceiptOutcome_Name(o), "RECEIPT_OUTCOME_");
}
std::string PurposeLabel(v1::Purpose p) {
  if (p == v1::PURPOSE_UNSPECIFIED) return "";
  return EnumLabel(v1::Purpose_Name(p), "PURPOSE_");
}
const char* OutcomeClass(v1::ReceiptOutcome o) {
  switch (o) {
    case v1::RECEIPT_OUTCOME_GRANTED:
    case v1::RECEIPT_OUTCOME_DELIVERED:
      return "ok";
    case v1::RECEIPT_OUTCOME_REFUSED:
    case v1::RECEIPT_OUTCOME_BLOCKED:
      return "bad";
    case v1::RECEIPT_OUTCOME_NOT_DELIVERED:
    case v1::RECEIPT_OUTCOME_PROVIDER_REFUSED:
      return "warn";
    default:
      return "neutral";
  }
}

std::string FormatTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  absl::Time at = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", at, absl::UTCTimeZone());
}

class PartyNamer {
 public:
  explicit PartyNamer(const std::map<std::string, std::string>& names) : names_(names) {}
  // Escaped "name (OIN)" or just the OIN.
  std::string Html(const std::string& oin) const {
    if (oin.empty()) return "";
    auto it = names_.find(oin);
    if (it == names_.end()) return absl::StrCat("<span class=\"oin\">", HtmlEscape(oin), "</span>");
    return absl::StrCat(HtmlEscape(it->second), " <span class=\"oin\">", HtmlEscape(oin),
                        "</span>");
  }
  std::string Plain(const std::string& oin) const {
    auto it = names_.find(oin);
    return it == names_.end() ? oin : it->second;
  }

 private:
  const std::map<std::string, std::string>& names_;
};

constexpr char kStyle[] = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1d2330;background:#fff}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d8dde6;padding-bottom:.3rem}
.meta{color:#5b6475;margin-bottom:1rem}
.banner{padding:1rem 1.2rem;border-radius:6px;font-weight:600;margin:1rem 0}
.banner.verified{background:#e5f5ea;border:2px solid #2e8b57;color:#1e5e3a}
.banner.failed{background:#fdeaea;border:2px solid #c0392b;color:#8e1f14}
.banner .small{font-weight:400;font-size:.9rem;margin-top:.3rem;word-break:break-all}
table{border-collapse:collapse;width:100%;font-size:.85rem}
#timeline{table-layout:fixed}#timeline td{overflow-wrap:break-word}
th,td{border-bottom:1px solid #e3e7ee;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f9}
.badge{display:inline-block;white-space:nowrap;padding:.1rem .5rem;border-radius:10px;font-size:.8rem;font-weight:600}
.badge.ok{background:#d8f0df;color:#1e5e3a}.badge.bad{background:#f9d6d2;color:#8e1f14}
.badge.warn{background:#fcefd0;color:#7a5200}.badge.neutral{background:#e6e9ef;color:#384152}
.oin{font-family:ui-monospace,monospace;color:#5b6475;font-size:.8rem}
.mark-ok{color:#2e8b57;font-weight:700}.mark-bad{color:#c0392b;font-weight:700}
.rule{display:block}.rule b{color:#8e1f14}
.charts{display:flex;flex-wrap:wrap;gap:2rem}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.4rem}
svg text{font-family:system-ui,sans-serif;font-size:12px;fill:#1d2330}
.bar{fill:#3b6fb6}.bar.refusal{fill:#c0392b}.bar.special{fill:#d68910}
.empty{color:#5b6475;font-style:italic}
)css";

struct Bar {
  std::string label;
  uint64_t count = 0;
  const char* css = "";  // extra class on the bar
};

// A horizontal bar chart as inline SVG; one <rect class="bar ..."> per bar.
std::string BarChart(const std::string& id, const std::string& caption,
                     const std::vector<Bar>& bars) {
  std::string out = absl::StrCat("<figure><figcaption>", HtmlEscape(caption), "</figcaption>");
  if (bars.empty()) {
    absl::StrAppend(&out, "<p class=\"empty\" id=\"", id,
                    "\">Nothing in this period.</p></figure>");
    return out;
  }
  constexpr int kLabelWidth = 290, kBarWidth = 230, kRow = 26, kTop = 6;
  uint64_t max = 1;
  for (const Bar& b : bars) max = std::max(max, b.count);
  const int height = kTop * 2 + kRow * static_cast<int>(bars.size());
  absl::StrAppend(&out, "<svg id=\"", id, "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"",
                  kLabelWidth + kBarWidth + 50, "\" height=\"", height, "\" role=\"img\">");
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const int y = kTop + kRow * static_cast<int>(i);
    const int w = std::max<int>(
        b.count > 0 ? 2 : 0,
        static_cast<int>(static_cast<double>(b.count) / static_cast<double>(max) * kBarWidth));
    std::string label = b.label;
    if (label.size() > 40) {
      size_t cut = 39;  // never split a UTF-8 sequence
      while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
      label = label.substr(0, cut) + "…";
    }
    absl::StrAppend(&out, "<text x=\"", kLabelWidth - 6, "\" y=\"", y + 16,
                    "\" text-anchor=\"end\">", HtmlEscape(label), "</text>");
    absl::StrAppend(&out, "<rect class=\"bar", *b.css ? " " : "", b.css, "\" x=\"", kLabelWidth,
                    "\" y=\"", y + 3, "\" width=\"", w, "\" height=\"", kRow - 8, "\"><title>",
                    HtmlEscape(b.label), ": ", b.count, "</title></rect>");
    absl::StrAppend(&out, "<text x=\"", kLabelWidth + w + 6, "\" y=\"", y + 16, "\">", b.count,
                    "</text>");
  }
  absl::StrAppend(&out, "</svg></figure>");
  return out;
}

std::string RulesHtml(const v1::Receipt& r) {
  std::string out;
  for (const std::string& id : r.failed_rule_ids()) {
    const RuleInfo* info = FindRule(id);
    absl::StrAppend(&out, "<span class=\"rule\"><b>", HtmlEscape(id), "</b>");
    if (info != nullptr) {
      absl::StrAppend(&out, " ", HtmlEscape(info->title), " <span class=\"oin\">(",
                      HtmlEscape(info->article), ")</span>");
    }
    absl::StrAppend(&out, "</span>");
  }
  return out;
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string ObligationsText(const v1::Receipt& r) {
  std::string out;
  for (const v1::Obligation& o : r.obligations()) {
    if (!out.empty()) out += "; ";
    absl::StrAppend(&out, EnumLabel(v1::ObligationKind_Name(o.kind()), "OBLIGATION_KIND_"));
    if (!o.rule_id().empty()) absl::StrAppend(&out, " (", o.rule_id(), ")");
  }
  return out;
}

std::string Banner(const VerifyReport& v) {
  if (v.status.ok()) {
    std::string signers;
    for (const std::string& k : v.checkpoint_signed_by) absl::StrAppend(&signers, " ", k);
    return absl::StrCat(
        "<div class=\"banner verified\" id=\"verification\">&#10004; VERIFIED: all ",
        v.receipts_verified,
        " receipt signatures verified and the receipts match the signed checkpoint."
        "<div class=\"small\">origin ",
        HtmlEscape(v.checkpoint.origin), ", tree size ", v.checkpoint.tree_size, ", root ",
        HtmlEscape(ledger::DigestHex(v.checkpoint.root_hash)), ", checkpoint signed by",
        HtmlEscape(signers), "</div></div>");
  }
  std::string out =
      absl::StrCat("<div class=\"banner failed\" id=\"verification\">&#10008; NOT VERIFIED: ",
                   HtmlEscape(Str(v.status.message())));
  if (v.first_bad_index.has_value()) {
    absl::StrAppend(&out, "<div class=\"small\">first bad index: ", *v.first_bad_index, "</div>");
  }
  absl::StrAppend(&out,
                  "<div class=\"small\">Do not rely on this log: what follows is shown for "
                  "investigation only. Receipts before the first bad index verified: ",
                  v.receipts_verified, ".</div></div>");
  return out;
}

struct Loaded {
  uint64_t index;
  bool signature_ok;
  v1::Receipt receipt;
};

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const RuleInfo* FindRule(std::string_view rule_id) {
  for (const RuleInfo& r : kRules) {
    if (rule_id == r.id) return &r;
  }
  return nullptr;
}

absl::StatusOr<int64_t> ParseReportDate(std::string_view date) {
  absl::Time t;
  std::string err;
  if (date.size() != 10 || !absl::ParseTime("%Y-%m-%d", absl::string_view(date.data(), date.size()),
                                            absl::UTCTimeZone(), &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "date must be YYYY-MM-DD, got \"", absl::string_view(date.data(), date.size()), "\""));
  }
  return absl::ToUnixSeconds(t);
}

absl::StatusOr<std::map<std::string, std::string>> PartyNamesFromConfig(const std::string& path) {
  absl::StatusOr<std::string> text = ledger_export::ReadSmallFile(path);
  if (!text.ok()) return text.status();
  v1::BrokerConfig config;
  const size_t first = text->find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (*text)[first] == '{') {
    google::protobuf::util::JsonParseOptions opts;
    if (!google::protobuf::util::JsonStringToMessage(*text, &config, opts).ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": not a BrokerConfig (JSON)"));
    }
  } else if (!google::protobuf::TextFormat::ParseFromString(*text, &config)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a BrokerConfig textproto"));
  }
  std::map<std::string, std::string> names;
  for (const v1::Party& p : config.parties()) {
    if (!p.oin().empty() && !p.name().empty()) names[p.oin()] = p.name();
  }
  return names;
}

absl::StatusOr<ReportResult> BuildReport(const std::string& dir, const ReportOptions& options) {
  VerifyOptions vo;
  vo.threads = options.threads;
  VerifyReport v = VerifyExport(dir, vo);

  // The key ring marks each receipt on its own, so a row stays checkable
  // even when the log as a whole does not verify.
  std::optional<ledger_export::KeyRing> ring;
  if (absl::StatusOr<std::string> keys =
          ledger_export::ReadSmallFile(dir + "/" + ledger_export::kKeysFile);
      keys.ok()) {
    if (absl::StatusOr<ledger_export::KeyRing> parsed = ledger_export::KeyRing::Parse(*keys);
        parsed.ok())
      ring = *parsed;
  }
  std::ifstream in(dir + "/" + ledger_export::kReceiptsFile, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat(dir, "/", ledger_export::kReceiptsFile, " not found"));

  PartyNamer party(options.party_names);
  const bool is_case = options.case_id.has_value();
  std::vector<Loaded> timeline;
  uint64_t unreadable = 0, total = 0, bad_signatures = 0;
  // Period aggregates.
  std::map<std::string, uint64_t> requests_by_party, refusals_by_rule, outcomes;
  uint64_t decisions = 0, good_care = 0, legal_basis = 0;

  ledger_export::ExportedReceipt line_receipt;
  for (std::string line; std::getline(in, line);) {
    if (!ledger_export::ParseReceiptLine(line, line_receipt).ok()) {
      ++unreadable;
      continue;
    }
    v1::Receipt r;
    if (!r.ParseFromString(line_receipt.receipt)) {
      ++unreadable;
      continue;
    }
    bool sig_ok = false;
    if (ring.has_value()) {
      const ledger::NoteVerifier* ver = ring->Find(line_receipt.key_id);
      sig_ok = ver != nullptr && ver->key().Verify(line_receipt.receipt, line_receipt.signature);
    }
    if (is_case) {
      if (r.case_id() != *options.case_id) continue;
      ++total;
      if (!sig_ok) ++bad_signatures;
      timeline.push_back({line_receipt.index, sig_ok, std::move(r)});
      continue;
    }
    const int64_t at = r.time().seconds();
    if (options.from_unix.has_value() && at < *options.from_unix) continue;
    if (options.to_unix.has_value() && at >= *options.to_unix) continue;
    ++total;
    if (!sig_ok) ++bad_signatures;
    ++outcomes[OutcomeLabel(r.outcome())];
    if (r.kind() == v1::RECEIPT_KIND_DECISION) {
      ++decisions;
      ++requests_by_party[r.requester_oin()];
      bool care = false, legal = false;
      for (const v1::Obligation& o : r.obligations()) {
        care |= o.kind() == v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT;
        legal |= o.kind() == v1::OBLIGATION_KIND_LEGAL_BASIS;
      }
      good_care += care ? 1 : 0;
      legal_basis += legal ? 1 : 0;
    }
    if (r.outcome() == v1::RECEIPT_OUTCOME_REFUSED || r.outcome() == v1::RECEIPT_OUTCOME_BLOCKED) {
      for (const std::string& id : r.failed_rule_ids()) ++refusals_by_rule[id];
    }
  }
  if (is_case && timeline.empty()) {
    return absl::NotFoundError(absl::StrCat("no receipt of case ", *options.case_id, " in ", dir));
  }

  ReportResult result;
  result.verified = v.status.ok();
  result.first_bad_index = v.first_bad_index;
  result.receipts_in_report = total;

  std::string title = is_case ? absl::StrCat("Wams audit report: case ", *options.case_id)
                              : std::string("Wams audit report: period");
  std::string& h = result.html;
  absl::StrAppend(&h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
                  "<title>", HtmlEscape(title), "</title><style>", kStyle,
                  "</style></head><body>\n<h1>", HtmlEscape(title), "</h1>");
  std::string period = "whole log";
  if (!is_case && (options.from_unix || options.to_unix)) {
    auto day = [](int64_t s) {
      return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(s), absl::UTCTimeZone());
    };
    period =
        absl::StrCat(options.from_unix ? day(*options.from_unix) : "start", " to ",
                     options.to_unix ? day(*options.to_unix - 86400) : "end", " (inclusive, UTC)");
  }
  absl::StrAppend(&h, "<div class=\"meta\">Export: ", HtmlEscape(dir),
                  is_case ? "" : absl::StrCat(" &middot; Period: ", HtmlEscape(period)),
                  " &middot; Receipts in this report: ", total, "</div>\n", Banner(v), "\n");
  if (bad_signatures > 0 || unreadable > 0) {
    absl::StrAppend(&h, "<div class=\"banner failed\" id=\"row-problems\">", bad_signatures,
                    " receipt(s) in this report with a bad or unknown signature; ", unreadable,
                    " unreadable line(s) in the export.</div>\n");
  }

  if (is_case) {
    absl::StrAppend(&h,
                    "<h2>Timeline</h2><p class=\"meta\">Every receipt of the case in log "
                    "order. &#10004; = the receipt's signature verified with the export's "
                    "keys.</p>\n<table id=\"timeline\"><colgroup><col style=\"width:3%\"><col "
                    "style=\"width:8%\">"
                    "<col style=\"width:7%\"><col style=\"width:13%\"><col style=\"width:12%\">"
                    "<col style=\"width:7%\"><col style=\"width:10%\"><col style=\"width:8%\">"
                    "<col style=\"width:13%\"><col style=\"width:16%\"><col style=\"width:3%\">"
                    "</colgroup><thead><tr><th>#</th><th>Time</th>"
                    "<th>Kind</th><th>Actor</th><th>Target</th><th>Purpose</th>"
                    "<th>Categories</th><th>Outcome</th><th>Failed rules</th>"
                    "<th>Obligations / detail</th><th>Sig</th></tr></thead><tbody>\n");
    for (const Loaded& e : timeline) {
      const v1::Receipt& r = e.receipt;
      std::string actor = party.Html(r.requester_oin());
      if (!r.professional_id().empty()) {
        absl::StrAppend(&actor, "<br><span class=\"oin\">prof. ", HtmlEscape(r.professional_id()),
                        "</span>");
      }
      std::string extra = HtmlEscape(ObligationsText(r));
      if (!r.detail().empty()) {
        absl::StrAppend(&extra, extra.empty() ? "" : "<br>", HtmlEscape(r.detail()));
      }
      absl::StrAppend(
          &h, "<tr class=\"event\" data-index=\"", e.index, "\"><td>", e.index, "</td><td>",
          HtmlEscape(FormatTime(r.time())), "</td><td>", HtmlEscape(KindLabel(r.kind())),
          "</td><td>", actor, "</td><td>", party.Html(r.target_oin()), "</td><td>",
          HtmlEscape(PurposeLabel(r.purpose())), "</td><td>", HtmlEscape(Joined(r.categories())),
          "</td><td><span class=\"badge ", OutcomeClass(r.outcome()), "\">",
          HtmlEscape(OutcomeLabel(r.outcome())), "</span></td><td>", RulesHtml(r), "</td><td>",
          extra, "</td><td>",
          e.signature_ok ? "<span class=\"mark-ok\" title=\"signature verified\">&#10004;</span>"
                         : "<span class=\"mark-bad\" title=\"signature NOT verified\">&#10008;"
                           "</span>",
          "</td></tr>\n");
    }
    absl::StrAppend(&h, "</tbody></table>\n");
  } else {
    std::vector<Bar> party_bars, rule_bars, special_bars;
    for (const auto& [oin, n] : requests_by_party) party_bars.push_back({party.Plain(oin), n});
    std::sort(party_bars.begin(), party_bars.end(),
              [](const Bar& a, const Bar& b) { return a.count > b.count; });
    for (const auto& [id, n] : refusals_by_rule) {
      const RuleInfo* info = FindRule(id);
      rule_bars.push_back(
          {info != nullptr ? absl::StrCat(id, " ", info->title) : id, n, "refusal"});
    }
    if (decisions > 0) {
      special_bars = {{"Good-care statement (R17)", good_care, "special"},
                      {"Legal basis (R18)", legal_basis, "special"},
                      {"All decisions", decisions, ""}};
    }
    const uint64_t special_any = std::min(decisions, good_care + legal_basis);
    absl::StrAppend(
        &h, "<h2>Summary</h2><table id=\"summary\"><tbody><tr><th>Decisions (requests)</th><td>",
        decisions, "</td></tr><tr><th>Decisions placing a special-category obligation</th><td>",
        decisions > 0 ? absl::StrFormat("%.1f%%", 100.0 * static_cast<double>(special_any) /
                                                      static_cast<double>(decisions))
                      : std::string("-"),
        "</td></tr>");
    for (const auto& [label, n] : outcomes) {
      absl::StrAppend(&h, "<tr><th>Outcome: ", HtmlEscape(label), "</th><td>", n, "</td></tr>");
    }
    absl::StrAppend(
        &h, "</tbody></table>\n<h2>Charts</h2><div class=\"charts\">",
        BarChart("chart-requests", "Requests (decisions) per party", party_bars),
        BarChart("chart-refusals", "Refusals per rule", rule_bars),
        BarChart("chart-special", "Special categories (decisions with R17/R18 obligations)",
                 special_bars),
        "</div>\n");
  }
  absl::StrAppend(&h,
                  "<p class=\"meta\">Generated offline by wams-audit report. Receipts hold no "
                  "BSN; subjects are pseudonymised and are not shown.</p></body></html>\n");
  return result;
}

}  // namespace wams::auditor
