// The CRL as configuration: a CRL file the broker cannot use stops start-up
// with a message naming the field, since a broker that silently ignored its
// revocation list would let revoked partners in. A stale CRL is enforced and
// warned about. The same holds for the providers' side (client_tls.crl_file).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/security/security_test_util.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"

namespace wams::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kServerTlsEnd[] = "ca_bundle_file: \"../dev-pki/ca.crt\"\n}";
// The CRL file is part of the config: like every config error, exit 2.
constexpr int kExitConfigError = 2;

// Adds crl_file: "../dev-pki/`file`" to server_tls.
void UseCrlFile(BrokerFixture& broker, const std::string& file) {
  ASSERT_EQ(broker.ReplaceInConfig(kServerTlsEnd,
                                   "ca_bundle_file: \"../dev-pki/ca.crt\"\n"
                                   "  crl_file: \"../dev-pki/" +
                                       file + "\"\n}"),
            1);
}

// Runs the broker to completion (it must not start); its exit code and output.
int RunBroker(const BrokerFixture& broker, std::string* output) {
  return RunCommand({BrokerBinary(), "--config", broker.config_path()}, output);
}

TEST(CrlStartUp, MissingCrlFileStopsStartUpNamingTheField) {
  BrokerFixture broker;
  UseCrlFile(broker, "absent.crl");
  std::string output;
  EXPECT_EQ(RunBroker(broker, &output), kExitConfigError);
  EXPECT_THAT(output, AllOf(HasSubstr("server_tls.crl_file"), HasSubstr("absent.crl")));
}

TEST(CrlStartUp, MalformedCrlFileStopsStartUpNamingTheField) {
  BrokerFixture broker;
  WriteFile(broker.pki_dir() / "ca.crl", "this is not a certificate revocation list\n");
  UseCrlFile(broker, "ca.crl");
  std::string output;
  EXPECT_EQ(RunBroker(broker, &output), kExitConfigError);
  EXPECT_THAT(output, AllOf(HasSubstr("server_tls.crl_file"), HasSubstr("no CRL in the file")));
}

TEST(CrlStartUp, TruncatedPemCrlStopsStartUpNamingTheField) {
  BrokerFixture broker;
  std::string pem = MakeCrlPem(broker.pki_dir(), {});
  WriteFile(broker.pki_dir() / "ca.crl", pem.substr(0, pem.size() / 2));
  UseCrlFile(broker, "ca.crl");
  std::string output;
  EXPECT_EQ(RunBroker(broker, &output), kExitConfigError);
  EXPECT_THAT(output, AllOf(HasSubstr("server_tls.crl_file"), HasSubstr("does not parse")));
}

TEST(CrlStartUp, CrlSignedByAnotherCaStopsStartUp) {
  // Another dev CA has the same name but another key: the CRL's signature,
  // not its issuer name, must decide.
  BrokerFixture broker;
  TempDir other;
  MakeDevPki(other.path());
  WriteFile(broker.pki_dir() / "ca.crl", MakeCrlPem(other.path(), {}));
  UseCrlFile(broker, "ca.crl");
  std::string output;
  EXPECT_EQ(RunBroker(broker, &output), kExitConfigError);
  EXPECT_THAT(output, AllOf(HasSubstr("server_tls.crl_file"), HasSubstr("does not verify")));
}

// Adds a client_tls (the broker's certificate towards providers) whose
// crl_file is "../dev-pki/`file`".
void UseClientCrlFile(BrokerFixture& broker, const std::string& file) {
  ASSERT_EQ(broker.ReplaceInConfig("data_dir:",
                                   "client_tls {\n"
                                   "  certificate_file: \"../dev-pki/broker.crt\"\n"
                                   "  private_key_file: \"../dev-pki/broker.key\"\n"
                                   "  ca_bundle_file: \"../dev-pki/ca.crt\"\n"
                                   "  crl_file: \"../dev-pki/" +
                                       file +
                                       "\"\n"
                                       "}\ndata_dir:"),
            1);
}

TEST(CrlStartUp, CrlForTheProvidersSideIsLoaded) {
  BrokerFixture broker;
  WriteFile(broker.pki_dir() / "ca.crl", MakeCrlPem(broker.pki_dir(), {}));
  UseClientCrlFile(broker, "ca.crl");
  ASSERT_TRUE(broker.Start()) << ReadFile(broker.log_path());
  EXPECT_THAT(ReadFile(broker.log_path()), HasSubstr("client_tls.crl_file: 1 CRL(s)"));
}

TEST(CrlStartUp, MalformedCrlForTheProvidersSideStopsStartUpNamingTheField) {
  BrokerFixture broker;
  WriteFile(broker.pki_dir() / "ca.crl", "this is not a certificate revocation list\n");
  UseClientCrlFile(broker, "ca.crl");
  std::string output;
  EXPECT_EQ(RunBroker(broker, &output), kExitConfigError);
  EXPECT_THAT(output, AllOf(HasSubstr("client_tls.crl_file"), HasSubstr("no CRL in the file")));
}

TEST(CrlStartUp, StaleCrlIsEnforcedAndWarnedAbout) {
  BrokerFixture broker;
  IssueCertificate(broker.pki_dir(), {.name = "revoked-school", .oin = kSchoolOin});
  WriteFile(broker.pki_dir() / "ca.crl",
            MakeCrlPem(broker.pki_dir(), {.revoked = {"revoked-school"},
                                          .this_update = -absl::Hours(48),
                                          .next_update = -absl::Hours(24)}));
  UseCrlFile(broker, "ca.crl");
  ASSERT_TRUE(broker.Start()) << ReadFile(broker.log_path());

  EXPECT_THAT(ReadFile(broker.log_path()), AllOf(HasSubstr("\"level\":\"WARNING\""),
                                                 HasSubstr("nextUpdate"), HasSubstr("has passed")));
  grpc::Status status = WhoAmI(broker.Channel("revoked-school"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
}

}  // namespace
}  // namespace wams::testing
