#include "broker/audit/audit_core.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/base/bsn.h"
#include "broker/base/status_details.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/cosignatures.h"
#include "broker/receipts/receipt_builder.h"
#include "policy/decision_view.h"
#include "policy/policy.h"
#include "policy/refusal_code.h"

namespace wams::audit {
namespace {

absl::string_view Str(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr uint32_t kDefaultPageSize = 100;
constexpr uint32_t kMaxPageSize = 1000;

// page_size as the API documents it: 0 is the default, more than the
// maximum is the maximum (clamped, like AIP-158 allows, not refused).
uint32_t PageSize(uint32_t requested) {
  return requested == 0 ? kDefaultPageSize : std::min(requested, kMaxPageSize);
}

// A disclosure page token: the subject index's page token, a dot, and how
// many entries earlier pages held (the document numbers on from there).
struct DisclosureToken {
  std::string index_token;
  uint64_t entries_before = 0;
};

absl::StatusOr<DisclosureToken> ParseDisclosureToken(std::string_view token) {
  if (token.empty()) return DisclosureToken{};
  const size_t dot = token.find('.');
  DisclosureToken parsed;
  if (dot == std::string_view::npos || dot == 0 || token.size() - dot > 11 ||
      !absl::SimpleAtoi(Str(token.substr(dot + 1)), &parsed.entries_before)) {
    return absl::InvalidArgumentError("page_token is malformed");
  }
  parsed.index_token = std::string(token.substr(0, dot));
  return parsed;
}

// The receipts of `page`, parsed, with their leaf indexes.
absl::StatusOr<std::vector<SubjectReceipt>> ParsePage(const ledger::store::QueryPage& page) {
  std::vector<SubjectReceipt> receipts;
  for (size_t i = 0; i < page.receipts.size(); ++i) {
    SubjectReceipt s;
    s.leaf_index = page.leaf_indexes[i];
    if (!s.receipt.ParseFromString(page.receipts[i].receipt_bytes())) {
      return absl::DataLossError(absl::StrCat("receipt ", s.leaf_index, " does not parse"));
    }
    receipts.push_back(std::move(s));
  }
  return receipts;
}

// The signer's name of a note signature line "— name base64\n".
absl::StatusOr<std::string> SignatureLineName(std::string_view line) {
  constexpr std::string_view kDash = "\xe2\x80\x94 ";
  if (!line.starts_with(kDash)) {
    return absl::InvalidArgumentError("cosignature_line: does not start with an em dash");
  }
  line.remove_prefix(kDash.size());
  size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0) {
    return absl::InvalidArgumentError("cosignature_line: no key name");
  }
  return std::string(line.substr(0, space));
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditCore>> AuditCore::Create(AuditDeps deps,
                                                             const v1::BrokerConfig& config) {
  std::vector<ledger::CosignatureVerifier> witnesses;
  for (int i = 0; i < config.witnesses_size(); ++i) {
    absl::StatusOr<ledger::CosignatureVerifier> key =
        ledger::ParseCosignatureVerifierKey(config.witnesses(i).verifier_key());
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("witnesses[", i, "].verifier_key: ", key.status().message()));
    }
    witnesses.push_back(*std::move(key));
  }
  std::vector<Withholding> withholding;
  for (int i = 0; i < config.disclosure_withholding_size(); ++i) {
    WAMS_ASSIGN_OR_RETURN(Withholding w,
                          ParseWithholding(config.disclosure_withholding(i),
                                           absl::StrCat("disclosure_withholding[", i, "]")));
    withholding.push_back(std::move(w));
  }
  std::vector<std::string> officers(config.privacy_officer_ids().begin(),
                                    config.privacy_officer_ids().end());
  return std::unique_ptr<AuditCore>(
      new AuditCore(deps, std::move(officers), std::move(witnesses), std::move(withholding)));
}

AuditCore::AuditCore(AuditDeps deps, std::vector<std::string> privacy_officers,
                     std::vector<ledger::CosignatureVerifier> witnesses,
                     std::vector<Withholding> withholding)
    : deps_(deps),
      privacy_officers_(std::move(privacy_officers)),
      witnesses_(std::move(witnesses)),
      withholding_(std::move(withholding)) {}

bool AuditCore::IsAuditor(const identity::Caller& caller) const {
  return caller.party != nullptr && caller.party->role() == v1::PARTY_ROLE_AUDITOR;
}

bool AuditCore::IsPrivacyOfficer(const identity::Caller& caller) const {
  return caller.party != nullptr && caller.party->role() == v1::PARTY_ROLE_MUNICIPALITY &&
         !caller.professional_id.empty() &&
         std::find(privacy_officers_.begin(), privacy_officers_.end(), caller.professional_id) !=
             privacy_officers_.end();
}

absl::Status AuditCore::Record(const v1::Receipt& receipt) const {
  absl::StatusOr<v1::SignedReceipt> stored = deps_.ledger->Append(receipt);
  if (!stored.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the audit query could not be recorded: ", stored.status().message()));
  }
  return absl::OkStatus();
}

absl::Status AuditCore::Authorize(const identity::Caller& caller, bool allowed,
                                  absl::string_view method) const {
  if (allowed) return absl::OkStatus();
  // Attempts are recorded too: who tried to look matters as much as who looked.
  // R27 (roles from the registry), cited in the answer and the receipt.
  const v1::Decision decision = deps_.policy->DecideRole(
      {.actor = caller.party, .role_fits = false, .language = v1::LANGUAGE_ENGLISH});
  v1::Receipt receipt =
      receipts::NewReceipt(v1::RECEIPT_KIND_AUDIT_QUERY, caller, "", *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_REFUSED);
  receipt.set_detail(absl::StrCat(method, ": refused, caller is not an auditor (R27)"));
  *receipt.mutable_failed_rule_ids() = decision.failed_rule_ids();
  receipt.set_policy_version(decision.policy_version());
  absl::StatusOr<v1::SignedReceipt> stored = deps_.ledger->Append(receipt);
  if (!stored.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the audit query could not be recorded: ", stored.status().message()));
  }
  absl::Status refused(
      policy::RefusalCode(decision),
      absl::StrCat("AuditService.", method, " is for parties with the auditor role",
                   method == "GetDisclosureOverview" ? " and the privacy officer" : "", " (R27)"));
  base::AttachDetail(refused, decision);
  base::AttachDetail(refused, *stored);
  return refused;
}

std::vector<std::string> AuditCore::Cosignatures(uint64_t tree_size) const {
  return ledger::store::ReadCosignatures(*deps_.storage, tree_size);
}

void AuditCore::WithCosignatures(v1::Checkpoint& checkpoint) const {
  checkpoint.clear_cosignatures();
  for (std::string& line : Cosignatures(checkpoint.tree_size())) {
    checkpoint.add_cosignatures(std::move(line));
  }
}

bool AuditCore::IsPartyTo(const identity::Caller& caller, uint64_t leaf_index) const {
  if (caller.party == nullptr || caller.party->oin().empty()) return false;
  // A leaf that does not exist or does not parse is "not yours" too, so the
  // refusal says nothing about which leaves exist.
  absl::StatusOr<v1::SignedReceipt> stored = deps_.ledger->GetReceipt(leaf_index);
  v1::Receipt receipt;
  if (!stored.ok() || !receipt.ParseFromString(stored->receipt_bytes())) return false;
  return receipt.requester_oin() == caller.party->oin() ||
         receipt.target_oin() == caller.party->oin();
}

absl::StatusOr<v1::Checkpoint> AuditCore::Latest() const {
  // Made on demand rather than waiting for the timer, so an auditor always
  // sees every durable receipt; when the tree has not grown this is the
  // stored latest checkpoint, and its cosignatures stay with it.
  // A broker that cannot write now (a standby while another broker writes,
  // or a database that is down) serves the latest stored checkpoint: its
  // read view follows the writer's, and it must not try to write one.
  if (!deps_.ledger->WriteHealth().ok()) return deps_.ledger->LatestCheckpoint();
  return deps_.ledger->MakeCheckpoint();
}

absl::StatusOr<v1::Checkpoint> AuditCore::GetCheckpoint(
    const identity::Caller& caller, const v1::GetCheckpointRequest& request) const {
  WAMS_RETURN_IF_ERROR(Authorize(caller, IsAuditor(caller), "GetCheckpoint"));
  WAMS_ASSIGN_OR_RETURN(
      v1::Checkpoint checkpoint,
      request.tree_size() == 0 ? Latest() : deps_.ledger->GetCheckpoint(request.tree_size()));
  WithCosignatures(checkpoint);
  return checkpoint;
}

absl::Status AuditCore::SetSubjectKeys(const base::Bsn& bsn,
                                       ledger::store::IndexQuery& query) const {
  // The query's own receipt names whom it read about under the subject's
  // pseudonym, so the subject can see it was queried: the key is made if the
  // subject has none yet.
  WAMS_ASSIGN_OR_RETURN(query.key, deps_.subject_keys->Pseudonymize(bsn.value()));
  WAMS_ASSIGN_OR_RETURN(std::vector<std::string> pseudonyms, deps_.subject_keys->Find(bsn.value()));
  query.more_keys.clear();
  for (std::string& pseudonym : pseudonyms) {
    if (pseudonym != query.key) query.more_keys.push_back(std::move(pseudonym));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ListReceiptsResponse> AuditCore::ListReceipts(
    const identity::Caller& caller, const v1::ListReceiptsRequest& request) const {
  WAMS_RETURN_IF_ERROR(Authorize(caller, IsAuditor(caller), "ListReceipts"));
  ledger::store::IndexQuery query;
  query.page_token = request.page_token();
  query.page_size = PageSize(request.page_size());
  v1::Receipt receipt =
      receipts::NewReceipt(v1::RECEIPT_KIND_AUDIT_QUERY, caller, "", *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  switch (request.filter_case()) {
    case v1::ListReceiptsRequest::kCaseId:
      if (request.case_id().empty()) return absl::InvalidArgumentError("case_id: empty");
      query.index = ledger::store::IndexKind::kCase;
      query.key = request.case_id();
      receipt.set_case_id(request.case_id());
      receipt.set_detail("ListReceipts by case");
      break;
    case v1::ListReceiptsRequest::kSubjectBsn: {
      WAMS_ASSIGN_OR_RETURN(base::Bsn bsn, base::ParseBsn(request.subject_bsn(), "subject_bsn"));
      query.index = ledger::store::IndexKind::kSubject;
      WAMS_RETURN_IF_ERROR(SetSubjectKeys(bsn, query));
      // The pseudonym, never the BSN: the receipt says whose receipts were read.
      receipt.set_subject_pseudonym(query.key);
      receipt.set_detail("ListReceipts by subject");
      break;
    }
    case v1::ListReceiptsRequest::kPartyOin:
      if (request.party_oin().empty()) return absl::InvalidArgumentError("party_oin: empty");
      query.index = ledger::store::IndexKind::kParty;
      query.key = request.party_oin();
      receipt.set_target_oin(request.party_oin());
      receipt.set_detail("ListReceipts by party");
      break;
    case v1::ListReceiptsRequest::kTimeRange: {
      const v1::TimeRange& range = request.time_range();
      query.index = ledger::store::IndexKind::kTime;
      if (range.has_from()) {
        query.from =
            absl::FromUnixSeconds(range.from().seconds()) + absl::Nanoseconds(range.from().nanos());
      }
      if (range.has_to()) {
        query.to =
            absl::FromUnixSeconds(range.to().seconds()) + absl::Nanoseconds(range.to().nanos());
      }
      if (query.to < query.from) {
        return absl::InvalidArgumentError("time_range: `to` is before `from`");
      }
      receipt.set_detail(absl::StrCat(
          "ListReceipts by time ",
          range.has_from() ? absl::FormatTime(query.from, absl::UTCTimeZone()) : "-", " to ",
          range.has_to() ? absl::FormatTime(query.to, absl::UTCTimeZone()) : "-"));
      break;
    }
    default:
      return absl::InvalidArgumentError(
          "one filter is required: case_id, subject_bsn, party_oin or time_range");
  }
  if (!query.page_token.empty()) absl::StrAppend(receipt.mutable_detail(), ", next page");
  WAMS_RETURN_IF_ERROR(Record(receipt));
  WAMS_ASSIGN_OR_RETURN(ledger::store::QueryPage page, deps_.ledger->Query(query));
  v1::ListReceiptsResponse response;
  for (size_t i = 0; i < page.receipts.size(); ++i) {
    v1::SignedReceipt* r = response.add_receipts();
    *r = std::move(page.receipts[i]);
    r->set_leaf_index(page.leaf_indexes[i]);
  }
  response.set_next_page_token(page.next_page_token);
  return response;
}

absl::StatusOr<v1::InclusionProof> AuditCore::GetInclusionProof(
    const identity::Caller& caller, const v1::GetInclusionProofRequest& request) const {
  WAMS_RETURN_IF_ERROR(Authorize(
      caller, IsAuditor(caller) || IsPartyTo(caller, request.leaf_index()), "GetInclusionProof"));
  uint64_t size = request.tree_size();
  std::optional<v1::Checkpoint> checkpoint;
  if (size == 0) {
    WAMS_ASSIGN_OR_RETURN(checkpoint, Latest());
    size = checkpoint->tree_size();
  } else if (absl::StatusOr<v1::Checkpoint> stored = deps_.ledger->GetCheckpoint(size);
             stored.ok()) {
    checkpoint = *std::move(stored);
  }
  v1::Receipt receipt =
      receipts::NewReceipt(v1::RECEIPT_KIND_AUDIT_QUERY, caller, "", *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  receipt.set_detail(absl::StrCat("GetInclusionProof leaf ", request.leaf_index(), " size ", size));
  WAMS_RETURN_IF_ERROR(Record(receipt));
  WAMS_ASSIGN_OR_RETURN(v1::InclusionProof proof,
                        deps_.ledger->GetInclusionProof(request.leaf_index(), size));
  if (checkpoint.has_value()) {
    // A partner may not call GetCheckpoint: the proof brings its own root.
    *proof.mutable_checkpoint() = *std::move(checkpoint);
    WithCosignatures(*proof.mutable_checkpoint());
  }
  return proof;
}

absl::StatusOr<v1::ReceiptView> AuditCore::GetReceipt(const identity::Caller& caller,
                                                      const v1::GetReceiptRequest& request) const {
  // The municipality owns the cases, so it may know the facts a receipt of
  // its own holds; another party may prove its receipt (GetInclusionProof)
  // but not read what the log recorded about the case.
  const bool municipality =
      caller.party != nullptr && caller.party->role() == v1::PARTY_ROLE_MUNICIPALITY;
  WAMS_RETURN_IF_ERROR(Authorize(
      caller, IsAuditor(caller) || (municipality && IsPartyTo(caller, request.leaf_index())),
      "GetReceipt"));
  v1::Receipt query = receipts::NewReceipt(v1::RECEIPT_KIND_AUDIT_QUERY, caller, "", *deps_.clock);
  query.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  query.set_detail(absl::StrCat("GetReceipt leaf ", request.leaf_index()));
  WAMS_RETURN_IF_ERROR(Record(query));
  v1::ReceiptView view;
  WAMS_ASSIGN_OR_RETURN(*view.mutable_signed_receipt(),
                        deps_.ledger->GetReceipt(request.leaf_index()));
  if (!view.mutable_receipt()->ParseFromString(view.signed_receipt().receipt_bytes())) {
    return absl::DataLossError(
        absl::StrCat("receipt ", request.leaf_index(), ": its bytes do not parse"));
  }
  *view.mutable_decision() = policy::DecisionAsReceipted(view.receipt());
  return view;
}

absl::StatusOr<v1::ConsistencyProof> AuditCore::GetConsistencyProof(
    const identity::Caller& caller, const v1::GetConsistencyProofRequest& request) const {
  WAMS_RETURN_IF_ERROR(Authorize(caller, IsAuditor(caller), "GetConsistencyProof"));
  uint64_t new_size = request.new_size();
  if (new_size == 0) {
    WAMS_ASSIGN_OR_RETURN(v1::Checkpoint latest, Latest());
    new_size = latest.tree_size();
  }
  return deps_.ledger->GetConsistencyProof(request.old_size(), new_size);
}

absl::StatusOr<ExportPlan> AuditCore::BeginExport(const identity::Caller& caller,
                                                  const v1::ExportRequest& request) const {
  WAMS_RETURN_IF_ERROR(Authorize(caller, IsAuditor(caller), "Export"));
  v1::Receipt receipt =
      receipts::NewReceipt(v1::RECEIPT_KIND_AUDIT_QUERY, caller, "", *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  receipt.set_detail(absl::StrCat("Export from leaf ", request.from_index()));
  WAMS_RETURN_IF_ERROR(Record(receipt));
  ExportPlan plan;
  // By default a fresh checkpoint, so the export ends with (and proves) its
  // own receipt; or a stored one, which witnesses may have cosigned.
  WAMS_ASSIGN_OR_RETURN(plan.checkpoint, request.tree_size() == 0
                                             ? deps_.ledger->MakeCheckpoint()
                                             : deps_.ledger->GetCheckpoint(request.tree_size()));
  if (request.from_index() > plan.checkpoint.tree_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_index: past the checkpoint's size ", plan.checkpoint.tree_size()));
  }
  plan.from_index = request.from_index();
  plan.keys = deps_.ledger->VerifierKeyLines();
  WithCosignatures(plan.checkpoint);
  return plan;
}

absl::StatusOr<v1::SignedReceipt> AuditCore::ReadReceipt(uint64_t leaf_index) const {
  return deps_.ledger->GetReceipt(leaf_index);
}

absl::StatusOr<v1::AddCosignatureResponse> AuditCore::AddCosignature(
    const identity::Caller& caller, const v1::AddCosignatureRequest& request) const {
  WAMS_RETURN_IF_ERROR(Authorize(caller, IsAuditor(caller), "AddCosignature"));
  WAMS_ASSIGN_OR_RETURN(std::string name, SignatureLineName(request.cosignature_line()));
  auto witness = std::find_if(witnesses_.begin(), witnesses_.end(),
                              [&](const ledger::CosignatureVerifier& w) { return w.name == name; });
  if (witness == witnesses_.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("cosignature_line: ", name, " is not a configured witness"));
  }
  WAMS_ASSIGN_OR_RETURN(v1::Checkpoint checkpoint,
                        deps_.ledger->GetCheckpoint(request.tree_size()));
  WAMS_ASSIGN_OR_RETURN(ledger::ParsedNote note, ledger::ParseNote(checkpoint.note()));
  absl::Status verified = ledger::VerifyCosignatureLine(request.cosignature_line(), witness->name,
                                                        witness->key, note.text);
  if (!verified.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("cosignature_line: does not verify for checkpoint ", request.tree_size(), ": ",
                     verified.message()));
  }
  WAMS_RETURN_IF_ERROR(ledger::store::StoreCosignature(*deps_.storage, request.tree_size(),
                                                       witness->name, request.cosignature_line()));
  return v1::AddCosignatureResponse();
}

absl::StatusOr<v1::DisclosureResponse> AuditCore::GetDisclosureOverview(
    const identity::Caller& caller, const v1::DisclosureRequest& request) const {
  WAMS_RETURN_IF_ERROR(
      Authorize(caller, IsAuditor(caller) || IsPrivacyOfficer(caller), "GetDisclosureOverview"));
  WAMS_ASSIGN_OR_RETURN(base::Bsn bsn, base::ParseBsn(request.subject_bsn(), "subject_bsn"));
  WAMS_ASSIGN_OR_RETURN(DisclosureToken token, ParseDisclosureToken(request.page_token()));
  ledger::store::IndexQuery query;
  query.index = ledger::store::IndexKind::kSubject;
  WAMS_RETURN_IF_ERROR(SetSubjectKeys(bsn, query));
  query.page_size = PageSize(request.page_size());
  query.page_token = token.index_token;
  v1::Receipt receipt =
      receipts::NewReceipt(v1::RECEIPT_KIND_AUDIT_QUERY, caller, "", *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  receipt.set_subject_pseudonym(query.key);
  receipt.set_detail(token.index_token.empty() ? "GetDisclosureOverview"
                                               : "GetDisclosureOverview, a further page");
  WAMS_RETURN_IF_ERROR(Record(receipt));

  WAMS_ASSIGN_OR_RETURN(ledger::store::QueryPage page, deps_.ledger->Query(query));
  DisclosurePage disclosure;
  WAMS_ASSIGN_OR_RETURN(disclosure.receipts, ParsePage(page));
  disclosure.first = token.index_token.empty();
  disclosure.last = page.next_page_token.empty();
  disclosure.first_number = token.entries_before + 1;
  if (!page.next_page_token.empty()) {
    // Answers to this page's last decisions may be on the next page.
    ledger::store::IndexQuery lookahead = query;
    lookahead.page_token = page.next_page_token;
    lookahead.page_size = kAnswerWindow;
    WAMS_ASSIGN_OR_RETURN(ledger::store::QueryPage next, deps_.ledger->Query(lookahead));
    WAMS_ASSIGN_OR_RETURN(disclosure.lookahead, ParsePage(next));
  }
  v1::DisclosureResponse response = BuildDisclosurePage(disclosure, *deps_.registry, withholding_,
                                                        deps_.clock->Now(), request.language());
  if (!page.next_page_token.empty()) {
    response.set_next_page_token(
        absl::StrCat(page.next_page_token, ".", token.entries_before + response.entries_size()));
  }
  return response;
}

}  // namespace wams::audit
