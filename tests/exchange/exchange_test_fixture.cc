#include "tests/exchange/exchange_test_fixture.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"

namespace wams::testing {

void ExchangeFlowTest::SetUp() {
  ggz_ = std::make_unique<TestProvider>(broker_.pki_dir(), "ggz");
  school_ = std::make_unique<TestProvider>(broker_.pki_dir(), "school");
  police_ = std::make_unique<TestProvider>(broker_.pki_dir(), "police");
  team_ = std::make_unique<TestProvider>(broker_.pki_dir(), "neighbourhood-team");
  // The probation endpoint (7455) is left pointing at nothing: a provider that is down.
  ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7451", team_->endpoint()), 1);
  ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7452", ggz_->endpoint()), 1);
  ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7453", school_->endpoint()), 1);
  ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7454", police_->endpoint()), 1);
  ASSERT_EQ(broker_.ReplaceInConfig("provider_deadline { seconds: 5 }",
                                    "provider_deadline { seconds: 2 }"),
            1);
  ASSERT_NO_FATAL_FAILURE(BeforeBrokerStart());
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
}

std::unique_ptr<v1::CaseService::Stub> ExchangeFlowTest::Cases(const std::string& cert_name) {
  return v1::CaseService::NewStub(broker_.Channel(cert_name));
}

std::unique_ptr<v1::ExchangeService::Stub> ExchangeFlowTest::Exchange(
    const std::string& cert_name) {
  return v1::ExchangeService::NewStub(broker_.Channel(cert_name));
}

void ExchangeFlowTest::Prepare(grpc::ClientContext* context, const std::string& professional_id) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  context->AddMetadata("x-wams-professional-id", professional_id);
}

v1::CaseResponse ExchangeFlowTest::CaseCall(
    const std::function<grpc::Status(v1::CaseService::Stub&, grpc::ClientContext*,
                                     v1::CaseResponse*)>& call,
    const std::string& professional_id) {
  grpc::ClientContext context;
  Prepare(&context, professional_id);
  v1::CaseResponse response;
  grpc::Status status = call(*Cases(), &context, &response);
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  return response;
}

v1::Case ExchangeFlowTest::OpenCase(const std::vector<v1::Domain>& domains_in,
                                    const std::vector<v1::Domain>& domains_out) {
  v1::OpenClientCaseRequest request;
  request.set_request_id(absl::StrCat("open-", ++next_request_));
  request.set_client_bsn(kClientBsn);
  request.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  request.add_social_laws(v1::SOCIAL_LAW_JEUGDWET);
  for (v1::Domain domain : domains_in) request.mutable_scope()->add_domains_in(domain);
  for (v1::Domain domain : domains_out) request.mutable_scope()->add_domains_out(domain);
  return CaseCall([&](v1::CaseService::Stub& stub, grpc::ClientContext* context,
                      v1::CaseResponse* response) {
           return stub.OpenClientCase(context, request, response);
         })
      .case_();
}

v1::DataRequest ExchangeFlowTest::NewRequest(const std::string& case_id,
                                             const std::string& provider_oin,
                                             std::vector<std::string> categories,
                                             v1::Purpose purpose) {
  v1::DataRequest request;
  request.set_request_id(absl::StrCat("req-", ++next_request_));
  request.set_case_id(case_id);
  request.set_subject_bsn(kClientBsn);
  request.set_provider_oin(provider_oin);
  request.set_purpose(purpose);
  for (std::string& category : categories) request.add_categories(std::move(category));
  request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
  request.set_language(v1::LANGUAGE_ENGLISH);
  return request;
}

v1::ShareRequest ExchangeFlowTest::NewShareRequest(const std::string& case_id,
                                                   const std::string& recipient_oin) {
  v1::ShareRequest share;
  share.set_request_id(absl::StrCat("share-", ++next_request_));
  share.set_case_id(case_id);
  share.set_subject_bsn(kClientBsn);
  share.set_recipient_oin(recipient_oin);
  share.set_purpose(v1::PURPOSE_RESEARCH);
  share.add_categories("wmo_services");
  share.set_justification("De partij heeft de lopende Wmo-ondersteuning nodig voor haar bijdrage.");
  v1::CategoryData* data = share.add_data();
  data->set_category("wmo_services");
  data->set_content(R"({"begeleiding": "individueel"})");
  data->set_content_type("application/json");
  return share;
}

grpc::Status ExchangeFlowTest::ShareWithInvolvedSchool(v1::ShareResponse* shared) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION, v1::DOMAIN_MENTAL_HEALTH}, {});
  v1::DataResponse involved;
  CallResult asked =
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &involved);
  EXPECT_TRUE(asked.status.ok()) << asked.status.error_message();
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  return Exchange()->ShareData(&context, NewShareRequest(opened.case_id(), kSchoolOin), shared);
}

CallResult ExchangeFlowTest::RequestData(const v1::DataRequest& request, v1::DataResponse* response,
                                         const std::string& cert_name,
                                         const std::string& professional_id) {
  grpc::ClientContext context;
  Prepare(&context, professional_id);
  return ResultOf(Exchange(cert_name)->RequestData(&context, request, response));
}

std::vector<std::string> ExchangeFlowTest::FailedRules(const CallResult& result) {
  return {result.decision.failed_rule_ids().begin(), result.decision.failed_rule_ids().end()};
}

}  // namespace wams::testing
