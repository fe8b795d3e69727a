// Integration tests of the broker's front door: a real wams-broker process on
// 127.0.0.1, mutual TLS with certificates made at test time, real clients.
#include <signal.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::HasSubstr;
using ::wams::testing::BrokerFixture;
using ::wams::testing::kGgzOin;
using ::wams::testing::kOutsiderOin;

grpc::Status CallWhoAmI(const std::shared_ptr<grpc::Channel>& channel, v1::WhoAmIResponse* response,
                        std::string professional_id = "") {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!professional_id.empty()) context.AddMetadata("x-wams-professional-id", professional_id);
  return v1::ExchangeService::NewStub(channel)->WhoAmI(&context, v1::WhoAmIRequest(), response);
}

class BrokerServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(broker_.Start()) << testing::ReadFile(broker_.log_path()); }
  BrokerFixture broker_;
};

TEST_F(BrokerServerTest, ConfiguredPartyGetsItsIdentityFromWhoAmI) {
  v1::WhoAmIResponse response;
  grpc::Status status = CallWhoAmI(broker_.Channel("ggz"), &response, "ggz-behandelaar-17");

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.certificate_oin(), kGgzOin);
  EXPECT_EQ(response.party().oin(), kGgzOin);
  EXPECT_EQ(response.party().name(), "GGZ Voorbeeld");
  EXPECT_EQ(response.party().domain(), v1::DOMAIN_MENTAL_HEALTH);
  EXPECT_EQ(response.party().role(), v1::PARTY_ROLE_PROVIDER);
  EXPECT_EQ(response.professional_id(), "ggz-behandelaar-17");
}

TEST_F(BrokerServerTest, MunicipalityIsRecognisedAsMunicipality) {
  v1::WhoAmIResponse response;
  ASSERT_TRUE(CallWhoAmI(broker_.Channel("municipality"), &response).ok());
  EXPECT_EQ(response.party().role(), v1::PARTY_ROLE_MUNICIPALITY);
}

TEST_F(BrokerServerTest, UnknownOinIsPermissionDeniedNamingTheOin) {
  v1::WhoAmIResponse response;
  grpc::Status status = CallWhoAmI(broker_.Channel("outsider"), &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr(kOutsiderOin));
}

TEST_F(BrokerServerTest, ClientWithoutCertificateIsRefusedAtHandshake) {
  v1::WhoAmIResponse response;
  grpc::Status status = CallWhoAmI(broker_.Channel(""), &response);

  // gRPC reports a failed handshake as UNAVAILABLE; the call never reaches a handler.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(response.has_party());
}

TEST_F(BrokerServerTest, CertificateFromAnotherCaIsRefusedAtHandshake) {
  testing::TempDir other;
  testing::MakeDevPki(other.path());
  // Trust the real broker, but present a municipality certificate of another CA.
  testing::WriteFile(other.path() / "ca.crt", testing::ReadFile(broker_.pki_dir() / "ca.crt"));

  v1::WhoAmIResponse response;
  grpc::Status status = CallWhoAmI(
      testing::MutualTlsChannel(other.path(), "municipality", broker_.port()), &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(response.has_party());
}

TEST_F(BrokerServerTest, HealthServiceAnswersServing) {
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = grpc::health::v1::Health::NewStub(broker_.Channel("auditor"))
                            ->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(BrokerServerTest, ReflectionListsTheV1Services) {
  namespace reflection = ::grpc::reflection::v1alpha;
  grpc::ClientContext context;
  auto stream = reflection::ServerReflection::NewStub(broker_.Channel("municipality"))
                    ->ServerReflectionInfo(&context);
  reflection::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  reflection::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  stream->WritesDone();

  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_THAT(names, ::testing::IsSupersetOf(
                         {"wams.broker.v1.ExchangeService", "wams.broker.v1.CaseService",
                          "wams.broker.v1.ConferenceService", "wams.broker.v1.AuditService",
                          "grpc.health.v1.Health"}));
}

// What grpcurl and grpcui do first: list the services, then ask for the file
// that defines each one. gRPC's built-in health service brings no C++
// descriptors, so without the broker linking them this answered "Symbol not
// found" for grpc.health.v1.Health and grpcui refused to start.
TEST_F(BrokerServerTest, ReflectionDescribesEveryListedServiceHealthIncluded) {
  namespace reflection = ::grpc::reflection::v1alpha;
  grpc::ClientContext context;
  auto stream = reflection::ServerReflection::NewStub(broker_.Channel("municipality"))
                    ->ServerReflectionInfo(&context);
  reflection::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  reflection::ServerReflectionResponse listed;
  ASSERT_TRUE(stream->Read(&listed));
  std::vector<std::string> names;
  for (const auto& service : listed.list_services_response().service()) {
    names.push_back(service.name());
  }
  ASSERT_THAT(names, ::testing::Contains("grpc.health.v1.Health"));

  for (const std::string& name : names) {
    reflection::ServerReflectionRequest describe;
    describe.set_file_containing_symbol(name);
    ASSERT_TRUE(stream->Write(describe));
    reflection::ServerReflectionResponse described;
    ASSERT_TRUE(stream->Read(&described));
    EXPECT_FALSE(described.has_error_response())
        << name << ": " << described.error_response().error_message();
    EXPECT_GT(described.file_descriptor_response().file_descriptor_proto_size(), 0) << name;
  }
  stream->WritesDone();
}

// Readiness per service, and liveness apart from it (proto/README.md, Health).
TEST_F(BrokerServerTest, HealthAnswersForEachServiceAndForLiveness) {
  for (const char* service :
       {"", "wams.broker.v1.ExchangeService", "wams.broker.v1.CaseService",
        "wams.broker.v1.ConferenceService", "wams.broker.v1.AuditService", "liveness"}) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = grpc::health::v1::Health::NewStub(broker_.Channel("auditor"))
                              ->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << "\"" << service << "\": " << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
}

TEST_F(BrokerServerTest, SigtermShutsDownCleanlyWithExitCodeZero) {
  EXPECT_EQ(broker_.process().Stop(SIGTERM), 0);
  EXPECT_THAT(testing::ReadFile(broker_.log_path()), HasSubstr("stopped cleanly"));
}

TEST_F(BrokerServerTest, SigintShutsDownCleanlyWithExitCodeZero) {
  EXPECT_EQ(broker_.process().Stop(SIGINT), 0);
}

}  // namespace
}  // namespace wams
