#include "broker/conference/conference_manager.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/request_binding.h"
#include "broker/base/status_details.h"
#include "broker/base/status_macros.h"
#include "broker/base/uuid.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/receipts/receipt_builder.h"
#include "policy/decision_view.h"
#include "policy/refusal_code.h"

namespace wams::conference {
namespace {

using identity::Caller;

constexpr size_t kMaxIdBytes = 128;
// Decisions are receipted and returned; the API has no language field here.
constexpr v1::Language kLanguage = v1::LANGUAGE_ENGLISH;

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status RequireId(absl::string_view value, absl::string_view field) {
  if (value.empty()) return Invalid(field, "required");
  if (value.size() > kMaxIdBytes) return Invalid(field, "longer than 128 bytes");
  return absl::OkStatus();
}

absl::Status RequireText(absl::string_view value, absl::string_view field, size_t max_bytes,
                         absl::string_view why = "") {
  if (value.empty()) return Invalid(field, absl::StrCat("required", why));
  if (value.size() > max_bytes)
    return Invalid(field, absl::StrCat("longer than ", max_bytes, " bytes"));
  return absl::OkStatus();
}

std::string PrimaryPseudonym(const v1::Case& c) {
  for (const v1::CaseClient& client : c.clients()) {
    if (client.primary()) return client.subject_pseudonym();
  }
  return "";
}

bool IsParticipant(const v1::Conference& conference, absl::string_view oin) {
  if (oin.empty()) return false;
  if (conference.convener_oin() == oin) return true;
  return std::any_of(conference.invitations().begin(), conference.invitations().end(),
                     [oin](const v1::Invitation& inv) { return inv.party_oin() == oin; });
}

template <typename Container>
bool Contains(const Container& values, absl::string_view value) {
  return std::any_of(values.begin(), values.end(),
                     [value](const std::string& v) { return v == value; });
}

// The digest binding a request id to its request. Plain SHA-256: conference
// requests name no BSN (receipts already hold SHA-256 of their texts and
// content), unlike data requests and case openings, whose digests are keyed.
std::string RequestDigest(absl::string_view kind, const Caller& caller,
                          const google::protobuf::MessageLite& request) {
  return ledger::Sha256Bytes(
      base::RequestBindingText(kind, caller.party->oin(), caller.professional_id, request));
}

void CopyDecision(const v1::Decision& decision, v1::Receipt& receipt) {
  receipt.mutable_failed_rule_ids()->CopyFrom(decision.failed_rule_ids());
  receipt.set_policy_version(decision.policy_version());
}

// The companion writing `changed` (none when null) with its receipt. Append
// blocks until the commit, so the conference outlives the companion.
ledger::store::Ledger::Companion RecordsOf(const v1::Conference* changed) {
  return [changed](const v1::SignedReceipt&) {
    storage::WriteBatch records;
    if (changed != nullptr) records.Append(ConferenceStore::Record(*changed));
    return records;
  };
}

}  // namespace

absl::Mutex& ConferenceManager::LockFor(absl::string_view key) {
  return locks_[absl::Hash<absl::string_view>()(key) % kLockStripes];
}

v1::Receipt ConferenceManager::NewReceipt(const Caller& caller, const Context& context,
                                          v1::ReceiptOutcome outcome, std::string detail) const {
  v1::Receipt receipt = receipts::NewReceipt(v1::RECEIPT_KIND_CONFERENCE_EVENT, caller,
                                             context.case_id, *deps_.clock);
  receipt.set_outcome(outcome);
  receipt.set_purpose(v1::PURPOSE_CASE_CONFERENCE);
  receipt.set_subject_pseudonym(context.subject_pseudonym);
  receipt.set_request_id(context.request_id);
  // Receipts have no conference field: the detail leads with it, so an
  // auditor can follow one conference through the case index.
  receipt.set_detail(context.conference_id.empty()
                         ? std::move(detail)
                         : absl::StrCat("conference ", context.conference_id, ": ", detail));
  return receipt;
}

absl::Status ConferenceManager::Refuse(const Caller& caller, const Context& context,
                                       absl::Status status, const v1::Decision* decision,
                                       absl::string_view target_oin) {
  // Status messages name fields and ids, never a BSN or a free text, so they
  // may be receipted.
  v1::Receipt receipt =
      NewReceipt(caller, context, v1::RECEIPT_OUTCOME_REFUSED, std::string(status.message()));
  receipt.set_target_oin(std::string(target_oin));
  if (decision != nullptr) {
    CopyDecision(*decision, receipt);
    base::AttachDetail(status, *decision);
  }
  absl::StatusOr<v1::SignedReceipt> stored = deps_.ledger->Append(receipt);
  if (!stored.ok()) return stored.status();
  base::AttachDetail(status, *stored);
  return status;
}

absl::Status ConferenceManager::RefuseOutsider(const Caller& caller, const Context& context,
                                               const v1::Decision& decision,
                                               policy::RuleId role_rule) {
  const v1::Decision shown = policy::OutsiderView(decision, role_rule);
  absl::Status status = policy::RefusalStatus(shown);
  v1::Receipt receipt =
      NewReceipt(caller, context, v1::RECEIPT_OUTCOME_REFUSED, std::string(status.message()));
  CopyDecision(decision, receipt);
  absl::StatusOr<v1::SignedReceipt> stored = deps_.ledger->Append(receipt);
  if (!stored.ok()) return stored.status();
  base::AttachDetail(status, shown);
  v1::ReceiptReference reference;
  reference.set_leaf_index(stored->leaf_index());
  reference.set_receipt_id(receipt.receipt_id());
  base::AttachDetail(status, reference);
  return status;
}

absl::StatusOr<ConferenceManager::Loaded> ConferenceManager::Load(const Caller& caller,
                                                                  const std::string& conference_id,
                                                                  Context& context) {
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::Conference> conference, deps_.store->Get(conference_id));
  if (!conference.has_value()) {
    return Refuse(
        caller, context,
        absl::NotFoundError(absl::StrCat("conference_id: no conference ", conference_id)));
  }
  context.case_id = conference->case_id();
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::Case> found,
                        deps_.cases->Snapshot(conference->case_id(), ""));
  if (!found.has_value()) {
    return Refuse(
        caller, context,
        absl::NotFoundError(absl::StrCat("case ", conference->case_id(), " of conference ",
                                         conference_id, " no longer exists")));
  }
  context.subject_pseudonym = PrimaryPseudonym(*found);
  return Loaded{*std::move(conference), *std::move(found)};
}

absl::StatusOr<v1::ConferenceResponse> ConferenceManager::Convene(
    const Caller& caller, const v1::ConveneRequest& request) {
  Context context;
  context.case_id = request.case_id();
  context.request_id = request.request_id();
  absl::Status valid = RequireId(request.request_id(), "request_id");
  if (valid.ok()) valid = RequireId(request.case_id(), "case_id");
  if (valid.ok()) {
    valid = RequireText(request.subject(), "subject", options_.max_text_bytes,
                        " (what the conference is about)");
  }
  if (!valid.ok()) return Refuse(caller, context, valid);

  const std::string key =
      ConferenceStore::RequestKey("convene", caller.party->oin(), request.request_id());
  const std::string digest = RequestDigest("conference-convene", caller, request);
  absl::MutexLock lock(&LockFor(key));
  // A retry of the same request (same content, same professional) returns
  // the conference as it is now, with the first receipt; nothing else does.
  WAMS_ASSIGN_OR_RETURN(std::optional<base::BoundValue> remembered, deps_.store->Recall(key));
  if (remembered.has_value()) {
    if (std::optional<base::Reuse> reuse = base::ReuseOf(*remembered, digest)) {
      return Refuse(caller, context, base::ReusedRequestId(*reuse));
    }
    v1::ConferenceResponse first;
    if (!first.ParseFromString(remembered->value)) {
      return absl::DataLossError(
          absl::StrCat("request_id ", request.request_id(), ": stored outcome does not parse"));
    }
    WAMS_ASSIGN_OR_RETURN(std::optional<v1::Conference> now,
                          deps_.store->Get(first.conference().conference_id()));
    if (now.has_value()) *first.mutable_conference() = *std::move(now);
    return first;
  }

  WAMS_ASSIGN_OR_RETURN(std::optional<v1::Case> found,
                        deps_.cases->Snapshot(request.case_id(), ""));
  if (!policy::MayKnowCaseFacts(found.has_value() ? &*found : nullptr, caller.party)) {
    // Whether the case exists, is open or in which phase is not this
    // party's to learn; the receipt keeps the full decision.
    if (found.has_value()) context.subject_pseudonym = PrimaryPseudonym(*found);
    return RefuseOutsider(caller, context,
                          deps_.policy->DecideConvene({.case_snapshot = found.value_or(v1::Case()),
                                                       .requester = caller.party,
                                                       .professional_id = caller.professional_id,
                                                       .language = kLanguage}),
                          policy::RuleId::kR22);
  }
  context.subject_pseudonym = PrimaryPseudonym(*found);
  v1::Decision decision = deps_.policy->DecideConvene({.case_snapshot = *found,
                                                       .requester = caller.party,
                                                       .professional_id = caller.professional_id,
                                                       .language = kLanguage});
  if (!decision.allowed()) {
    return Refuse(caller, context, policy::RefusalStatus(decision), &decision);
  }

  v1::Conference conference;
  conference.set_conference_id(base::NewUuidV7(deps_.clock->Now()));
  conference.set_case_id(request.case_id());
  conference.set_convener_oin(caller.party->oin());
  conference.set_subject(request.subject());
  if (request.has_scheduled_at()) *conference.mutable_scheduled_at() = request.scheduled_at();
  context.conference_id = conference.conference_id();

  v1::Receipt receipt =
      NewReceipt(caller, context, v1::RECEIPT_OUTCOME_GRANTED,
                 absl::StrCat("convened in ", v1::CasePhase_Name(found->phase()), " (R22)"));
  CopyDecision(decision, receipt);
  receipt.set_justification_sha256(ledger::Sha256Bytes(request.subject()));
  v1::ConferenceResponse response;
  *response.mutable_conference() = std::move(conference);
  // The conference and what a retry gets, in the receipt's batch.
  WAMS_ASSIGN_OR_RETURN(*response.mutable_receipt(),
                        deps_.ledger->Append(receipt, [&](const v1::SignedReceipt& stored) {
                          v1::ConferenceResponse first = response;
                          *first.mutable_receipt() = stored;
                          storage::WriteBatch records =
                              ConferenceStore::Record(response.conference());
                          records.Append(ConferenceStore::RememberedRecord(key, digest, first));
                          return records;
                        }));
  return response;
}

absl::StatusOr<v1::ConferenceResponse> ConferenceManager::Invite(const Caller& caller,
                                                                 const v1::InviteRequest& request) {
  const v1::Invitation& invitation = request.invitation();
  Context context;
  context.conference_id = request.conference_id();
  absl::Status valid = RequireId(request.conference_id(), "conference_id");
  if (valid.ok()) valid = RequireId(invitation.party_oin(), "invitation.party_oin");
  // No necessity reason is the policy's to refuse (R23), citing it.
  if (valid.ok() && invitation.necessity_reason().size() > options_.max_text_bytes) {
    valid = Invalid("invitation.necessity_reason",
                    absl::StrCat("longer than ", options_.max_text_bytes, " bytes"));
  }
  if (!valid.ok()) return Refuse(caller, context, valid, nullptr, invitation.party_oin());

  absl::MutexLock lock(&LockFor(request.conference_id()));
  WAMS_ASSIGN_OR_RETURN(Loaded loaded, Load(caller, request.conference_id(), context));
  v1::Conference& conference = loaded.conference;
  const v1::Party* invitee = deps_.registry->Find(invitation.party_oin());
  if (invitee == nullptr) {
    return Refuse(caller, context,
                  Invalid("invitation.party_oin",
                          absl::StrCat(invitation.party_oin(), " is not a configured party")),
                  nullptr, invitation.party_oin());
  }
  v1::Decision decision = deps_.policy->DecideInvite({.case_snapshot = loaded.case_record,
                                                      .conference = conference,
                                                      .requester = caller.party,
                                                      .professional_id = caller.professional_id,
                                                      .invitation = invitation,
                                                      .invitee = invitee,
                                                      .language = kLanguage});
  if (!decision.allowed()) {
    return Refuse(caller, context, policy::RefusalStatus(decision), &decision,
                  invitation.party_oin());
  }
  // Inviting oneself is a mistake, not a rule's refusal: no Decision, and
  // never the allowing one.
  if (invitation.party_oin() == conference.convener_oin()) {
    return Refuse(caller, context,
                  Invalid("invitation.party_oin", "the convener takes part already"), nullptr,
                  invitation.party_oin());
  }

  std::string detail = absl::StrCat(invitee->name(), " invited (R23)");
  auto existing = std::find_if(
      conference.invitations().begin(), conference.invitations().end(),
      [&](const v1::Invitation& inv) { return inv.party_oin() == invitation.party_oin(); });
  const bool already = existing != conference.invitations().end();
  if (already) {
    if (existing->necessity_reason() != invitation.necessity_reason()) {
      return Refuse(caller, context,
                    absl::AlreadyExistsError(
                        absl::StrCat("invitation.party_oin: ", invitation.party_oin(),
                                     " is invited already, with another necessity reason")),
                    &decision, invitation.party_oin());
    }
    detail = absl::StrCat(invitee->name(), " was invited already (R23)");
  } else {
    *conference.add_invitations() = invitation;
  }

  v1::Receipt receipt = NewReceipt(caller, context, v1::RECEIPT_OUTCOME_GRANTED, detail);
  CopyDecision(decision, receipt);
  receipt.set_target_oin(invitation.party_oin());
  receipt.set_justification_sha256(ledger::Sha256Bytes(invitation.necessity_reason()));
  WAMS_ASSIGN_OR_RETURN(v1::SignedReceipt stored,
                        deps_.ledger->Append(receipt, RecordsOf(already ? nullptr : &conference)));
  v1::ConferenceResponse response;
  *response.mutable_conference() = std::move(conference);
  *response.mutable_receipt() = std::move(stored);
  return response;
}

absl::StatusOr<v1::ConferenceResponse> ConferenceManager::SetClientInvitation(
    const Caller& caller, const v1::SetClientInvitationRequest& request) {
  Context context;
  context.conference_id = request.conference_id();
  absl::Status valid = RequireId(request.conference_id(), "conference_id");
  // Not inviting the client without weighty interests is the policy's to
  // refuse (R23), citing it.
  if (valid.ok() && request.weighty_interests().size() > options_.max_text_bytes) {
    valid = Invalid("weighty_interests",
                    absl::StrCat("longer than ", options_.max_text_bytes, " bytes"));
  }
  if (valid.ok() && request.invited() && !request.weighty_interests().empty()) {
    valid = Invalid("weighty_interests", "must be empty when the client is invited");
  }
  if (!valid.ok()) return Refuse(caller, context, valid);

  absl::MutexLock lock(&LockFor(request.conference_id()));
  WAMS_ASSIGN_OR_RETURN(Loaded loaded, Load(caller, request.conference_id(), context));
  v1::Conference& conference = loaded.conference;
  v1::Decision decision =
      deps_.policy->DecideClientInvitation({.case_snapshot = loaded.case_record,
                                            .conference = conference,
                                            .requester = caller.party,
                                            .professional_id = caller.professional_id,
                                            .invited = request.invited(),
                                            .weighty_interests = request.weighty_interests(),
                                            .language = kLanguage});
  if (!decision.allowed()) {
    return Refuse(caller, context, policy::RefusalStatus(decision), &decision);
  }
  conference.set_client_invited(request.invited());
  conference.set_client_not_invited_reason(request.weighty_interests());

  v1::Receipt receipt =
      NewReceipt(caller, context, v1::RECEIPT_OUTCOME_GRANTED,
                 request.invited() ? "client invited (R23)"
                                   : "client not invited: weighty interests recorded (R23)");
  CopyDecision(decision, receipt);
  if (!request.invited()) {
    receipt.set_justification_sha256(ledger::Sha256Bytes(request.weighty_interests()));
  }
  WAMS_ASSIGN_OR_RETURN(v1::SignedReceipt stored,
                        deps_.ledger->Append(receipt, RecordsOf(&conference)));
  v1::ConferenceResponse response;
  *response.mutable_conference() = std::move(conference);
  *response.mutable_receipt() = std::move(stored);
  return response;
}

absl::StatusOr<v1::ShareItemResponse> ConferenceManager::ShareItem(
    const Caller& caller, const v1::ShareItemRequest& request) {
  const v1::ConferenceItem& item = request.item();
  Context context;
  context.conference_id = request.conference_id();
  context.request_id = request.request_id();
  absl::Status valid = [&]() -> absl::Status {
    WAMS_RETURN_IF_ERROR(RequireId(request.request_id(), "request_id"));
    WAMS_RETURN_IF_ERROR(RequireId(request.conference_id(), "conference_id"));
    WAMS_RETURN_IF_ERROR(RequireText(item.title(), "item.title", options_.max_text_bytes));
    WAMS_RETURN_IF_ERROR(RequireText(item.content(), "item.content", options_.max_item_bytes));
    if (item.content_type().size() > options_.max_text_bytes) {
      return Invalid("item.content_type", "too long");
    }
    // No audience is the policy's to refuse (R25: minutes on measure).
    if (item.audience_oins_size() > options_.max_audience) {
      return Invalid("item.audience_oins", absl::StrCat("at most ", options_.max_audience));
    }
    for (int i = 0; i < item.audience_oins_size(); ++i) {
      const std::string field = absl::StrCat("item.audience_oins[", i, "]");
      WAMS_RETURN_IF_ERROR(RequireId(item.audience_oins(i), field));
      if (std::count(item.audience_oins().begin(), item.audience_oins().end(),
                     item.audience_oins(i)) > 1) {
        return Invalid(field, "named twice");
      }
    }
    if (item.categories_size() > options_.max_categories) {
      // The configured per-request limit, as for data requests.
      return absl::ResourceExhaustedError(absl::StrCat(
          "item.categories: at most ", options_.max_categories, " (limits.max_categories)"));
    }
    for (int i = 0; i < item.categories_size(); ++i) {
      const std::string field = absl::StrCat("item.categories[", i, "]");
      if (item.categories(i).empty()) return Invalid(field, "empty");
      if (!deps_.policy->catalogue().Knows(item.categories(i))) {
        return Invalid(field, absl::StrCat("\"", item.categories(i), "\" is in no catalogue"));
      }
      // One the supplier does not offer is the policy's to refuse (R06).
    }
    for (int i = 0; i < item.onward_use_assented_oins_size(); ++i) {
      WAMS_RETURN_IF_ERROR(RequireId(item.onward_use_assented_oins(i),
                                     absl::StrCat("item.onward_use_assented_oins[", i, "]")));
      // One outside the audience is the policy's to refuse (R26).
    }
    return absl::OkStatus();
  }();
  if (!valid.ok()) return Refuse(caller, context, valid);

  absl::MutexLock lock(&LockFor(request.conference_id()));
  const std::string key =
      ConferenceStore::RequestKey("share", caller.party->oin(), request.request_id());
  const std::string digest = RequestDigest("conference-share", caller, request);
  WAMS_ASSIGN_OR_RETURN(std::optional<base::BoundValue> remembered, deps_.store->Recall(key));
  if (remembered.has_value()) {
    // Only the same item, shared by the same professional, is a retry.
    if (std::optional<base::Reuse> reuse = base::ReuseOf(*remembered, digest)) {
      return Refuse(caller, context, base::ReusedRequestId(*reuse));
    }
    v1::ShareItemResponse first;
    if (!first.ParseFromString(remembered->value)) {
      return absl::DataLossError(
          absl::StrCat("request_id ", request.request_id(), ": stored outcome does not parse"));
    }
    WAMS_ASSIGN_OR_RETURN(std::optional<v1::ConferenceItem> shared,
                          deps_.store->GetItem(request.conference_id(), first.item_id()));
    if (shared.has_value()) return first;
    // Remembered under another conference (the lock and key are per
    // conference and per caller): the caller reused a request id.
    return Refuse(caller, context, Invalid("request_id", "already used for another item"));
  }

  WAMS_ASSIGN_OR_RETURN(Loaded loaded, Load(caller, request.conference_id(), context));
  v1::Decision decision =
      // The case as stored: its consents are matched on the primary client's
      // pseudonym (policy::SubjectKey); the broker holds no BSN to match on.
      deps_.policy->DecideShareItem({.case_snapshot = loaded.case_record,
                                     .conference = loaded.conference,
                                     .supplier = caller.party,
                                     .professional_id = caller.professional_id,
                                     .item = item,
                                     .language = kLanguage});
  if (!decision.allowed() && !IsParticipant(loaded.conference, caller.party->oin()) &&
      !policy::MayKnowCaseFacts(&loaded.case_record, caller.party)) {
    // A party outside the conference learns nothing of the case (its state,
    // the client's consents for it) from the refusal.
    return RefuseOutsider(caller, context, decision, policy::RuleId::kR25);
  }
  if (!decision.allowed()) {
    return Refuse(caller, context, policy::RefusalStatus(decision), &decision);
  }

  v1::ConferenceItem stored_item = item;
  stored_item.set_item_id(base::NewUuidV7(deps_.clock->Now()));
  stored_item.set_supplier_oin(caller.party->oin());
  v1::Receipt receipt =
      NewReceipt(caller, context, v1::RECEIPT_OUTCOME_GRANTED,
                 absl::StrCat("item ", stored_item.item_id(), " shared with ",
                              absl::StrJoin(item.audience_oins(), ", "), " (R24, R25)"));
  CopyDecision(decision, receipt);
  // One addressee is the target; a wider audience is named in the detail.
  if (item.audience_oins_size() == 1) receipt.set_target_oin(item.audience_oins(0));
  *receipt.mutable_categories() = item.categories();
  *receipt.mutable_obligations() = decision.obligations();
  *receipt.mutable_consent_basis() = decision.consent_basis();
  receipt.set_payload_sha256(ledger::Sha256Bytes(item.content()));
  v1::ShareItemResponse response;
  response.set_item_id(stored_item.item_id());
  *response.mutable_decision() = std::move(decision);
  // The item and what a retry gets, in the receipt's batch.
  WAMS_ASSIGN_OR_RETURN(*response.mutable_receipt(),
                        deps_.ledger->Append(receipt, [&](const v1::SignedReceipt& stored) {
                          v1::ShareItemResponse first = response;
                          *first.mutable_receipt() = stored;
                          storage::WriteBatch records =
                              ConferenceStore::ItemRecord(request.conference_id(), stored_item);
                          records.Append(ConferenceStore::RememberedRecord(key, digest, first));
                          return records;
                        }));
  return response;
}

absl::StatusOr<v1::FetchItemsResponse> ConferenceManager::FetchItems(
    const Caller& caller, const v1::FetchItemsRequest& request) {
  Context context;
  context.conference_id = request.conference_id();
  if (absl::Status valid = RequireId(request.conference_id(), "conference_id"); !valid.ok()) {
    return Refuse(caller, context, valid);
  }
  WAMS_ASSIGN_OR_RETURN(Loaded loaded, Load(caller, request.conference_id(), context));
  const std::string& oin = caller.party->oin();
  v1::Decision decision = deps_.policy->DecideFetchItems({.case_snapshot = loaded.case_record,
                                                          .conference = loaded.conference,
                                                          .requester = caller.party,
                                                          .professional_id = caller.professional_id,
                                                          .language = kLanguage});
  if (!decision.allowed() && !IsParticipant(loaded.conference, oin) &&
      !policy::MayKnowCaseFacts(&loaded.case_record, caller.party)) {
    // Whether the case is still open is not a non-participant's to learn.
    return RefuseOutsider(caller, context, decision, policy::RuleId::kR25);
  }
  if (!decision.allowed()) {
    return Refuse(caller, context, policy::RefusalStatus(decision), &decision);
  }

  WAMS_ASSIGN_OR_RETURN(std::vector<v1::ConferenceItem> items,
                        deps_.store->ListItems(request.conference_id()));
  v1::FetchItemsResponse response;
  std::set<std::string> categories;
  std::vector<std::string> ids;
  std::string content_hashes;
  for (v1::ConferenceItem& item : items) {
    if (!Contains(item.audience_oins(), oin)) continue;
    categories.insert(item.categories().begin(), item.categories().end());
    ids.push_back(item.item_id());
    content_hashes += ledger::Sha256Bytes(item.content());
    *response.add_items() = std::move(item);
  }
  v1::Receipt receipt =
      NewReceipt(caller, context, v1::RECEIPT_OUTCOME_GRANTED,
                 absl::StrCat(ids.size(), " item(s) fetched (R25)",
                              ids.empty() ? "" : absl::StrCat(": ", absl::StrJoin(ids, ", "))));
  for (const std::string& category : categories) receipt.add_categories(category);
  if (!ids.empty()) receipt.set_payload_sha256(ledger::Sha256Bytes(content_hashes));
  WAMS_ASSIGN_OR_RETURN(*response.mutable_receipt(), deps_.ledger->Append(receipt));
  return response;
}

absl::StatusOr<v1::OnwardUseResponse> ConferenceManager::AssentOnwardUse(
    const Caller& caller, const v1::AssentOnwardUseRequest& request) {
  Context context;
  context.conference_id = request.conference_id();
  absl::Status valid = RequireId(request.conference_id(), "conference_id");
  if (valid.ok()) valid = RequireId(request.item_id(), "item_id");
  if (valid.ok()) valid = RequireId(request.party_oin(), "party_oin");
  if (!valid.ok()) return Refuse(caller, context, valid, nullptr, request.party_oin());

  absl::MutexLock lock(&LockFor(request.conference_id()));
  WAMS_ASSIGN_OR_RETURN(Loaded loaded, Load(caller, request.conference_id(), context));
  (void)loaded;  // loaded for the receipt's case and subject
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::ConferenceItem> item,
                        deps_.store->GetItem(request.conference_id(), request.item_id()));
  if (!item.has_value()) {
    return Refuse(caller, context,
                  absl::NotFoundError(absl::StrCat("item_id: no item ", request.item_id(),
                                                   " in conference ", request.conference_id())),
                  nullptr, request.party_oin());
  }
  v1::Decision decision =
      deps_.policy->DecideAssentOnwardUse({.item = *item,
                                           .requester = caller.party,
                                           .professional_id = caller.professional_id,
                                           .party_oin = request.party_oin(),
                                           .language = kLanguage});
  if (!decision.allowed()) {
    return Refuse(caller, context, policy::RefusalStatus(decision), &decision, request.party_oin());
  }

  const bool already = Contains(item->onward_use_assented_oins(), request.party_oin());
  if (!already) item->add_onward_use_assented_oins(request.party_oin());
  v1::Receipt receipt = NewReceipt(
      caller, context, v1::RECEIPT_OUTCOME_GRANTED,
      absl::StrCat("supplier assents to onward use of item ", request.item_id(), " by ",
                   request.party_oin(), already ? " (on record already)" : "", " (R26)"));
  CopyDecision(decision, receipt);
  receipt.set_target_oin(request.party_oin());
  *receipt.mutable_categories() = item->categories();
  v1::OnwardUseResponse response;
  WAMS_ASSIGN_OR_RETURN(
      *response.mutable_receipt(), deps_.ledger->Append(receipt, [&](const v1::SignedReceipt&) {
        storage::WriteBatch records;
        if (!already) records.Append(ConferenceStore::ItemRecord(request.conference_id(), *item));
        return records;
      }));
  response.set_allowed(true);
  *response.mutable_decision() = std::move(decision);
  return response;
}

absl::StatusOr<v1::OnwardUseResponse> ConferenceManager::RequestOnwardUse(
    const Caller& caller, const v1::RequestOnwardUseRequest& request) {
  Context context;
  context.conference_id = request.conference_id();
  absl::Status valid = RequireId(request.conference_id(), "conference_id");
  if (valid.ok()) valid = RequireId(request.item_id(), "item_id");
  if (!valid.ok()) return Refuse(caller, context, valid);

  WAMS_ASSIGN_OR_RETURN(Loaded loaded, Load(caller, request.conference_id(), context));
  (void)loaded;  // loaded for the receipt's case and subject
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::ConferenceItem> item,
                        deps_.store->GetItem(request.conference_id(), request.item_id()));
  if (!item.has_value()) {
    return Refuse(caller, context,
                  absl::NotFoundError(absl::StrCat("item_id: no item ", request.item_id(),
                                                   " in conference ", request.conference_id())));
  }
  v1::Decision decision = deps_.policy->DecideOnwardUse({.item = *item,
                                                         .requester = caller.party,
                                                         .professional_id = caller.professional_id,
                                                         .language = kLanguage});
  if (!decision.allowed()) {
    // A refusal like every other: the code, the decision and the receipt.
    return Refuse(caller, context, policy::RefusalStatus(decision), &decision,
                  item->supplier_oin());
  }
  v1::Receipt receipt =
      NewReceipt(caller, context, v1::RECEIPT_OUTCOME_GRANTED,
                 absl::StrCat("onward use of item ", request.item_id(), " allowed (R26)"));
  CopyDecision(decision, receipt);
  receipt.set_target_oin(item->supplier_oin());
  *receipt.mutable_categories() = item->categories();
  v1::OnwardUseResponse response;
  WAMS_ASSIGN_OR_RETURN(*response.mutable_receipt(), deps_.ledger->Append(receipt));
  response.set_allowed(true);
  *response.mutable_decision() = std::move(decision);
  return response;
}

}  // namespace wams::conference
