// The API's refusal table (proto/README.md, "Every refusal, one by one") kept
// true: every row of the table is a case here, every case a row, and each
// case runs its refusal through the public API against a real broker (mTLS,
// RocksDB, test providers) and checks what the row says: the code, the rule
// ids of the Decision in the details, and the receipt.
//
// The expectations live in the README only, so the page cannot drift from
// the broker. Adding a refusal path is one README row and one entry in
// Cases() below: a set-up that makes the refusing call and returns its
// CallResult.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;

constexpr char kProfessional[] = "professional-1";

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    default:
      return absl::StrCat("code ", static_cast<int>(code));
  }
}

// One row of the README's table.
struct Row {
  std::string id;
  std::string code;                   // e.g. "PERMISSION_DENIED"
  std::vector<std::string> rule_ids;  // failed_rule_ids of the Decision in the details
  std::string receipted;  // "signed", "bounded", "not delivered", "reference", "logged" or "no"
  int line = 0;
};

std::string Cell(absl::string_view cell) {
  std::string text(absl::StripAsciiWhitespace(cell));
  text.erase(std::remove(text.begin(), text.end(), '`'), text.end());
  return text;
}

// The rows between the table's markers in proto/README.md.
std::vector<Row> ReadTable() {
  const std::string text = ReadFile(SourcePath("proto/README.md"));
  std::vector<Row> rows;
  bool inside = false;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    if (absl::StrContains(line, "<!-- refusal-table:begin -->")) inside = true;
    if (absl::StrContains(line, "<!-- refusal-table:end -->")) inside = false;
    if (!inside || !absl::StartsWith(line, "| ")) continue;
    std::vector<std::string> cells;
    for (absl::string_view cell : absl::StrSplit(line, '|')) cells.push_back(Cell(cell));
    // "", id, call, refusal, code, rule ids, receipted, ""
    if (cells.size() != 8 || cells[1] == "id" || absl::StartsWith(cells[1], "---")) continue;
    Row row{
        .id = cells[1], .code = cells[4], .rule_ids = {}, .receipted = cells[6], .line = number};
    if (cells[5] != "—") {
      for (absl::string_view id : absl::StrSplit(cells[5], ',')) {
        row.rule_ids.push_back(std::string(absl::StripAsciiWhitespace(id)));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

class RefusalTableTest : public ExchangeFlowTest {
 protected:
  using Case = std::function<CallResult()>;

  // A GGZ certificate the broker's CRL lists, for the door.revoked row; the
  // housing corporation, which may not process the BSN (R19), as a test
  // provider: a request to it with details is granted and delivered.
  void BeforeBrokerStart() override {
    const std::filesystem::path pki = broker_.pki_dir();
    IssueCertificate(pki, {.name = "revoked-ggz", .oin = kGgzOin});
    WriteFile(pki / "ca.crl", MakeCrlPem(pki, {.revoked = {"revoked-ggz"}}));
    ASSERT_EQ(broker_.ReplaceInConfig("ca_bundle_file: \"../dev-pki/ca.crt\"\n}",
                                      "ca_bundle_file: \"../dev-pki/ca.crt\"\n"
                                      "  crl_file: \"../dev-pki/ca.crl\"\n}"),
              1);
    housing_ = std::make_unique<TestProvider>(broker_.pki_dir(), "housing");
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7456", housing_->endpoint()), 1);
  }

  static void Prepare(grpc::ClientContext* context, const std::string& professional_id) {
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (!professional_id.empty()) context->AddMetadata("x-wams-professional-id", professional_id);
  }
  static std::string ProfessionalOf(const std::string& cert_name) {
    return cert_name == "municipality" ? kCaseWorker : kProfessional;
  }

  // Calls `method` of any service's stub as `cert_name`.
  template <typename Stub, typename Request, typename Response>
  CallResult Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const Request& request, const std::string& cert_name = "municipality",
                  std::string professional_id = "") {
    if (professional_id.empty()) professional_id = ProfessionalOf(cert_name);
    grpc::ClientContext context;
    Prepare(&context, professional_id);
    auto stub = std::make_unique<Stub>(broker_.Channel(cert_name));
    Response response;
    return ResultOf(((*stub).*method)(&context, request, &response));
  }

  // Sends `bytes` as the request of `method` (e.g.
  // "/wams.broker.v1.ExchangeService/RequestData") as the municipality,
  // unparsed: for a request no generated stub would send.
  CallResult CallRaw(const std::string& method, const std::string& bytes) {
    grpc::GenericStub stub(broker_.Channel("municipality"));
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status answer) {
                     status = std::move(answer);
                     done.Notify();
                   });
    done.WaitForNotification();
    return ResultOf(status);
  }

  // --- Set-ups shared by several rows ----------------------------------------

  // A client case (Wmo + Jeugdwet: a duty to coordinate) in research, the
  // education domain in scope.
  const std::string& ResearchCase() {
    if (research_case_.empty()) research_case_ = OpenCase({v1::DOMAIN_EDUCATION}, {}).case_id();
    return research_case_;
  }

  // A case in coordination, the neighbourhood team coordinating.
  const std::string& CoordinationCase() {
    if (!coordination_case_.empty()) return coordination_case_;
    coordination_case_ = OpenCase({v1::DOMAIN_EDUCATION, v1::DOMAIN_WELFARE}, {}).case_id();
    v1::DataResponse response;
    EXPECT_TRUE(RequestData(NewRequest(coordination_case_, kTeamOin, {"support_plan"}), &response)
                    .status.ok());
    EXPECT_TRUE(Call(&v1::CaseService::Stub::StartCoordination, StartCoordination()).status.ok());
    return coordination_case_;
  }

  v1::StartCoordinationRequest StartCoordination() {
    v1::StartCoordinationRequest start;
    start.set_case_id(coordination_case_);
    start.mutable_coordination()->mutable_designated()->set_party_oin(kTeamOin);
    start.mutable_coordination()->mutable_designated()->set_professional_id(kCoordinator);
    return start;
  }

  const std::string& ClosedCase() {
    if (!closed_case_.empty()) return closed_case_;
    closed_case_ = OpenCase({v1::DOMAIN_EDUCATION}, {}).case_id();
    v1::CloseCaseRequest close;
    close.set_case_id(closed_case_);
    close.set_reason("Hulp is op gang; de casus wordt gesloten.");
    EXPECT_TRUE(Call(&v1::CaseService::Stub::CloseCase, close).status.ok());
    return closed_case_;
  }

  // A conference on ResearchCase() with GGZ and the school invited.
  const std::string& Conference() {
    if (!conference_.empty()) return conference_;
    v1::ConveneRequest convene;
    convene.set_request_id("convene-table");
    convene.set_case_id(ResearchCase());
    convene.set_subject("Overleg gezin");
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    v1::ConferenceResponse convened;
    EXPECT_TRUE(v1::ConferenceService::NewStub(broker_.Channel("municipality"))
                    ->Convene(&context, convene, &convened)
                    .ok());
    conference_ = convened.conference().conference_id();
    for (const char* oin : {kGgzOin, kSchoolOin}) {
      EXPECT_TRUE(
          Call(&v1::ConferenceService::Stub::Invite, Invite(oin, "Betrokken bij de client."))
              .status.ok());
    }
    return conference_;
  }

  v1::InviteRequest Invite(const std::string& oin, const std::string& reason) {
    v1::InviteRequest invite;
    invite.set_conference_id(conference_);
    invite.mutable_invitation()->set_party_oin(oin);
    invite.mutable_invitation()->set_necessity_reason(reason);
    return invite;
  }

  v1::ShareItemRequest NewItem(const std::vector<std::string>& audience,
                               const std::vector<std::string>& categories = {}) {
    v1::ShareItemRequest share;
    share.set_request_id(absl::StrCat("item-", ++next_request_));
    share.set_conference_id(Conference());
    share.mutable_item()->set_title("Afspraken");
    share.mutable_item()->set_content("Afspraak: de school meldt verzuim.");
    share.mutable_item()->set_content_type("text/plain");
    for (const std::string& oin : audience) share.mutable_item()->add_audience_oins(oin);
    for (const std::string& name : categories) share.mutable_item()->add_categories(name);
    return share;
  }

  // An item the school shared with GGZ and the municipality; no assent yet.
  const std::string& SchoolItem() {
    if (!school_item_.empty()) return school_item_;
    grpc::ClientContext context;
    Prepare(&context, kProfessional);
    v1::ShareItemResponse shared;
    EXPECT_TRUE(
        v1::ConferenceService::NewStub(broker_.Channel("school"))
            ->ShareItem(&context, NewItem({kGgzOin, kMunicipalityOin}, {"attendance"}), &shared)
            .ok());
    school_item_ = shared.item_id();
    return school_item_;
  }

  v1::ShareRequest NewShare(const std::string& case_id, const std::string& recipient_oin,
                            const std::string& category) {
    // The fixture's share, of `category` and without data.
    v1::ShareRequest share = NewShareRequest(case_id, recipient_oin);
    share.clear_categories();
    share.clear_data();
    share.add_categories(category);
    return share;
  }

  // A tenant as the housing corporation knows it (R19: instead of the BSN).
  static v1::SubjectDetails Tenant() {
    v1::SubjectDetails details;
    details.set_party_client_number("WSV-10442");
    return details;
  }

  // A case with housing in scope in which the housing corporation is
  // involved: it answered a request that carried the tenant's details.
  const std::string& HousingCase() {
    if (!housing_case_.empty()) return housing_case_;
    housing_case_ = OpenCase({v1::DOMAIN_HOUSING}, {}).case_id();
    v1::DataRequest request = NewRequest(housing_case_, kHousingOin, {"rent_arrears"});
    *request.mutable_subject_details() = Tenant();
    v1::DataResponse response;
    const CallResult granted = RequestData(request, &response);
    EXPECT_TRUE(granted.status.ok()) << granted.status.error_message();
    return housing_case_;
  }

  // --- The cases: one per row of the README's table --------------------------

  std::map<std::string, Case> RefusalCases() {
    using Exchange = v1::ExchangeService;
    using Conf = v1::ConferenceService;
    std::map<std::string, Case> cases;
    auto data = [this](v1::DataRequest request, const std::string& cert = "municipality") {
      return Call(&Exchange::Stub::RequestData, request, cert);
    };

    // The front door: checks every call of every service passes before its
    // service looks at it, each tried through RequestData.
    cases["door.field-syntax"] = [=, this] {
      v1::DataRequest request = NewRequest(ResearchCase(), kSchoolOin, {"attendance"});
      request.set_request_id("no spaces in an identifier");
      return data(request);
    };
    cases["door.field-max"] = [=, this] {
      v1::DataRequest request = NewRequest(ResearchCase(), kSchoolOin, {"attendance"});
      request.set_request_id(std::string(129, 'r'));
      return data(request);
    };
    cases["door.config-limit"] = [=, this] {
      std::vector<std::string> seventeen;  // the example config's limits.max_categories is 16
      for (int i = 0; i < 17; ++i) seventeen.push_back(absl::StrCat("category_", i));
      return data(NewRequest(ResearchCase(), kSchoolOin, seventeen));
    };
    cases["door.professional-id"] = [=, this] {
      return Call(&Exchange::Stub::RequestData,
                  NewRequest(ResearchCase(), kSchoolOin, {"attendance"}), "municipality",
                  "no spaces allowed");
    };
    cases["door.unparsable"] = [=, this] {
      constexpr char kMarker[] = "AAAAAAAAAAAAAAAA";
      v1::DataRequest request = NewRequest(ResearchCase(), kSchoolOin, {"attendance"});
      request.set_request_id(kMarker);
      const std::string bytes = absl::StrReplaceAll(
          request.SerializeAsString(), {{kMarker, std::string(sizeof(kMarker) - 1, '\xff')}});
      return CallRaw("/wams.broker.v1.ExchangeService/RequestData", bytes);
    };
    cases["door.unknown-party"] = [=, this] {
      return data(NewRequest(ResearchCase(), kSchoolOin, {"attendance"}), "outsider");
    };
    cases["door.rate-limit"] = [=, this] {
      // A broker of its own, one call a second per party: the second of
      // two calls in a row finds the bucket empty.
      BrokerFixture limited;
      EXPECT_EQ(limited.ReplaceInConfig("per_party_rate: 5000 ", "per_party_rate: 1 "), 1);
      EXPECT_EQ(limited.ReplaceInConfig("per_party_burst: 5000 ", "per_party_burst: 1 "), 1);
      EXPECT_TRUE(limited.Start()) << ReadFile(limited.log_path());
      auto stub = Exchange::NewStub(limited.Channel("municipality"));
      CallResult result;
      for (int call = 0; call < 10 && result.status.ok(); ++call) {
        grpc::ClientContext context;
        Prepare(&context, kCaseWorker);
        v1::DataResponse response;
        result = ResultOf(stub->RequestData(
            &context, NewRequest("no-such-case", kSchoolOin, {"attendance"}), &response));
        // The first call is admitted and refused by the rules; only the
        // limit's refusal ends the loop.
        if (result.status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) result = {};
      }
      return result;
    };
    cases["door.revoked"] = [=, this] {
      return data(NewRequest(ResearchCase(), kSchoolOin, {"attendance"}), "revoked-ggz");
    };

    // ExchangeService
    cases["exchange.bad-field"] = [=, this] {
      v1::DataRequest request = NewRequest(ResearchCase(), kSchoolOin, {"attendance"});
      request.set_subject_bsn("123456789");  // fails the elfproef
      return data(request);
    };
    cases["exchange.unknown-enum"] = [=, this] {
      v1::DataRequest request = NewRequest(ResearchCase(), kSchoolOin, {"attendance"});
      request.set_purpose(static_cast<v1::Purpose>(99));
      return data(request);
    };
    cases["exchange.unknown-category"] = [=, this] {
      return data(NewRequest(ResearchCase(), kSchoolOin, {"attendance", "foo"}));
    };
    cases["exchange.not-offered"] = [=, this] {
      return data(NewRequest(ResearchCase(), kSchoolOin, {"treatment_status"}));
    };
    cases["exchange.no-justification"] = [=, this] {
      v1::DataRequest request = NewRequest(ResearchCase(), kSchoolOin, {"attendance"});
      request.clear_justification();
      return data(request);
    };
    cases["exchange.forbidden-purpose"] = [=, this] {
      return data(
          NewRequest(ResearchCase(), kSchoolOin, {"attendance"}, v1::PURPOSE_FRAUD_CONTROL));
    };
    cases["exchange.out-of-scope"] = [=, this] {
      return data(NewRequest(ResearchCase(), kPoliceOin, {"police_contacts"}));
    };
    cases["exchange.no-case"] = [=, this] {
      return data(NewRequest("01890000-0000-7000-8000-00000000beef", kSchoolOin, {"attendance"}));
    };
    cases["exchange.outsider"] = [=, this] {
      return data(NewRequest(ResearchCase(), kSchoolOin, {"attendance"}), "ggz");
    };
    cases["exchange.coordination-not-started"] = [=, this] {
      return data(NewRequest(ResearchCase(), kSchoolOin, {"attendance"}, v1::PURPOSE_COORDINATION));
    };
    cases["exchange.research-in-coordination"] = [=, this] {
      return data(NewRequest(CoordinationCase(), kSchoolOin, {"attendance"}));
    };
    cases["exchange.closed-case"] = [=, this] {
      return data(NewRequest(ClosedCase(), kSchoolOin, {"attendance"}));
    };
    cases["exchange.request-id-reused"] = [=, this] {
      v1::DataRequest first = NewRequest(ResearchCase(), kSchoolOin, {"attendance"});
      first.set_purpose(v1::PURPOSE_FRAUD_CONTROL);  // refused, so nothing is forwarded
      data(first);
      first.set_justification("Andere tekst onder hetzelfde request_id.");
      return data(first);
    };
    cases["exchange.share-not-involved"] = [=, this] {
      return Call(&Exchange::Stub::ShareData, NewShare(ResearchCase(), kSchoolOin, "wmo_services"));
    };
    cases["exchange.share-unknown-category"] = [=, this] {
      return Call(&Exchange::Stub::ShareData, NewShare(ResearchCase(), kSchoolOin, "foo"));
    };
    cases["exchange.bsn-withheld-no-details"] = [=, this] {
      return data(NewRequest(HousingCase(), kHousingOin, {"rent_arrears"}));
    };
    cases["exchange.share-bsn-withheld-no-details"] = [=, this] {
      return Call(&Exchange::Stub::ShareData, NewShare(HousingCase(), kHousingOin, "wmo_services"));
    };
    // Granted, then not delivered (proto/README.md, "Provider errors").
    cases["exchange.provider-down"] = [=, this] {
      // The probation endpoint points at nothing (exchange_test_fixture.cc).
      const std::string case_id = OpenCase({v1::DOMAIN_PROBATION}, {}).case_id();
      return data(NewRequest(case_id, kProbationOin, {"supervision_status"}));
    };
    cases["exchange.provider-refuses-call"] = [=, this] {
      school_->SetHandler([](const v1::ProviderRequest&, v1::ProviderResponse*) {
        return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no such method here");
      });
      const std::string case_id = OpenCase({v1::DOMAIN_EDUCATION}, {}).case_id();
      CallResult result = data(NewRequest(case_id, kSchoolOin, {"attendance"}));
      school_->SetHandler(&TestProvider::ProvideAll);
      return result;
    };
    cases["exchange.provider-no-answer"] = [=, this] {
      // The school holds the call until the broker's provider_deadline (2 s
      // in the fixture) has passed and the answer is given.
      auto answered = std::make_shared<absl::Notification>();
      school_->SetHandler([answered](const v1::ProviderRequest&, v1::ProviderResponse*) {
        answered->WaitForNotification();
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "too late");
      });
      const std::string case_id = OpenCase({v1::DOMAIN_EDUCATION}, {}).case_id();
      CallResult result = data(NewRequest(case_id, kSchoolOin, {"attendance"}));
      answered->Notify();
      school_->SetHandler(&TestProvider::ProvideAll);
      return result;
    };

    // CaseService
    cases["case.not-found"] = [=, this] {
      v1::GetCaseRequest get;
      get.set_case_id("01890000-0000-7000-8000-00000000beef");
      return Call(&v1::CaseService::Stub::GetCase, get);
    };
    cases["case.open-client-not-municipality"] = [=, this] {
      v1::OpenClientCaseRequest open;
      open.set_request_id("open-by-ggz");
      open.set_client_bsn(kClientBsn);
      open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
      return Call(&v1::CaseService::Stub::OpenClientCase, open, "ggz");
    };
    cases["case.open-client-unknown-law"] = [=, this] {
      v1::OpenClientCaseRequest open;
      open.set_request_id("open-law-99");
      open.set_client_bsn(kClientBsn);
      open.mutable_social_laws()->Add(99);
      return Call(&v1::CaseService::Stub::OpenClientCase, open);
    };
    cases["case.open-client-no-law"] = [=, this] {
      v1::OpenClientCaseRequest open;
      open.set_request_id("open-no-law");
      open.set_client_bsn(kClientBsn);
      return Call(&v1::CaseService::Stub::OpenClientCase, open);
    };
    cases["case.open-professional-no-grounds"] = [=, this] {
      v1::OpenProfessionalCaseRequest open;
      open.set_request_id("open-professional");
      open.set_client_bsn(kClientBsn);
      open.set_municipality_oin(kMunicipalityOin);
      return Call(&v1::CaseService::Stub::OpenProfessionalCase, open, "ggz");
    };
    cases["case.decide-not-awaiting"] = [=, this] {
      v1::DecideProfessionalRequestRequest decide;
      decide.set_case_id(ResearchCase());
      decide.set_accept(true);
      decide.set_reason("Aanvaard.");
      return Call(&v1::CaseService::Stub::DecideProfessionalRequest, decide);
    };
    cases["case.start-coordination-not-research"] = [=, this] {
      CoordinationCase();
      return Call(&v1::CaseService::Stub::StartCoordination, StartCoordination());
    };
    cases["case.start-coordination-no-ground"] = [=, this] {
      v1::OpenClientCaseRequest open;
      open.set_request_id("open-one-law");
      open.set_client_bsn(kClientBsn);
      open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
      grpc::ClientContext context;
      Prepare(&context, kCaseWorker);
      v1::CaseResponse opened;
      EXPECT_TRUE(Cases()->OpenClientCase(&context, open, &opened).ok());
      v1::StartCoordinationRequest start;
      start.set_case_id(opened.case_().case_id());
      start.mutable_coordination()->mutable_self()->set_by("de cliënt zelf");
      return Call(&v1::CaseService::Stub::StartCoordination, start);
    };
    cases["case.consent-unknown-category"] = [=, this] {
      v1::RecordConsentRequest consent;
      consent.set_case_id(ResearchCase());
      consent.set_subject_bsn(kClientBsn);
      consent.set_provider_oin(kGgzOin);
      consent.add_categories("foo");
      return Call(&v1::CaseService::Stub::RecordConsent, consent);
    };

    cases["case.consent-not-client"] = [=, this] {
      v1::RecordConsentRequest consent;
      consent.set_case_id(ResearchCase());
      consent.set_subject_bsn(kOtherPersonBsn);
      consent.set_provider_oin(kGgzOin);
      consent.add_categories("crisis_plan");
      return Call(&v1::CaseService::Stub::RecordConsent, consent);
    };

    // ConferenceService
    cases["conference.not-found"] = [=, this] {
      v1::FetchItemsRequest fetch;
      fetch.set_conference_id("no-such-conference");
      return Call(&Conf::Stub::FetchItems, fetch);
    };
    cases["conference.share-not-offered"] = [=, this] {
      return Call(&Conf::Stub::ShareItem, NewItem({kGgzOin}, {"attendance"}), "ggz");
    };
    cases["conference.convene-outsider"] = [=, this] {
      v1::ConveneRequest convene;
      convene.set_request_id("convene-by-ggz");
      convene.set_case_id(ResearchCase());
      convene.set_subject("Overleg");
      return Call(&Conf::Stub::Convene, convene, "ggz");
    };
    cases["conference.invite-no-reason"] = [=, this] {
      Conference();
      return Call(&Conf::Stub::Invite, Invite(kPoliceOin, ""));
    };
    cases["conference.invite-convener"] = [=, this] {
      Conference();
      return Call(&Conf::Stub::Invite, Invite(kMunicipalityOin, "Roept het overleg bijeen."));
    };
    cases["conference.invite-not-convener"] = [=, this] {
      Conference();
      return Call(&Conf::Stub::Invite, Invite(kPoliceOin, "Kent het gezin."), "ggz");
    };
    cases["conference.client-not-invited-no-reason"] = [=, this] {
      v1::SetClientInvitationRequest request;
      request.set_conference_id(Conference());
      request.set_invited(false);
      return Call(&Conf::Stub::SetClientInvitation, request);
    };
    cases["conference.share-no-audience"] = [=, this] {
      return Call(&Conf::Stub::ShareItem, NewItem({}));
    };
    cases["conference.share-assent-outside-audience"] = [=, this] {
      v1::ShareItemRequest share = NewItem({kGgzOin});
      share.mutable_item()->add_onward_use_assented_oins(kSchoolOin);
      return Call(&Conf::Stub::ShareItem, share);
    };
    cases["conference.share-unknown-category"] = [=, this] {
      return Call(&Conf::Stub::ShareItem, NewItem({kGgzOin}, {"foo"}));
    };
    cases["conference.fetch-not-participant"] = [=, this] {
      v1::FetchItemsRequest fetch;
      fetch.set_conference_id(Conference());
      return Call(&Conf::Stub::FetchItems, fetch, "police");
    };
    cases["conference.onward-use-no-assent"] = [=, this] {
      v1::RequestOnwardUseRequest ask;
      ask.set_conference_id(Conference());
      ask.set_item_id(SchoolItem());
      return Call(&Conf::Stub::RequestOnwardUse, ask, "ggz");
    };
    cases["conference.assent-not-supplier"] = [=, this] {
      v1::AssentOnwardUseRequest assent;
      assent.set_conference_id(Conference());
      assent.set_item_id(SchoolItem());
      assent.set_party_oin(kGgzOin);
      return Call(&Conf::Stub::AssentOnwardUse, assent, "ggz");
    };
    cases["conference.assent-not-in-audience"] = [=, this] {
      v1::AssentOnwardUseRequest assent;
      assent.set_conference_id(Conference());
      assent.set_item_id(SchoolItem());
      assent.set_party_oin(kPoliceOin);
      return Call(&Conf::Stub::AssentOnwardUse, assent, "school");
    };

    // AuditService
    cases["audit.not-auditor"] = [=, this] {
      v1::ListReceiptsRequest list;
      list.set_case_id(ResearchCase());
      return Call(&v1::AuditService::Stub::ListReceipts, list);
    };
    return cases;
  }

  std::string research_case_;
  std::string coordination_case_;
  std::string closed_case_;
  std::string conference_;
  std::string school_item_;
  std::string housing_case_;
  std::unique_ptr<TestProvider> housing_;
};

std::string Receipted(const CallResult& result) {
  if (!result.receipts.empty()) {
    if (result.receipts.front().outcome() == v1::RECEIPT_OUTCOME_NOT_DELIVERED) {
      return "not delivered";
    }
    // The bounded form keeps a field's length and SHA-256, never its value.
    return absl::StrContains(result.receipts.front().detail(), "sha256 ") ? "bounded" : "signed";
  }
  if (!result.references.empty()) return "reference";
  return "no";
}

TEST_F(RefusalTableTest, EveryRowOfTheReadmeTableHoldsAndEveryCaseHasARow) {
  const std::vector<Row> rows = ReadTable();
  ASSERT_GT(rows.size(), 20u) << "the table's markers were not found in proto/README.md";
  std::map<std::string, Case> cases = RefusalCases();
  for (const Row& row : rows) {
    SCOPED_TRACE(absl::StrCat("proto/README.md:", row.line, " ", row.id));
    auto found = cases.find(row.id);
    if (found == cases.end()) {
      ADD_FAILURE() << "row " << row.id << " has no case in " << __FILE__;
      continue;
    }
    const CallResult result = found->second();
    cases.erase(found);
    EXPECT_EQ(StatusCodeName(result.status.error_code()), row.code)
        << result.status.error_message();
    const std::vector<std::string> cited(result.decision.failed_rule_ids().begin(),
                                         result.decision.failed_rule_ids().end());
    EXPECT_EQ(absl::StrJoin(cited, ", "), absl::StrJoin(row.rule_ids, ", "))
        << "rule ids of the Decision in the details; " << result.status.error_message();
    // "logged" rows are receipted without the receipt in the answer.
    const std::string expected_receipt = row.receipted == "logged" ? "no" : row.receipted;
    EXPECT_EQ(Receipted(result), expected_receipt);
    // Only a granted request that was not delivered carries an allowing
    // Decision; a refusal never does.
    EXPECT_EQ(result.decision.allowed(), row.receipted == "not delivered")
        << "allowed of the Decision in the details";
    if (!result.receipts.empty()) {
      const v1::Receipt& receipt = result.receipts.front();
      EXPECT_EQ(receipt.outcome(), row.receipted == "not delivered"
                                       ? v1::RECEIPT_OUTCOME_NOT_DELIVERED
                                       : v1::RECEIPT_OUTCOME_REFUSED);
      // The receipt records the rules the answer cites.
      EXPECT_EQ(absl::StrJoin(receipt.failed_rule_ids(), ", "), absl::StrJoin(row.rule_ids, ", "))
          << "failed_rule_ids of the receipt";
    }
  }
  for (const auto& [id, unused] : cases) {
    ADD_FAILURE() << "case " << id << " has no row in proto/README.md's refusal table";
  }
}

}  // namespace
}  // namespace wams::testing
