#include "broker/identity/certificate_oin.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/temp_dir.h"

namespace wams::identity {
namespace {

using ::testing::HasSubstr;

TEST(CertificateOin, ReadsOinFromSubjectSerialNumber) {
  testing::TempDir dir;
  testing::MakeDevPki(dir.path());
  absl::StatusOr<std::string> oin =
      OinFromCertificatePem(testing::ReadFile(dir.path() / "police.crt"));
  ASSERT_TRUE(oin.ok()) << oin.status();
  EXPECT_EQ(*oin, "00000001003214345000");
}

TEST(CertificateOin, OrganisationNameWithCommaDoesNotConfuseTheReader) {
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

TEST(CertificateOin, CertificateWithoutSerialNumberIsUnauthenticated) {
  testing::TempDir dir;
  std::string output;
  ASSERT_EQ(testing::RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                 "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir.File("k.pem"),
                                 "-out", dir.File("c.pem"), "-days", "1", "-subj", "/CN=no-oin"},
                                &output),
            0)
      << output;
  absl::StatusOr<std::string> oin = OinFromCertificatePem(testing::ReadFile(dir.File("c.pem")));
  EXPECT_EQ(oin.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(oin.status().message(), HasSubstr("serialNumber"));
}

TEST(CertificateOin, GarbageIsUnauthenticated) {
  EXPECT_EQ(OinFromCertificatePem("not a certificate").status().code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace wams::identity
