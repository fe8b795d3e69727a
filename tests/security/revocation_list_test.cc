// RevocationList and CrlFile (broker/identity/revocation_list.h) on CRLs and
// certificates made at test time: what is revoked, what is not, and which
// CRL files are refused.
#include "broker/identity/revocation_list.h"

#include <filesystem>

#include "absl/time/clock.h"
#include "broker/base/pki/certificate_oin.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"

namespace wams::identity {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::ReadFile;
using ::wams::testing::FakeClock;
using ::wams::testing::StatusIs;

constexpr char kField[] = "server_tls.crl_file";

class RevocationListTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::TempDir();
    testing::MakeDevPki(pki_->path());
    testing::IssueCertificate(pki_->path(), {.name = "revoked", .oin = "00000003234567890000"});
  }
  static void TearDownTestSuite() { delete pki_; }

  static pki::X509Ptr Certificate(const std::string& name) {
    absl::StatusOr<pki::X509Ptr> cert =
        pki::ParseCertificatePem(ReadFile(pki_->path() / (name + ".crt")));
    EXPECT_TRUE(cert.ok()) << cert.status();
    return cert.ok() ? *std::move(cert) : nullptr;
  }
  static std::string Bundle() { return ReadFile(pki_->path() / "ca.crt"); }

  // The CRLs made here have their nextUpdate a day after the real time.
  FakeClock clock_{absl::Now()};

  static testing::TempDir* pki_;
};
testing::TempDir* RevocationListTest::pki_ = nullptr;

TEST_F(RevocationListTest, ListedCertificateIsUnauthenticatedOthersPass) {
  auto list = RevocationList::Parse(testing::MakeCrlPem(pki_->path(), {.revoked = {"revoked"}}),
                                    Bundle(), kField);
  ASSERT_TRUE(list.ok()) << list.status();

  absl::Status revoked = (*list)->Check(*Certificate("revoked"));
  EXPECT_EQ(revoked.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(revoked.message(), AllOf(HasSubstr(testing::SerialHexOf(pki_->path(), "revoked")),
                                       HasSubstr("CN=Wams Dev Root CA"), HasSubstr(kField)));
  EXPECT_TRUE((*list)->Check(*Certificate("ggz")).ok());
  EXPECT_THAT((*list)->summary(), AllOf(HasSubstr("1 CRL(s)"), HasSubstr("1 revoked")));
}

TEST_F(RevocationListTest, DerCrlIsAccepted) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "crl.pem",
                     testing::MakeCrlPem(pki_->path(), {.revoked = {"revoked"}}));
  std::string output;
  ASSERT_EQ(testing::RunCommand({"openssl", "crl", "-in", dir.File("crl.pem"), "-outform", "DER",
                                 "-out", dir.File("crl.der")},
                                &output),
            0)
      << output;
  auto list = RevocationList::Parse(ReadFile(dir.path() / "crl.der"), Bundle(), kField);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT((*list)->Check(*Certificate("revoked")),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(RevocationListTest, CertificateOfAnotherIssuerIsNotJudgedByThisCrl) {
  testing::TempDir other;
  testing::MakeDevPki(other.path());
  // The other CA has the same subject name: only a CRL that verifies with
  // the bundle's key may revoke.
  auto list = RevocationList::Parse(testing::MakeCrlPem(pki_->path(), {.revoked = {"revoked"}}),
                                    Bundle(), kField);
  ASSERT_TRUE(list.ok());
  absl::StatusOr<pki::X509Ptr> foreign =
      pki::ParseCertificatePem(ReadFile(other.path() / "ggz.crt"));
  ASSERT_TRUE(foreign.ok());
  EXPECT_TRUE((*list)->Check(**foreign).ok());
}

TEST_F(RevocationListTest, UnusableCrlsAreRefusedNamingTheField) {
  testing::TempDir other;
  testing::MakeDevPki(other.path());
  struct Case {
    std::string crl;
    std::string bundle;
    std::string message;
  };
  std::string good = testing::MakeCrlPem(pki_->path(), {});
  for (const Case& c : std::vector<Case>{
           {"", Bundle(), "no CRL in the file"},
           {"garbage", Bundle(), "no CRL in the file"},
           {good.substr(0, good.size() - 40), Bundle(), "does not parse"},
           {testing::MakeCrlPem(other.path(), {}), Bundle(), "does not verify"},
           {good, "not a bundle", "server_tls.ca_bundle_file"},
       }) {
    auto list = RevocationList::Parse(c.crl, c.bundle, kField);
    ASSERT_THAT(list, StatusIs(absl::StatusCode::kFailedPrecondition)) << c.message;
    EXPECT_THAT(list.status().message(), AllOf(HasSubstr(kField), HasSubstr(c.message)));
  }
}

TEST_F(RevocationListTest, CrlFileFollowsReplacementsAndKeepsTheLastGoodList) {
  testing::TempDir dir;
  const std::filesystem::path crl = dir.path() / "ca.crl";
  testing::WriteFile(crl, testing::MakeCrlPem(pki_->path(), {}));
  auto file = CrlFile::Load(crl.string(), (pki_->path() / "ca.crt").string(), kField, clock_);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE((*file)->Check(*Certificate("revoked")).ok());

  testing::WriteFile(dir.path() / "new.crl",
                     testing::MakeCrlPem(pki_->path(), {.revoked = {"revoked"}}));
  std::filesystem::rename(dir.path() / "new.crl", crl);
  EXPECT_EQ((*file)->Check(*Certificate("revoked")).code(), absl::StatusCode::kUnauthenticated);

  testing::WriteFile(crl, "broken");
  EXPECT_EQ((*file)->Check(*Certificate("revoked")).code(), absl::StatusCode::kUnauthenticated)
      << "a broken replacement must not lift the revocations";
  std::filesystem::remove(crl);
  EXPECT_EQ((*file)->Check(*Certificate("revoked")).code(), absl::StatusCode::kUnauthenticated)
      << "a missing file must not lift the revocations";
}

TEST_F(RevocationListTest, StalenessFollowsTheInjectedClockAndAStaleListStaysInForce) {
  testing::TempDir dir;
  const std::filesystem::path crl = dir.path() / "ca.crl";
  testing::WriteFile(crl, testing::MakeCrlPem(pki_->path(), {.revoked = {"revoked"}}));
  auto file = CrlFile::Load(crl.string(), (pki_->path() / "ca.crt").string(), kField, clock_);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_FALSE((*file)->Stale());

  clock_.Advance(absl::Hours(25));  // past the nextUpdate, a day ahead
  EXPECT_TRUE((*file)->Stale());
  EXPECT_EQ((*file)->Check(*Certificate("revoked")).code(), absl::StatusCode::kUnauthenticated)
      << "a CRL past its nextUpdate is still the best knowledge there is";

  clock_.Set((*file)->Current()->next_update());  // not past it: at it
  EXPECT_FALSE((*file)->Stale());
}

TEST_F(RevocationListTest, MissingCrlFileIsNotFoundNamingTheField) {
  auto file =
      CrlFile::Load("/nonexistent/ca.crl", (pki_->path() / "ca.crt").string(), kField, clock_);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(file.status().message(), HasSubstr(kField));
}

}  // namespace
}  // namespace wams::identity
