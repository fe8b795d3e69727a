// CheckProviderCertificate (broker/routing/provider_certificate_check.h), the
// check the broker's TLS handshake with a provider runs before anything is
// sent, on certificates made at test time. The real handshakes are in
// impostor_provider_test.cc.
#include "broker/routing/provider_certificate_check.h"

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"

namespace wams::routing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::ReadFile;

class ProviderCertificateCheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::TempDir();
    testing::MakeDevPki(pki_->path());
    testing::IssueCertificate(pki_->path(), {.name = "ggz-and-school",
                                             .oin = testing::kGgzOin,
                                             .more_serial_numbers = {testing::kSchoolOin}});
    testing::IssueCertificate(pki_->path(), {.name = "revoked-ggz", .oin = testing::kGgzOin});
    testing::WriteFile(pki_->path() / "ca.crl",
                       testing::MakeCrlPem(pki_->path(), {.revoked = {"revoked-ggz"}}));
  }
  static void TearDownTestSuite() { delete pki_; }

  static std::string Pem(const std::string& name) {
    return ReadFile(pki_->path() / (name + ".crt"));
  }

  const ExpectedProvider ggz_{
      .name = "GGZ Voorbeeld", .oin = testing::kGgzOin, .endpoint = "127.0.0.1:7452"};
  static testing::TempDir* pki_;
};

testing::TempDir* ProviderCertificateCheckTest::pki_ = nullptr;

TEST_F(ProviderCertificateCheckTest, RegisteredPartyPasses) {
  EXPECT_TRUE(CheckProviderCertificate(Pem("ggz"), ggz_, nullptr).ok());
}

TEST_F(ProviderCertificateCheckTest, AnotherPartysCertificateIsRefusedNamingBothOins) {
  absl::Status status = CheckProviderCertificate(Pem("school"), ggz_, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("127.0.0.1:7452"), HasSubstr(testing::kSchoolOin),
                    HasSubstr("GGZ Voorbeeld"), HasSubstr(testing::kGgzOin)));
}

TEST_F(ProviderCertificateCheckTest, AmbiguousCertificateIsRefusedEvenWithTheRightOinFirst) {
  absl::Status status = CheckProviderCertificate(Pem("ggz-and-school"), ggz_, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("names no party"), HasSubstr("2 serialNumber attributes")));
}

TEST_F(ProviderCertificateCheckTest, RevokedCertificateIsRefusedOnlyWithTheCrl) {
  EXPECT_TRUE(CheckProviderCertificate(Pem("revoked-ggz"), ggz_, nullptr).ok());
  testing::FakeClock clock(absl::Now());
  absl::StatusOr<std::unique_ptr<identity::CrlFile>> crl = identity::CrlFile::Load(
      pki_->File("ca.crl"), pki_->File("ca.crt"), "client_tls.crl_file", clock);
  ASSERT_TRUE(crl.ok()) << crl.status();
  absl::Status status = CheckProviderCertificate(Pem("revoked-ggz"), ggz_, crl->get());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("revoked"), HasSubstr("client_tls.crl_file")));
  EXPECT_TRUE(CheckProviderCertificate(Pem("ggz"), ggz_, crl->get()).ok());
}

TEST_F(ProviderCertificateCheckTest, GarbageIsRefused) {
  EXPECT_EQ(CheckProviderCertificate("not a certificate", ggz_, nullptr).code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace wams::routing
