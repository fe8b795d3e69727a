// Case conferences (R22 to R26) end to end: a real broker process over mTLS
// with real RocksDB; every refusal checked for its rule ID or field, every
// step for its receipt.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/call_result.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kCaseWorker[] = "wmo-consulent-12";
constexpr char kCoordinator[] = "regisseur-7";
constexpr char kProfessional[] = "professional-1";

constexpr char kSubject[] = "Overleg gezin: schoolverzuim en behandeling";
constexpr char kMinutes[] = "Afspraak: GGZ start ambulante begeleiding; school meldt verzuim.";

std::vector<std::string> FailedRules(const v1::Decision& decision) {
  return {decision.failed_rule_ids().begin(), decision.failed_rule_ids().end()};
}

bool HasObligation(const v1::Decision& decision, v1::ObligationKind kind) {
  for (const v1::Obligation& obligation : decision.obligations()) {
    if (obligation.kind() == kind) return true;
  }
  return false;
}

class ConferenceFlowTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path()); }

  static void Prepare(grpc::ClientContext* context, const std::string& professional_id) {
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (!professional_id.empty()) {
      context->AddMetadata("x-wams-professional-id", professional_id);
    }
  }

  // Calls `method` of the ConferenceService as `cert_name` / `professional_id`.
  template <typename Request, typename Response>
  CallResult Call(grpc::Status (v1::ConferenceService::Stub::*method)(grpc::ClientContext*,
                                                                      const Request&, Response*),
                  const Request& request, Response* response,
                  const std::string& cert_name = "municipality",
                  const std::string& professional_id = kCaseWorker) {
    grpc::ClientContext context;
    Prepare(&context, professional_id);
    std::unique_ptr<v1::ConferenceService::Stub> stub =
        v1::ConferenceService::NewStub(broker_.Channel(cert_name));
    return ResultOf(((*stub).*method)(&context, request, response));
  }

  v1::CaseResponse CaseCall(
      const std::function<grpc::Status(v1::CaseService::Stub&, grpc::ClientContext*,
                                       v1::CaseResponse*)>& call) {
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    v1::CaseResponse response;
    grpc::Status status =
        call(*v1::CaseService::NewStub(broker_.Channel("municipality")), &context, &response);
    EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
    return response;
  }

  // A client-initiated case for kClientBsn under Wmo and Jeugdwet (a duty to
  // coordinate, R12), in research.
  std::string OpenCase() {
    v1::OpenClientCaseRequest request;
    request.set_request_id(absl::StrCat("open-", ++next_id_));
    request.set_client_bsn(kClientBsn);
    request.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    request.add_social_laws(v1::SOCIAL_LAW_JEUGDWET);
    return CaseCall([&](v1::CaseService::Stub& stub, grpc::ClientContext* context,
                        v1::CaseResponse* response) {
             return stub.OpenClientCase(context, request, response);
           })
        .case_()
        .case_id();
  }

  v1::ConveneRequest NewConvene(const std::string& case_id) {
    v1::ConveneRequest request;
    request.set_request_id(absl::StrCat("convene-", ++next_id_));
    request.set_case_id(case_id);
    request.set_subject(kSubject);
    request.mutable_scheduled_at()->set_seconds(1767225600);
    return request;
  }

  // Convenes on `case_id` as the municipality's case worker; fails the test otherwise.
  v1::Conference Convene(const std::string& case_id) {
    v1::ConferenceResponse response;
    CallResult result = Call(&v1::ConferenceService::Stub::Convene, NewConvene(case_id), &response);
    EXPECT_TRUE(result.status.ok()) << result.status.error_message();
    return response.conference();
  }

  CallResult Invite(const std::string& conference_id, const std::string& party_oin,
                    const std::string& reason, v1::ConferenceResponse* response,
                    const std::string& cert_name = "municipality") {
    v1::InviteRequest request;
    request.set_conference_id(conference_id);
    request.mutable_invitation()->set_party_oin(party_oin);
    request.mutable_invitation()->set_necessity_reason(reason);
    return Call(&v1::ConferenceService::Stub::Invite, request, response, cert_name,
                cert_name == "municipality" ? kCaseWorker : kProfessional);
  }

  // A conference on a fresh case with GGZ and the school invited.
  v1::Conference ConferenceWithGgzAndSchool() {
    v1::Conference conference = Convene(OpenCase());
    v1::ConferenceResponse response;
    EXPECT_TRUE(Invite(conference.conference_id(), kGgzOin,
                       "Behandelt de client; nodig voor afstemming van de zorg.", &response)
                    .status.ok());
    EXPECT_TRUE(Invite(conference.conference_id(), kSchoolOin,
                       "Signaleert verzuim; nodig voor het onderwijsdeel van het plan.", &response)
                    .status.ok());
    return response.conference();
  }

  v1::ShareItemRequest NewShare(const std::string& conference_id,
                                const std::vector<std::string>& audience,
                                const std::vector<std::string>& categories = {}) {
    v1::ShareItemRequest request;
    request.set_request_id(absl::StrCat("share-", ++next_id_));
    request.set_conference_id(conference_id);
    v1::ConferenceItem* item = request.mutable_item();
    item->set_title("Afspraken");
    item->set_content(kMinutes);
    item->set_content_type("text/plain");
    for (const std::string& oin : audience) item->add_audience_oins(oin);
    for (const std::string& category : categories) item->add_categories(category);
    return request;
  }

  CallResult Share(const v1::ShareItemRequest& request, v1::ShareItemResponse* response,
                   const std::string& cert_name) {
    return Call(&v1::ConferenceService::Stub::ShareItem, request, response, cert_name,
                cert_name == "municipality" ? kCaseWorker : kProfessional);
  }

  CallResult Fetch(const std::string& conference_id, v1::FetchItemsResponse* response,
                   const std::string& cert_name) {
    v1::FetchItemsRequest request;
    request.set_conference_id(conference_id);
    return Call(&v1::ConferenceService::Stub::FetchItems, request, response, cert_name,
                cert_name == "municipality" ? kCaseWorker : kProfessional);
  }

  static std::vector<std::string> ItemIds(const v1::FetchItemsResponse& response) {
    std::vector<std::string> ids;
    for (const v1::ConferenceItem& item : response.items()) ids.push_back(item.item_id());
    return ids;
  }

  BrokerFixture broker_;
  int next_id_ = 0;
};

TEST_F(ConferenceFlowTest, MunicipalityConvenesInResearchAndEveryStepIsReceipted) {
  const std::string case_id = OpenCase();
  v1::ConferenceResponse convened;
  CallResult result = Call(&v1::ConferenceService::Stub::Convene, NewConvene(case_id), &convened);
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  const v1::Conference& conference = convened.conference();
  EXPECT_FALSE(conference.conference_id().empty());
  EXPECT_EQ(conference.case_id(), case_id);
  EXPECT_EQ(conference.convener_oin(), kMunicipalityOin);
  EXPECT_EQ(conference.subject(), kSubject);
  EXPECT_EQ(conference.scheduled_at().seconds(), 1767225600);
  EXPECT_FALSE(conference.client_invited());

  v1::Receipt receipt = Decode(convened.receipt());
  EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_CONFERENCE_EVENT);
  EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_GRANTED);
  EXPECT_EQ(receipt.case_id(), case_id);
  EXPECT_EQ(receipt.requester_oin(), kMunicipalityOin);
  EXPECT_EQ(receipt.professional_id(), kCaseWorker);
  EXPECT_EQ(receipt.purpose(), v1::PURPOSE_CASE_CONFERENCE);
  EXPECT_EQ(receipt.subject_pseudonym().size(), 32u);
  EXPECT_THAT(receipt.detail(), HasSubstr(conference.conference_id()));
  EXPECT_THAT(receipt.detail(), HasSubstr("R22"));
  // The subject is receipted as a hash, never as text.
  EXPECT_EQ(receipt.justification_sha256().size(), 32u);
  EXPECT_THAT(convened.receipt().receipt_bytes(), Not(HasSubstr(kSubject)));
  EXPECT_THAT(convened.receipt().receipt_bytes(), Not(HasSubstr(kClientBsn)));
  EXPECT_FALSE(receipt.policy_version().empty());
}

TEST_F(ConferenceFlowTest, ConveneRetryReturnsTheSameConferenceAndReceipt) {
  const v1::ConveneRequest request = NewConvene(OpenCase());
  v1::ConferenceResponse first;
  ASSERT_TRUE(Call(&v1::ConferenceService::Stub::Convene, request, &first).status.ok());
  v1::ConferenceResponse invited;
  ASSERT_TRUE(Invite(first.conference().conference_id(), kGgzOin, "Behandelt de client.", &invited)
                  .status.ok());

  v1::ConferenceResponse retry;
  ASSERT_TRUE(Call(&v1::ConferenceService::Stub::Convene, request, &retry).status.ok());
  EXPECT_EQ(retry.conference().conference_id(), first.conference().conference_id());
  EXPECT_EQ(retry.receipt().leaf_index(), first.receipt().leaf_index());
  // The conference as it is now, with the invitation made since.
  ASSERT_EQ(retry.conference().invitations_size(), 1);
  EXPECT_EQ(retry.conference().invitations(0).party_oin(), kGgzOin);

  v1::ConveneRequest reused = NewConvene(OpenCase());
  reused.set_request_id(request.request_id());
  v1::ConferenceResponse ignored;
  CallResult other = Call(&v1::ConferenceService::Stub::Convene, reused, &ignored);
  EXPECT_EQ(other.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(other.status.error_message(), HasSubstr("request_id"));
}

TEST_F(ConferenceFlowTest, ProviderMayNotConveneInResearch) {
  v1::ConferenceResponse response;
  CallResult result = Call(&v1::ConferenceService::Stub::Convene, NewConvene(OpenCase()), &response,
                           "ggz", kProfessional);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(result.decision), Contains("R22"));
  // GGZ is no party of the case: the receipt (the case's client pseudonym,
  // the full decision) is for auditors; GGZ gets where it is.
  EXPECT_TRUE(result.receipts.empty());
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(result.status.error_details()));
  v1::ReceiptReference reference;
  EXPECT_TRUE(
      std::any_of(details.details().begin(), details.details().end(),
                  [&](const google::protobuf::Any& any) { return any.UnpackTo(&reference); }));
  EXPECT_FALSE(reference.receipt_id().empty());
}

TEST_F(ConferenceFlowTest, ConveneRefusesUnknownCaseAndMissingSubject) {
  v1::ConferenceResponse response;
  // No case is answered as a case this party may not convene in (R22), so
  // case ids are no oracle; the refusal is receipted.
  CallResult unknown =
      Call(&v1::ConferenceService::Stub::Convene, NewConvene("no-such-case"), &response);
  EXPECT_EQ(unknown.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(unknown.decision), Contains("R22"));

  v1::ConveneRequest no_subject = NewConvene(OpenCase());
  no_subject.clear_subject();
  CallResult missing = Call(&v1::ConferenceService::Stub::Convene, no_subject, &response);
  EXPECT_EQ(missing.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(missing.status.error_message(), HasSubstr("subject"));
}

TEST_F(ConferenceFlowTest, InCoordinationOnlyTheDesignatedCoordinatorConvenes) {
  const std::string case_id = OpenCase();
  v1::StartCoordinationRequest start;
  start.set_case_id(case_id);
  start.mutable_coordination()->mutable_designated()->set_party_oin(kMunicipalityOin);
  start.mutable_coordination()->mutable_designated()->set_professional_id(kCoordinator);
  ASSERT_EQ(CaseCall([&](v1::CaseService::Stub& stub, grpc::ClientContext* context,
                         v1::CaseResponse* response) {
              return stub.StartCoordination(context, start, response);
            })
                .case_()
                .phase(),
            v1::CASE_PHASE_COORDINATION);

  v1::ConferenceResponse response;
  CallResult case_worker =
      Call(&v1::ConferenceService::Stub::Convene, NewConvene(case_id), &response);
  EXPECT_EQ(case_worker.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(case_worker.decision), ElementsAre("R22"));

  CallResult coordinator = Call(&v1::ConferenceService::Stub::Convene, NewConvene(case_id),
                                &response, "municipality", kCoordinator);
  ASSERT_TRUE(coordinator.status.ok()) << coordinator.status.error_message();
  EXPECT_EQ(Decode(response.receipt()).professional_id(), kCoordinator);
}

TEST_F(ConferenceFlowTest, InvitationsNeedTheConvenerAKnownPartyAndAReason) {
  v1::Conference conference = Convene(OpenCase());
  const std::string& id = conference.conference_id();
  v1::ConferenceResponse response;

  // No necessity reason is a refusal citing R23, in the answer and the receipt.
  CallResult no_reason = Invite(id, kGgzOin, "", &response);
  EXPECT_EQ(no_reason.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(no_reason.decision), ElementsAre("R23"));
  ASSERT_EQ(no_reason.receipts.size(), 1u);
  EXPECT_EQ(no_reason.receipts[0].target_oin(), kGgzOin);
  EXPECT_THAT(no_reason.receipts[0].failed_rule_ids(), ElementsAre("R23"));

  CallResult blank_reason = Invite(id, kGgzOin, "   ", &response);
  EXPECT_EQ(blank_reason.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(blank_reason.decision), ElementsAre("R23"));

  CallResult unknown = Invite(id, "00000009999999999000", "Reden.", &response);
  EXPECT_EQ(unknown.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(unknown.status.error_message(), HasSubstr("invitation.party_oin"));

  CallResult auditor = Invite(id, kAuditorOin, "Toezicht.", &response);
  EXPECT_EQ(auditor.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(auditor.decision), ElementsAre("R23"));

  ASSERT_TRUE(Invite(id, kGgzOin, "Behandelt de client.", &response).status.ok());
  v1::Receipt receipt = Decode(response.receipt());
  EXPECT_EQ(receipt.target_oin(), kGgzOin);
  EXPECT_EQ(receipt.justification_sha256().size(), 32u);
  ASSERT_EQ(response.conference().invitations_size(), 1);
  EXPECT_EQ(response.conference().invitations(0).necessity_reason(), "Behandelt de client.");

  // An invitee does not convene: it may not invite others.
  CallResult by_invitee = Invite(id, kSchoolOin, "Signaleert verzuim.", &response, "ggz");
  EXPECT_EQ(by_invitee.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(by_invitee.decision), Contains("R22"));

  // Same reason again: a no-op; another reason: refused.
  ASSERT_TRUE(Invite(id, kGgzOin, "Behandelt de client.", &response).status.ok());
  EXPECT_EQ(response.conference().invitations_size(), 1);
  CallResult changed = Invite(id, kGgzOin, "Andere reden.", &response);
  EXPECT_EQ(changed.status.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  CallResult missing = Invite("no-such-conference", kGgzOin, "Reden.", &response);
  EXPECT_EQ(missing.status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ConferenceFlowTest, NotInvitingTheClientNeedsTheWeightyInterestsStated) {
  v1::Conference conference = Convene(OpenCase());
  v1::SetClientInvitationRequest request;
  request.set_conference_id(conference.conference_id());
  request.set_invited(false);
  v1::ConferenceResponse response;

  CallResult no_reason =
      Call(&v1::ConferenceService::Stub::SetClientInvitation, request, &response);
  EXPECT_EQ(no_reason.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(no_reason.decision), ElementsAre("R23"));

  request.set_weighty_interests("Acuut veiligheidsrisico voor een gezinslid.");
  ASSERT_TRUE(
      Call(&v1::ConferenceService::Stub::SetClientInvitation, request, &response).status.ok());
  EXPECT_FALSE(response.conference().client_invited());
  EXPECT_EQ(response.conference().client_not_invited_reason(),
            "Acuut veiligheidsrisico voor een gezinslid.");
  EXPECT_EQ(Decode(response.receipt()).justification_sha256().size(), 32u);
  EXPECT_THAT(response.receipt().receipt_bytes(), Not(HasSubstr("veiligheidsrisico")));

  v1::SetClientInvitationRequest invite;
  invite.set_conference_id(conference.conference_id());
  invite.set_invited(true);
  ASSERT_TRUE(
      Call(&v1::ConferenceService::Stub::SetClientInvitation, invite, &response).status.ok());
  EXPECT_TRUE(response.conference().client_invited());
  EXPECT_TRUE(response.conference().client_not_invited_reason().empty());

  CallResult by_other = Call(&v1::ConferenceService::Stub::SetClientInvitation, invite, &response,
                             "ggz", kProfessional);
  EXPECT_EQ(by_other.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(by_other.decision), Contains("R22"));
}

TEST_F(ConferenceFlowTest, EachParticipantFetchesOnlyWhatIsAddressedToIt) {
  v1::Conference conference = ConferenceWithGgzAndSchool();
  const std::string& id = conference.conference_id();

  v1::ShareItemResponse for_ggz;
  ASSERT_TRUE(Share(NewShare(id, {kGgzOin}), &for_ggz, "municipality").status.ok());
  v1::ShareItemResponse for_ggz_and_municipality;
  CallResult school_share = Share(NewShare(id, {kGgzOin, kMunicipalityOin}, {"attendance"}),
                                  &for_ggz_and_municipality, "school");
  ASSERT_TRUE(school_share.status.ok()) << school_share.status.error_message();
  EXPECT_TRUE(for_ggz_and_municipality.decision().allowed());

  v1::Receipt share_receipt = Decode(for_ggz_and_municipality.receipt());
  EXPECT_EQ(share_receipt.requester_oin(), kSchoolOin);
  EXPECT_THAT(share_receipt.categories(), ElementsAre("attendance"));
  EXPECT_EQ(share_receipt.payload_sha256().size(), 32u);
  EXPECT_THAT(share_receipt.detail(), HasSubstr(for_ggz_and_municipality.item_id()));
  EXPECT_THAT(for_ggz_and_municipality.receipt().receipt_bytes(), Not(HasSubstr(kMinutes)));
  EXPECT_EQ(Decode(for_ggz.receipt()).target_oin(), kGgzOin);

  v1::FetchItemsResponse ggz;
  ASSERT_TRUE(Fetch(id, &ggz, "ggz").status.ok());
  EXPECT_THAT(ItemIds(ggz),
              UnorderedElementsAre(for_ggz.item_id(), for_ggz_and_municipality.item_id()));
  for (const v1::ConferenceItem& item : ggz.items()) EXPECT_EQ(item.content(), kMinutes);
  v1::Receipt fetch_receipt = Decode(ggz.receipt());
  EXPECT_EQ(fetch_receipt.requester_oin(), kGgzOin);
  EXPECT_EQ(fetch_receipt.outcome(), v1::RECEIPT_OUTCOME_GRANTED);
  EXPECT_THAT(fetch_receipt.categories(), ElementsAre("attendance"));
  EXPECT_EQ(fetch_receipt.payload_sha256().size(), 32u);

  v1::FetchItemsResponse municipality;
  ASSERT_TRUE(Fetch(id, &municipality, "municipality").status.ok());
  EXPECT_THAT(ItemIds(municipality), ElementsAre(for_ggz_and_municipality.item_id()));
  EXPECT_EQ(municipality.items(0).supplier_oin(), kSchoolOin);

  // The school supplied an item but is in no audience: nothing for it.
  v1::FetchItemsResponse school;
  ASSERT_TRUE(Fetch(id, &school, "school").status.ok());
  EXPECT_THAT(school.items(), IsEmpty());

  // A party that does not take part gets nothing at all.
  v1::FetchItemsResponse police;
  // It hears the outsider's view (R09, R25 with fixed messages) and where
  // the receipt is, not whether the case is still open.
  CallResult outsider = Fetch(id, &police, "police");
  EXPECT_EQ(outsider.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(outsider.decision), ElementsAre("R09", "R25"));
  EXPECT_TRUE(outsider.receipts.empty());
  EXPECT_EQ(outsider.references.size(), 1u);
}

TEST_F(ConferenceFlowTest, ShareRefusesAnAudienceOutsideTheConferenceAndNonParticipants) {
  v1::Conference conference = ConferenceWithGgzAndSchool();
  const std::string& id = conference.conference_id();
  v1::ShareItemResponse response;

  CallResult to_police = Share(NewShare(id, {kGgzOin, kPoliceOin}), &response, "municipality");
  EXPECT_EQ(to_police.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(to_police.decision), ElementsAre("R25"));
  ASSERT_EQ(to_police.receipts.size(), 1u);
  EXPECT_EQ(to_police.receipts[0].outcome(), v1::RECEIPT_OUTCOME_REFUSED);

  // The police take no part: they hear only that (R09, R25 with fixed
  // messages), nothing of the case or the client's consents.
  CallResult by_police = Share(NewShare(id, {kGgzOin}), &response, "police");
  EXPECT_EQ(by_police.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(by_police.decision), ElementsAre("R09", "R25"));
  EXPECT_THAT(by_police.decision.consent_basis(), IsEmpty());
  EXPECT_TRUE(by_police.receipts.empty());

  CallResult no_audience = Share(NewShare(id, {}), &response, "municipality");
  EXPECT_EQ(no_audience.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(no_audience.decision), ElementsAre("R25"));

  // A catalogue category GGZ does not offer: refused citing R06.
  CallResult foreign_category = Share(NewShare(id, {kGgzOin}, {"attendance"}), &response, "ggz");
  EXPECT_EQ(foreign_category.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(foreign_category.decision), ElementsAre("R06"));

  v1::FetchItemsResponse ggz;
  ASSERT_TRUE(Fetch(id, &ggz, "ggz").status.ok());
  EXPECT_THAT(ggz.items(), IsEmpty());
}

TEST_F(ConferenceFlowTest, CareSharesCarryGoodCareObligationUnlessTheClientConsented) {
  v1::Conference conference = ConferenceWithGgzAndSchool();
  const std::string& id = conference.conference_id();

  v1::ShareItemResponse without_consent;
  ASSERT_TRUE(
      Share(NewShare(id, {kSchoolOin}, {"treatment_status"}), &without_consent, "ggz").status.ok());
  EXPECT_TRUE(HasObligation(without_consent.decision(), v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT));
  ASSERT_EQ(without_consent.decision().consent_basis_size(), 1);
  EXPECT_FALSE(without_consent.decision().consent_basis(0).explicit_consent());
  EXPECT_EQ(Decode(without_consent.receipt()).obligations_size(),
            without_consent.decision().obligations_size());

  v1::RecordConsentRequest consent;
  consent.set_case_id(conference.case_id());
  consent.set_subject_bsn(kClientBsn);
  consent.set_provider_oin(kGgzOin);
  consent.add_categories("treatment_status");
  CaseCall(
      [&](v1::CaseService::Stub& stub, grpc::ClientContext* context, v1::CaseResponse* response) {
        return stub.RecordConsent(context, consent, response);
      });

  v1::ShareItemResponse with_consent;
  ASSERT_TRUE(
      Share(NewShare(id, {kSchoolOin}, {"treatment_status"}), &with_consent, "ggz").status.ok());
  EXPECT_FALSE(HasObligation(with_consent.decision(), v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT));
  ASSERT_EQ(with_consent.decision().consent_basis_size(), 1);
  EXPECT_TRUE(with_consent.decision().consent_basis(0).explicit_consent());
  EXPECT_FALSE(with_consent.decision().consent_basis(0).consent_id().empty());
}

TEST_F(ConferenceFlowTest, PoliceSharesCarryTheLegalBasisObligation) {
  v1::Conference conference = ConferenceWithGgzAndSchool();
  v1::ConferenceResponse invited;
  ASSERT_TRUE(Invite(conference.conference_id(), kPoliceOin, "Meldingen van overlast op het adres.",
                     &invited)
                  .status.ok());
  v1::ShareItemResponse response;
  ASSERT_TRUE(Share(NewShare(conference.conference_id(), {kMunicipalityOin}, {"police_contacts"}),
                    &response, "police")
                  .status.ok());
  EXPECT_TRUE(HasObligation(response.decision(), v1::OBLIGATION_KIND_LEGAL_BASIS));
}

TEST_F(ConferenceFlowTest, ShareRetryReturnsTheFirstItemOnce) {
  v1::Conference conference = ConferenceWithGgzAndSchool();
  const v1::ShareItemRequest request = NewShare(conference.conference_id(), {kGgzOin});
  v1::ShareItemResponse first;
  ASSERT_TRUE(Share(request, &first, "municipality").status.ok());
  v1::ShareItemResponse retry;
  ASSERT_TRUE(Share(request, &retry, "municipality").status.ok());
  EXPECT_EQ(retry.item_id(), first.item_id());
  EXPECT_EQ(retry.receipt().leaf_index(), first.receipt().leaf_index());

  v1::FetchItemsResponse ggz;
  ASSERT_TRUE(Fetch(conference.conference_id(), &ggz, "ggz").status.ok());
  EXPECT_THAT(ItemIds(ggz), ElementsAre(first.item_id()));
}

TEST_F(ConferenceFlowTest, OnwardUseNeedsTheSuppliersAssent) {
  v1::Conference conference = ConferenceWithGgzAndSchool();
  const std::string& id = conference.conference_id();
  v1::ShareItemResponse shared;
  ASSERT_TRUE(Share(NewShare(id, {kGgzOin, kMunicipalityOin}, {"attendance"}), &shared, "school")
                  .status.ok());

  v1::RequestOnwardUseRequest ask;
  ask.set_conference_id(id);
  ask.set_item_id(shared.item_id());
  v1::OnwardUseResponse answer;
  // Without assent: a refusal like every other, with the decision and receipt.
  CallResult no_assent =
      Call(&v1::ConferenceService::Stub::RequestOnwardUse, ask, &answer, "ggz", kProfessional);
  EXPECT_EQ(no_assent.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(no_assent.decision), ElementsAre("R26"));
  ASSERT_EQ(no_assent.receipts.size(), 1u);
  const v1::Receipt& refused = no_assent.receipts[0];
  EXPECT_EQ(refused.outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_EQ(refused.target_oin(), kSchoolOin);
  EXPECT_THAT(refused.failed_rule_ids(), ElementsAre("R26"));

  v1::AssentOnwardUseRequest assent;
  assent.set_conference_id(id);
  assent.set_item_id(shared.item_id());
  assent.set_party_oin(kGgzOin);
  // Only the supplier assents.
  CallResult by_ggz =
      Call(&v1::ConferenceService::Stub::AssentOnwardUse, assent, &answer, "ggz", kProfessional);
  EXPECT_EQ(by_ggz.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(by_ggz.decision), ElementsAre("R26"));
  // Only for a party the item was addressed to.
  v1::AssentOnwardUseRequest to_police = assent;
  to_police.set_party_oin(kPoliceOin);
  CallResult outside = Call(&v1::ConferenceService::Stub::AssentOnwardUse, to_police, &answer,
                            "school", kProfessional);
  EXPECT_EQ(outside.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(outside.decision), ElementsAre("R25"));

  ASSERT_TRUE(
      Call(&v1::ConferenceService::Stub::AssentOnwardUse, assent, &answer, "school", kProfessional)
          .status.ok());
  EXPECT_TRUE(answer.allowed());
  v1::Receipt assent_receipt = Decode(answer.receipt());
  EXPECT_EQ(assent_receipt.requester_oin(), kSchoolOin);
  EXPECT_EQ(assent_receipt.target_oin(), kGgzOin);
  EXPECT_THAT(assent_receipt.detail(), HasSubstr("R26"));

  ASSERT_TRUE(
      Call(&v1::ConferenceService::Stub::RequestOnwardUse, ask, &answer, "ggz", kProfessional)
          .status.ok());
  EXPECT_TRUE(answer.allowed());
  EXPECT_THAT(FailedRules(answer.decision()), IsEmpty());
  EXPECT_EQ(Decode(answer.receipt()).outcome(), v1::RECEIPT_OUTCOME_GRANTED);

  // The municipality was in the audience too, but the assent was for GGZ only.
  CallResult municipality = Call(&v1::ConferenceService::Stub::RequestOnwardUse, ask, &answer);
  EXPECT_EQ(municipality.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(municipality.decision), ElementsAre("R26"));

  // Outside the audience: R25 fails as well.
  CallResult police =
      Call(&v1::ConferenceService::Stub::RequestOnwardUse, ask, &answer, "police", kProfessional);
  EXPECT_EQ(police.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(police.decision), ElementsAre("R25", "R26"));

  // The fetched item shows the assent on record.
  v1::FetchItemsResponse ggz;
  ASSERT_TRUE(Fetch(id, &ggz, "ggz").status.ok());
  ASSERT_EQ(ggz.items_size(), 1);
  EXPECT_THAT(ggz.items(0).onward_use_assented_oins(), ElementsAre(kGgzOin));
}

TEST_F(ConferenceFlowTest, NothingIsFetchedOrSharedAfterTheCaseCloses) {
  v1::Conference conference = ConferenceWithGgzAndSchool();
  v1::ShareItemResponse shared;
  ASSERT_TRUE(
      Share(NewShare(conference.conference_id(), {kGgzOin}), &shared, "municipality").status.ok());

  v1::CloseCaseRequest close;
  close.set_case_id(conference.case_id());
  close.set_reason("Doelen bereikt.");
  CaseCall([&](v1::CaseService::Stub& stub, grpc::ClientContext* context,
               v1::CaseResponse* response) { return stub.CloseCase(context, close, response); });

  v1::FetchItemsResponse fetched;
  CallResult fetch = Fetch(conference.conference_id(), &fetched, "ggz");
  EXPECT_EQ(fetch.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(fetch.status.error_message(), HasSubstr("R09"));

  v1::ShareItemResponse late;
  CallResult share = Share(NewShare(conference.conference_id(), {kGgzOin}), &late, "school");
  EXPECT_EQ(share.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(share.decision), Contains("R09"));
}

TEST_F(ConferenceFlowTest, ConcurrentInvitationsAreAllKept) {
  v1::Conference conference = Convene(OpenCase());
  const std::vector<std::string> parties = {kGgzOin, kSchoolOin, kPoliceOin, kProbationOin,
                                            kTeamOin};
  std::vector<grpc::Status> statuses(parties.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < parties.size(); ++i) {
    threads.emplace_back([&, i] {
      v1::ConferenceResponse response;
      statuses[i] = Invite(conference.conference_id(), parties[i],
                           absl::StrCat("Betrokken bij de client (", i, ")."), &response)
                        .status;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const grpc::Status& status : statuses) EXPECT_TRUE(status.ok()) << status.error_message();

  // A read-modify-write that lost an update would show fewer invitations.
  v1::ConferenceResponse after;
  ASSERT_TRUE(Invite(conference.conference_id(), kGgzOin, "Betrokken bij de client (0).", &after)
                  .status.ok());
  std::vector<std::string> invited;
  for (const v1::Invitation& invitation : after.conference().invitations()) {
    invited.push_back(invitation.party_oin());
  }
  EXPECT_THAT(invited,
              UnorderedElementsAre(kGgzOin, kSchoolOin, kPoliceOin, kProbationOin, kTeamOin));
}

TEST_F(ConferenceFlowTest, ConcurrentRetriesOfOneShareStoreOneItem) {
  v1::Conference conference = ConferenceWithGgzAndSchool();
  const v1::ShareItemRequest request = NewShare(conference.conference_id(), {kGgzOin});
  constexpr int kCallers = 6;
  std::vector<v1::ShareItemResponse> responses(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] { statuses[i] = Share(request, &responses[i], "school").status; });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(responses[i].item_id(), responses[0].item_id());
    EXPECT_EQ(responses[i].receipt().leaf_index(), responses[0].receipt().leaf_index());
  }
  v1::FetchItemsResponse ggz;
  ASSERT_TRUE(Fetch(conference.conference_id(), &ggz, "ggz").status.ok());
  EXPECT_THAT(ItemIds(ggz), ElementsAre(responses[0].item_id()));
}

TEST_F(ConferenceFlowTest, ConferenceReceiptsVerifyOfflineAndHoldNoContent) {
  v1::Conference conference = ConferenceWithGgzAndSchool();
  v1::ShareItemResponse shared;
  ASSERT_TRUE(
      Share(NewShare(conference.conference_id(), {kGgzOin}), &shared, "school").status.ok());
  v1::FetchItemsResponse fetched;
  ASSERT_TRUE(Fetch(conference.conference_id(), &fetched, "ggz").status.ok());
  ASSERT_EQ(broker_.Stop(), 0);

  TempDir export_dir;
  std::string output;
  EXPECT_EQ(broker_.ExportAndVerify(export_dir.path() / "export", &output), 0) << output;
  // No file of the export holds the minutes, the subject or the BSN.
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(export_dir.path() / "export")) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = ReadFile(entry.path().string());
    EXPECT_THAT(bytes, Not(HasSubstr(kMinutes))) << entry.path();
    EXPECT_THAT(bytes, Not(HasSubstr(kSubject))) << entry.path();
    EXPECT_THAT(bytes, Not(HasSubstr(kClientBsn))) << entry.path();
  }
}

}  // namespace
}  // namespace wams::testing
