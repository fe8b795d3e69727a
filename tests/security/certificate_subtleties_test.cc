// Certificate subtleties at both ends of the trust boundary: a client
// certificate of the right CA whose subject names its party ambiguously or
// with control characters. The real wams-broker and a real wams-adapter (the
// same reader, pki/certificate_oin.h) refuse a subject with two serialNumber
// attributes, whichever comes first, naming why; a serialNumber with a
// newline is refused as no valid OIN and never echoed raw, into the error or
// the log. Certificates are made at test time, signed by the dev CA.
#include <string>

#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/adapters/adapter_harness.h"
#include "tests/security/security_test_util.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"

namespace wams::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// A serialNumber that, echoed raw, forges a log line of its own.
const std::string kForgedLine = "\n2026-01-01T00:00:00.000000Z INFO forged-by-certificate";

class CertificateSubtletiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path pki = broker_.pki_dir();
    // The party's own OIN first, another party's after it, and the reverse.
    IssueCertificate(
        pki, {.name = "ggz-then-school", .oin = kGgzOin, .more_serial_numbers = {kSchoolOin}});
    IssueCertificate(
        pki, {.name = "school-then-ggz", .oin = kSchoolOin, .more_serial_numbers = {kGgzOin}});
    IssueCertificate(
        pki,
        {.name = "broker-then-school", .oin = kBrokerOin, .more_serial_numbers = {kSchoolOin}});
    IssueCertificate(pki, {.name = "ggz-newline", .oin = kGgzOin + kForgedLine});
    IssueCertificate(pki, {.name = "broker-newline", .oin = kBrokerOin + kForgedLine});
  }

  // The broker's log: no line of it may be the forged one.
  static void ExpectNoForgedLine(const std::string& log) {
    EXPECT_THAT(log, Not(HasSubstr("forged-by-certificate"))) << log;
  }

  BrokerFixture broker_;
};

TEST_F(CertificateSubtletiesTest, BrokerRefusesTwoSerialNumbersWhicheverComesFirst) {
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  for (const char* cert : {"ggz-then-school", "school-then-ggz"}) {
    v1::WhoAmIResponse response;
    grpc::Status status = WhoAmI(broker_.Channel(cert), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << cert << " was taken for " << response.certificate_oin();
    EXPECT_THAT(status.error_message(),
                AllOf(HasSubstr("2 serialNumber attributes"), HasSubstr("exactly one")))
        << cert;
  }
  // The control: the same party with one serialNumber is served.
  grpc::Status genuine = WhoAmI(broker_.Channel("ggz"));
  EXPECT_TRUE(genuine.ok()) << genuine.error_message();
}

TEST_F(CertificateSubtletiesTest, BrokerNeverEchoesANewlineInASerialNumber) {
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  grpc::Status status = WhoAmI(broker_.Channel("ggz-newline"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_THAT(status.error_message(), AllOf(HasSubstr("not a valid OIN"), Not(HasSubstr("\n")),
                                            Not(HasSubstr("forged-by-certificate"))));
  // The log is read after the broker stopped, so every line it wrote is in.
  EXPECT_EQ(broker_.Stop(), 0);
  ExpectNoForgedLine(ReadFile(broker_.log_path()));
}

TEST_F(CertificateSubtletiesTest, AdapterRefusesTwoSerialNumbersEvenWithTheBrokersFirst) {
  ReferenceAdapter adapter(broker_.pki_dir(), "school");
  ASSERT_TRUE(adapter.Start()) << adapter.Log();

  BrokerCaller impostor(broker_.pki_dir(), adapter.port(), "broker-then-school");
  v1::ProviderResponse response;
  grpc::Status status = impostor.Deliver(GrantedRequest(kClientBsn, {"attendance"}), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "answered with " << response.data_size() << " categories of data";
  EXPECT_THAT(status.error_message(), HasSubstr("2 serialNumber attributes"));

  // The control: the broker's own certificate is answered.
  BrokerCaller genuine(broker_.pki_dir(), adapter.port());
  grpc::Status answered = genuine.Deliver(GrantedRequest(kClientBsn, {"attendance"}), &response);
  EXPECT_TRUE(answered.ok()) << answered.error_message();

  EXPECT_EQ(adapter.process().Stop(SIGTERM), 0);
  const std::string log = adapter.Log();
  EXPECT_THAT(log, HasSubstr("2 serialNumber attributes"));
  // Only the genuine call was delivered.
  size_t delivered = 0;
  for (size_t at = log.find("deliver request_id="); at != std::string::npos;
       at = log.find("deliver request_id=", at + 1)) {
    ++delivered;
  }
  EXPECT_EQ(delivered, 1u) << log;
}

TEST_F(CertificateSubtletiesTest, AdapterNeverEchoesANewlineInASerialNumber) {
  ReferenceAdapter adapter(broker_.pki_dir(), "school");
  ASSERT_TRUE(adapter.Start()) << adapter.Log();

  BrokerCaller impostor(broker_.pki_dir(), adapter.port(), "broker-newline");
  v1::ProviderResponse response;
  grpc::Status status = impostor.Deliver(GrantedRequest(kClientBsn, {"attendance"}), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_THAT(status.error_message(), AllOf(HasSubstr("not a valid OIN"), Not(HasSubstr("\n")),
                                            Not(HasSubstr("forged-by-certificate"))));

  EXPECT_EQ(adapter.process().Stop(SIGTERM), 0);
  const std::string log = adapter.Log();
  EXPECT_THAT(log, HasSubstr("not a valid OIN"));
  ExpectNoForgedLine(log);
}

}  // namespace
}  // namespace wams::testing
