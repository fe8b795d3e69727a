// pki::OinFromCertificate, the one OIN reader of broker and adapter SDK, on
// dev-PKI certificates and on certificates made at test time: the OIN is read
// from the parsed subject, and a subject that does not name exactly one valid
// OIN is refused, saying why, without repeating what it holds.
#include "broker/base/pki/certificate_oin.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"

namespace wams::pki {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGgzOin[] = "00000003234567890000";
constexpr char kSchoolOin[] = "00000003345678900000";

class CertificateOinTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::TempDir();
    testing::MakeDevPki(pki_->path());
  }
  static void TearDownTestSuite() { delete pki_; }

  // Issues `name` with `spec` and reads its OIN.
  static absl::StatusOr<std::string> OinOfIssued(testing::CertificateSpec spec) {
    testing::IssueCertificate(pki_->path(), spec);
    return OinFromCertificatePem(testing::ReadFile(pki_->path() / (spec.name + ".crt")));
  }

  static testing::TempDir* pki_;
};

testing::TempDir* CertificateOinTest::pki_ = nullptr;

TEST_F(CertificateOinTest, ReadsOinFromSubjectSerialNumber) {
  absl::StatusOr<std::string> oin =
      OinFromCertificatePem(testing::ReadFile(pki_->path() / "police.crt"));
  ASSERT_TRUE(oin.ok()) << oin.status();
  EXPECT_EQ(*oin, "00000001003214345000");
}

TEST_F(CertificateOinTest, OrganisationNameWithCommaDoesNotConfuseTheReader) {
  testing::TempDir dir;
  std::string output;
  // A subject whose O holds a comma and an "=": splitting the subject string
  // would go wrong here.
  ASSERT_EQ(
      testing::RunCommand(
          {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
           "-nodes", "-keyout", dir.File("k.pem"), "-out", dir.File("c.pem"), "-days", "1", "-subj",
           "/O=Zorg\\, Welzijn serialNumber=1/serialNumber=00000003000000000001/CN=x"},
          &output),
      0)
      << output;
  absl::StatusOr<std::string> oin = OinFromCertificatePem(testing::ReadFile(dir.File("c.pem")));
  ASSERT_TRUE(oin.ok()) << oin.status();
  EXPECT_EQ(*oin, "00000003000000000001");
}

TEST_F(CertificateOinTest, CertificateWithoutSerialNumberIsUnauthenticated) {
  // The dev CA's own certificate has no serialNumber in its subject.
  absl::StatusOr<std::string> oin =
      OinFromCertificatePem(testing::ReadFile(pki_->path() / "ca.crt"));
  EXPECT_EQ(oin.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(oin.status().message(), HasSubstr("no serialNumber"));
}

TEST_F(CertificateOinTest, GarbageIsUnauthenticated) {
  EXPECT_EQ(OinFromCertificatePem("not a certificate").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(CertificateOinTest, TwoSerialNumbersAreRefusedWhicheverComesFirst) {
  for (const auto& [first, second] : {std::pair{kGgzOin, kSchoolOin}, {kSchoolOin, kGgzOin}}) {
    absl::StatusOr<std::string> oin =
        OinOfIssued({.name = "two-serials", .oin = first, .more_serial_numbers = {second}});
    EXPECT_EQ(oin.status().code(), absl::StatusCode::kUnauthenticated) << oin.status();
    EXPECT_THAT(oin.status().message(),
                AllOf(HasSubstr("2 serialNumber attributes"), HasSubstr("exactly one")));
  }
}

TEST_F(CertificateOinTest, SameSerialNumberTwiceIsRefusedToo) {
  absl::StatusOr<std::string> oin =
      OinOfIssued({.name = "same-twice", .oin = kGgzOin, .more_serial_numbers = {kGgzOin}});
  EXPECT_EQ(oin.status().code(), absl::StatusCode::kUnauthenticated) << oin.status();
}

TEST_F(CertificateOinTest, SerialNumberWithNewlineIsRefusedWithoutEchoingIt) {
  absl::StatusOr<std::string> oin =
      OinOfIssued({.name = "newline", .oin = std::string(kGgzOin) + "\nWARNING forged line"});
  EXPECT_EQ(oin.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(oin.status().message(),
              AllOf(HasSubstr("not a valid OIN"), HasSubstr("byte 21 is not a digit (0x0a)"),
                    Not(HasSubstr("\n")), Not(HasSubstr("forged")), Not(HasSubstr(kGgzOin))));
}

TEST_F(CertificateOinTest, SerialNumbersThatAreNoOinAreRefusedNamingTheFirstBadByte) {
  struct Case {
    std::string serial;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"111222333", "9 bytes"},  // a BSN typed into the field is not repeated either
           {"0000000323456789000A", "20 bytes, byte 20 is not a digit (0x41)"},
           {"00000000000000000000", "20 bytes, all zeros"},
           {std::string(5000, '7'), "5000 bytes"},
           {"00000003234567890000\x1b[31m", "25 bytes, byte 21 is not a digit (0x1b)"},
       }) {
    absl::StatusOr<std::string> oin = OinOfIssued({.name = "not-an-oin", .oin = c.serial});
    EXPECT_EQ(oin.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(std::string(oin.status().message()),
                AllOf(HasSubstr("not a valid OIN"), HasSubstr(c.why)));
    EXPECT_THAT(oin.status().message(), Not(HasSubstr(c.serial.substr(0, 9))));
    EXPECT_LT(oin.status().message().size(), 160u);
  }
}

TEST(IsValidOin, TwentyDigitsNotAllZeros) {
  EXPECT_TRUE(IsValidOin(kGgzOin));
  EXPECT_FALSE(IsValidOin("0000000323456789000"));
  EXPECT_FALSE(IsValidOin("000000032345678900000"));
  EXPECT_FALSE(IsValidOin("0000000323456789000 "));
  EXPECT_FALSE(IsValidOin("00000000000000000000"));
  EXPECT_FALSE(IsValidOin(""));
}

}  // namespace
}  // namespace wams::pki
