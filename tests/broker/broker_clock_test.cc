// The composition root passes its one clock to every part: a broker started
// in-process with BrokerServerOptions::clock = a FakeClock answers over real
// gRPC (loopback, mTLS) with cases and receipts that carry the fake instant.
#include <chrono>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "broker/config/config_loader.h"
#include "broker/services/broker_server.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/fake_clock.h"
#include "wams/broker/v1/case.grpc.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;

// 2026-01-01T09:30:00.000000250Z: not the machine's time.
const absl::Time kInstant = absl::FromUnixNanos(1'767'259'800'000'000'250);

absl::Time TimeOf(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

absl::Time ReceiptTime(const v1::SignedReceipt& signed_receipt) {
  v1::Receipt receipt;
  EXPECT_TRUE(receipt.ParseFromString(signed_receipt.receipt_bytes()));
  return TimeOf(receipt.time());
}

void Prepare(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  context->AddMetadata("x-wams-professional-id", "wmo-consulent-12");
}

TEST(BrokerClockTest, ReceiptsAndCasesOverGrpcCarryTheInjectedClocksTime) {
  BrokerFixture fixture;  // the dev PKI and config; no process is started
  absl::StatusOr<v1::BrokerConfig> config = config::LoadBrokerConfig(fixture.config_path());
  ASSERT_TRUE(config.ok()) << config.status();
  FakeClock clock(kInstant);
  absl::StatusOr<std::unique_ptr<services::BrokerServer>> server =
      services::BrokerServer::Start(*config, {.clock = &clock});
  ASSERT_TRUE(server.ok()) << server.status();
  auto cases = v1::CaseService::NewStub(
      MutualTlsChannel(fixture.pki_dir(), "municipality", (*server)->port()));

  v1::OpenClientCaseRequest open;
  open.set_request_id("open-1");
  open.set_client_bsn(kClientBsn);
  open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
  grpc::ClientContext open_context;
  Prepare(&open_context);
  v1::CaseResponse opened;
  grpc::Status status = cases->OpenClientCase(&open_context, open, &opened);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
  EXPECT_EQ(TimeOf(opened.case_().opened_at()), kInstant);
  EXPECT_EQ(ReceiptTime(opened.receipt()), kInstant);

  clock.Advance(absl::Hours(36));
  v1::GetCaseRequest get;
  get.set_case_id(opened.case_().case_id());
  grpc::ClientContext get_context;
  Prepare(&get_context);
  v1::CaseResponse read;
  status = cases->GetCase(&get_context, get, &read);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
  EXPECT_EQ(ReceiptTime(read.receipt()), kInstant + absl::Hours(36));
  EXPECT_EQ(TimeOf(read.case_().opened_at()), kInstant);

  (*server)->Shutdown(absl::ZeroDuration());
}

}  // namespace
}  // namespace wams::testing
