#include "broker/audit/disclosure.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wams::audit {
namespace {

bool IsExchange(const v1::Receipt& r) {
  if (r.target_oin().empty()) return false;
  return r.kind() == v1::RECEIPT_KIND_DECISION || r.kind() == v1::RECEIPT_KIND_PROVIDER_ANSWER ||
         r.kind() == v1::RECEIPT_KIND_CONFERENCE_EVENT;
}

std::string PartyName(const identity::PartyRegistry& registry, const std::string& oin) {
  const v1::Party* party = registry.Find(oin);
  return party != nullptr ? party->name() : std::string();
}

const char* PurposeText(v1::Purpose purpose, bool dutch) {
  switch (purpose) {
    case v1::PURPOSE_RESEARCH:
      return dutch ? "onderzoek" : "research";
    case v1::PURPOSE_COORDINATION:
      return dutch ? "coordinatie" : "coordination";
    case v1::PURPOSE_CASE_CONFERENCE:
      return dutch ? "casusoverleg" : "case conference";
    case v1::PURPOSE_CRIMINAL_INVESTIGATION:
      return dutch ? "opsporing (geweigerd)" : "criminal investigation (refused)";
    case v1::PURPOSE_FRAUD_CONTROL:
      return dutch ? "fraudebestrijding (geweigerd)" : "fraud control (refused)";
    default:
      return dutch ? "onbekend" : "unknown";
  }
}

const char* OutcomeText(v1::ReceiptOutcome outcome, bool dutch) {
  switch (outcome) {
    case v1::RECEIPT_OUTCOME_GRANTED:
      return dutch ? "toegestaan" : "granted";
    case v1::RECEIPT_OUTCOME_REFUSED:
      return dutch ? "geweigerd" : "refused";
    case v1::RECEIPT_OUTCOME_DELIVERED:
      return dutch ? "gegevens verstrekt" : "data delivered";
    case v1::RECEIPT_OUTCOME_BLOCKED:
      return dutch ? "tegengehouden, niet verstrekt" : "blocked, not delivered";
    case v1::RECEIPT_OUTCOME_NOT_DELIVERED:
      return dutch ? "niet verstrekt" : "not delivered";
    case v1::RECEIPT_OUTCOME_PROVIDER_REFUSED:
      return dutch ? "geweigerd door de verstrekker" : "refused by the provider";
    default:
      return dutch ? "onbekend" : "unknown";
  }
}

std::string PartyLabel(const std::string& name, const std::string& oin) {
  return name.empty() ? oin : absl::StrCat(name, " (", oin, ")");
}

}  // namespace

absl::StatusOr<Withholding> ParseWithholding(const v1::DisclosureWithholding& config,
                                             absl::string_view field) {
  Withholding out;
  if (config.regime() != v1::SECRECY_REGIME_POLICE_WPG &&
      config.regime() != v1::SECRECY_REGIME_JUSTICE_WJSG) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".regime: only SECRECY_REGIME_POLICE_WPG or SECRECY_REGIME_JUSTICE_WJSG"));
  }
  out.regime = config.regime();
  std::string error;
  if (config.until_date().size() != 10 ||
      !absl::ParseTime("%Y-%m-%d", config.until_date(), absl::UTCTimeZone(), &out.until, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".until_date: want YYYY-MM-DD"));
  }
  if (config.reason().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".reason: required"));
  }
  out.reason = config.reason();
  return out;
}

v1::DisclosureResponse BuildDisclosure(const std::vector<SubjectReceipt>& receipts,
                                       const identity::PartyRegistry& registry,
                                       const std::vector<Withholding>& withholding, absl::Time now,
                                       v1::Language language) {
  DisclosurePage page;
  page.receipts = receipts;
  return BuildDisclosurePage(page, registry, withholding, now, language);
}

v1::DisclosureResponse BuildDisclosurePage(const DisclosurePage& page,
                                           const identity::PartyRegistry& registry,
                                           const std::vector<Withholding>& withholding,
                                           absl::Time now, v1::Language language) {
  const bool dutch = language != v1::LANGUAGE_ENGLISH;
  const std::vector<SubjectReceipt>& receipts = page.receipts;
  // A decision followed by its answer is one exchange: the answer's outcome
  // counts. Positions run on from the page into the look-ahead.
  std::multimap<uint64_t, size_t> answer_positions;  // decision leaf -> answer position
  auto note_answer = [&](const SubjectReceipt& s, size_t position) {
    if (s.receipt.kind() == v1::RECEIPT_KIND_PROVIDER_ANSWER) {
      answer_positions.emplace(s.receipt.decision_leaf_index(), position);
    }
  };
  for (size_t i = 0; i < receipts.size(); ++i) note_answer(receipts[i], i);
  for (size_t i = 0; i < page.lookahead.size(); ++i) {
    note_answer(page.lookahead[i], receipts.size() + i);
  }
  auto answered = [&](uint64_t decision_leaf, size_t position) {
    auto [begin, end] = answer_positions.equal_range(decision_leaf);
    return std::any_of(begin, end, [&](const auto& entry) {
      return entry.second > position && entry.second <= position + kAnswerWindow;
    });
  };
  v1::DisclosureResponse response;
  // Per withholding (index): how many entries it withheld.
  std::map<size_t, uint32_t> withheld;
  for (size_t position = 0; position < receipts.size(); ++position) {
    const SubjectReceipt& s = receipts[position];
    const v1::Receipt& r = s.receipt;
    if (!IsExchange(r)) continue;
    if (r.kind() == v1::RECEIPT_KIND_DECISION && answered(s.leaf_index, position)) continue;
    const v1::Party* target = registry.Find(r.target_oin());
    bool hidden = false;
    for (size_t i = 0; i < withholding.size() && target != nullptr; ++i) {
      if (withholding[i].regime == target->secrecy_regime() && now < withholding[i].until) {
        ++withheld[i];
        hidden = true;
        break;
      }
    }
    if (hidden) continue;
    v1::DisclosureEntry* e = response.add_entries();
    *e->mutable_time() = r.time();
    e->set_requester_oin(r.requester_oin());
    e->set_requester_name(PartyName(registry, r.requester_oin()));
    e->set_target_oin(r.target_oin());
    e->set_target_name(PartyName(registry, r.target_oin()));
    *e->mutable_categories() = r.categories();
    e->set_purpose(r.purpose());
    e->set_outcome(r.outcome());
    e->set_case_id(r.case_id());
  }
  for (const auto& [index, count] : withheld) {
    v1::WithheldNotice* n = response.add_withheld();
    n->mutable_until()->set_seconds(absl::ToUnixSeconds(withholding[index].until));
    n->set_reason(withholding[index].reason);
    n->set_entries(count);
  }

  // The document: plain text, one block per exchange.
  std::string& doc = *response.mutable_document();
  if (page.first) {
    absl::StrAppend(&doc,
                    dutch ? "Overzicht van verstrekkingen van uw gegevens (art. 15 AVG)\n"
                          : "Overview of disclosures of your data (art. 15 GDPR)\n",
                    dutch ? "Opgesteld op: " : "Drawn up on: ",
                    absl::FormatTime("%Y-%m-%d %H:%M UTC", now, absl::UTCTimeZone()), "\n\n");
  }
  if (page.first && page.last && response.entries().empty()) {
    absl::StrAppend(&doc, dutch ? "Er zijn geen uitwisselingen over u geregistreerd.\n"
                                : "No exchanges about you are recorded.\n");
  }
  uint64_t number = page.first_number - 1;
  for (const v1::DisclosureEntry& e : response.entries()) {
    absl::Time t = absl::FromUnixSeconds(e.time().seconds());
    absl::StrAppend(&doc, ++number, ". ",
                    absl::FormatTime("%Y-%m-%d %H:%M UTC", t, absl::UTCTimeZone()), "\n");
    absl::StrAppend(&doc, dutch ? "   Gevraagd door: " : "   Asked by: ",
                    PartyLabel(e.requester_name(), e.requester_oin()), "\n");
    absl::StrAppend(&doc, dutch ? "   Verstrekker/ontvanger: " : "   Provider/recipient: ",
                    PartyLabel(e.target_name(), e.target_oin()), "\n");
    absl::StrAppend(&doc, dutch ? "   Gegevens: " : "   Data: ",
                    e.categories().empty() ? "-" : absl::StrJoin(e.categories(), ", "), "\n");
    absl::StrAppend(&doc, dutch ? "   Doel: " : "   Purpose: ", PurposeText(e.purpose(), dutch),
                    "\n");
    absl::StrAppend(&doc, dutch ? "   Uitkomst: " : "   Outcome: ", OutcomeText(e.outcome(), dutch),
                    "\n");
    if (!e.case_id().empty()) {
      absl::StrAppend(&doc, dutch ? "   Dossier: " : "   Case: ", e.case_id(), "\n");
    }
  }
  for (const v1::WithheldNotice& n : response.withheld()) {
    absl::Time until = absl::FromUnixSeconds(n.until().seconds());
    absl::StrAppend(&doc, "\n", dutch ? "Niet getoond: " : "Not shown: ", n.entries(),
                    dutch ? " uitwisseling(en) met politie of justitie, tot "
                          : " exchange(s) with police or justice, until ",
                    absl::FormatTime("%Y-%m-%d", until, absl::UTCTimeZone()),
                    dutch ? ". Reden: " : ". Reason: ", n.reason(), "\n");
  }
  return response;
}

}  // namespace wams::audit
