// TLS misuse against a real wams-broker process: every way a client may try
// to get in without a valid identity of its own is refused, and the broker
// goes on serving the parties that have one. Certificates (expired, not yet
// valid, revoked) and the CRL are made at test time, signed by the dev CA.
//
// Refused at the handshake (gRPC reports UNAVAILABLE; no handler runs): no
// certificate, a certificate of another CA, an expired or not-yet-valid one.
// Refused on every call by the authenticator: a revoked certificate
// (UNAUTHENTICATED naming its serial) and an unknown OIN (PERMISSION_DENIED
// naming it).
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/security/security_test_util.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kServerTlsEnd[] = "ca_bundle_file: \"../dev-pki/ca.crt\"\n}";

class TlsMisuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path pki = broker_.pki_dir();
    IssueCertificate(pki, {.name = "expired-ggz",
                           .oin = kGgzOin,
                           .not_before = -absl::Hours(48),
                           .not_after = -absl::Hours(24)});
    IssueCertificate(pki, {.name = "future-ggz",
                           .oin = kGgzOin,
                           .not_before = absl::Hours(24),
                           .not_after = absl::Hours(48)});
    IssueCertificate(pki, {.name = "revoked-ggz", .oin = kGgzOin});
    IssueCertificate(pki, {.name = "fresh-ggz", .oin = kGgzOin});
    WriteFile(pki / "ca.crl", MakeCrlPem(pki, {.revoked = {"revoked-ggz"}}));
    ASSERT_EQ(broker_.ReplaceInConfig(kServerTlsEnd,
                                      "ca_bundle_file: \"../dev-pki/ca.crt\"\n"
                                      "  crl_file: \"../dev-pki/ca.crl\"\n}"),
              1);
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  }

  // The broker still serves a party with a valid certificate.
  void ExpectStillServing() {
    v1::WhoAmIResponse response;
    grpc::Status status = WhoAmI(broker_.Channel("ggz"), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.party().oin(), kGgzOin);
  }

  BrokerFixture broker_;
};

TEST_F(TlsMisuseTest, NoClientCertificateIsRefusedAtTheHandshake) {
  EXPECT_EQ(WhoAmI(broker_.Channel("")).error_code(), grpc::StatusCode::UNAVAILABLE);
  ExpectStillServing();
}

TEST_F(TlsMisuseTest, CertificateOfAnotherCaIsRefusedAtTheHandshake) {
  TempDir other;
  MakeDevPki(other.path());
  // Trusts the real broker, presents a municipality certificate of another CA.
  WriteFile(other.path() / "ca.crt", ReadFile(broker_.pki_dir() / "ca.crt"));

  EXPECT_EQ(WhoAmI(MutualTlsChannel(other.path(), "municipality", broker_.port())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  ExpectStillServing();
}

TEST_F(TlsMisuseTest, ExpiredCertificateIsRefusedAtTheHandshake) {
  EXPECT_EQ(WhoAmI(broker_.Channel("expired-ggz")).error_code(), grpc::StatusCode::UNAVAILABLE);
  ExpectStillServing();
}

TEST_F(TlsMisuseTest, NotYetValidCertificateIsRefusedAtTheHandshake) {
  EXPECT_EQ(WhoAmI(broker_.Channel("future-ggz")).error_code(), grpc::StatusCode::UNAVAILABLE);
  ExpectStillServing();
}

TEST_F(TlsMisuseTest, FreshCertificateOfTheSameCaIsAccepted) {
  // The control for the cases above: a certificate made the same way, but
  // valid now and not revoked, gets in.
  v1::WhoAmIResponse response;
  grpc::Status status = WhoAmI(broker_.Channel("fresh-ggz"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.certificate_oin(), kGgzOin);
}

TEST_F(TlsMisuseTest, RevokedCertificateIsUnauthenticatedOnEveryServiceNamingItsSerial) {
  const std::string serial = SerialHexOf(broker_.pki_dir(), "revoked-ggz");
  auto channel = broker_.Channel("revoked-ggz");

  grpc::Status who = WhoAmI(channel);
  EXPECT_EQ(who.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(who.error_message(),
              AllOf(HasSubstr("revoked"), HasSubstr(serial), HasSubstr("server_tls.crl_file")));

  grpc::ClientContext case_context;
  v1::GetCaseRequest get_case;
  get_case.set_case_id("01890000-0000-7000-8000-000000000000");
  v1::CaseResponse case_response;
  EXPECT_EQ(v1::CaseService::NewStub(channel)
                ->GetCase(&case_context, get_case, &case_response)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  ExpectStillServing();  // the same party with its valid certificate
  EXPECT_THAT(ReadFile(broker_.log_path()),
              AllOf(HasSubstr("revoked certificate"), HasSubstr(serial)));
}

TEST_F(TlsMisuseTest, ReplacedCrlRevokesWithoutARestart) {
  ASSERT_TRUE(WhoAmI(broker_.Channel("fresh-ggz")).ok());

  // What a CRL refresh timer does: write the new list next to it, rename it over.
  const std::filesystem::path pki = broker_.pki_dir();
  WriteFile(pki / "ca.crl.new", MakeCrlPem(pki, {.revoked = {"revoked-ggz", "fresh-ggz"}}));
  std::filesystem::rename(pki / "ca.crl.new", pki / "ca.crl");

  EXPECT_EQ(WhoAmI(broker_.Channel("fresh-ggz")).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ExpectStillServing();
  EXPECT_THAT(ReadFile(broker_.log_path()), HasSubstr("reloaded server_tls.crl_file"));
}

TEST_F(TlsMisuseTest, BrokenCrlReplacementKeepsThePreviousRevocations) {
  WriteFile(broker_.pki_dir() / "ca.crl", "-----BEGIN X509 CRL-----\nnot a CRL\n");

  EXPECT_EQ(WhoAmI(broker_.Channel("revoked-ggz")).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ExpectStillServing();
  EXPECT_THAT(ReadFile(broker_.log_path()), HasSubstr("the previous CRLs stay in force"));
}

TEST_F(TlsMisuseTest, UnknownOinIsPermissionDeniedNamingTheOin) {
  grpc::Status status = WhoAmI(broker_.Channel("outsider"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr(kOutsiderOin));
  ExpectStillServing();
}

TEST_F(TlsMisuseTest, StartUpLogNamesTheCrlAndItsNextUpdate) {
  EXPECT_THAT(ReadFile(broker_.log_path()),
              AllOf(HasSubstr("server_tls.crl_file: 1 CRL(s)"), HasSubstr("1 revoked"),
                    HasSubstr("next update 20")));
}

}  // namespace
}  // namespace wams::testing
