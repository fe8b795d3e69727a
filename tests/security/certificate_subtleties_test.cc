// Certificate subtleties at both ends of the trust boundary: a client
// certificate of the right CA whose subject names its party ambiguously or
// with control characters. The real wams-broker and a real wams-adapter (the
// same reader, pki/certificate_oin.h) refuse a subject with two serialNumber
// attributes, whichever comes first, naming why; a serialNumber with a
// newline is refused as no valid OIN and never echoed raw, into the error or
// the log. Certificates are made at test time, signed by the dev CA.
#include <signal.h>

#include <memory>
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

  // A wams-adapter for the school, called directly (as the broker would).
  void StartAdapter() {
    adapter_ = std::make_unique<ReferenceAdapter>(broker_.pki_dir(), "school");
    ASSERT_TRUE(adapter_->Start()) << adapter_->Log();
  }
  // One granted request to the adapter, presenting `cert_name`; the channel
  // closes on return, so the adapter can stop at once afterwards.
  grpc::Status DeliverToAdapterAs(const std::string& cert_name, v1::ProviderResponse* response) {
    BrokerCaller caller(broker_.pki_dir(), adapter_->port(), cert_name);
    return caller.Deliver(GrantedRequest(kClientBsn, {"attendance"}), response);
  }
  // Stops the adapter; everything it logged.
  std::string StopAdapter() {
    EXPECT_EQ(adapter_->process().Stop(SIGTERM), 0);
    return adapter_->Log();
  }

  BrokerFixture broker_;
  std::unique_ptr<ReferenceAdapter> adapter_;
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
  ASSERT_NO_FATAL_FAILURE(StartAdapter());
  v1::ProviderResponse response;
  grpc::Status status = DeliverToAdapterAs("broker-then-school", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "answered with " << response.data_size() << " categories of data";
  EXPECT_THAT(status.error_message(), HasSubstr("2 serialNumber attributes"));
  // The control: the broker's own certificate is answered.
  grpc::Status answered = DeliverToAdapterAs("broker", &response);
  EXPECT_TRUE(answered.ok()) << answered.error_message();

  const std::string log = StopAdapter();
  EXPECT_THAT(log, HasSubstr("2 serialNumber attributes"));
  EXPECT_EQ(DeliveredRequests(log), 1) << log;  // the genuine call only
}

TEST_F(CertificateSubtletiesTest, AdapterNeverEchoesANewlineInASerialNumber) {
  ASSERT_NO_FATAL_FAILURE(StartAdapter());
  v1::ProviderResponse response;
  grpc::Status status = DeliverToAdapterAs("broker-newline", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_THAT(status.error_message(), AllOf(HasSubstr("not a valid OIN"), Not(HasSubstr("\n")),
                                            Not(HasSubstr("forged-by-certificate"))));

  const std::string log = StopAdapter();
  EXPECT_THAT(log, HasSubstr("not a valid OIN"));
  ExpectNoForgedLine(log);
}

}  // namespace
}  // namespace wams::testing
