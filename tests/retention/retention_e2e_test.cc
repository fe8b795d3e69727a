// Retention and erasure end to end: a broker started in-process over real
// gRPC (loopback, mTLS) and real RocksDB with its subject key table, a
// FakeClock, and the school's adapter a TestProvider. A case is opened, data is requested and
// answered, the case is closed; the clock passes the term; the job runs on its thread: the
// disclosure overview says nothing is held, and the log stays consistent with
// the checkpoint issued before and verifies offline with wams-audit. Erasure
// refusals come back with their codes and fields.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "broker/config/config_loader.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/services/broker_server.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/test_provider.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kStart = absl::FromUnixSeconds(1'767'259'800);  // 2026-01-01T09:30Z
const absl::Duration kTerm = absl::Hours(24 * 365);
constexpr char kOfficer[] = "fg-privacy-1";

void Prepare(grpc::ClientContext* context, const std::string& professional) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  context->AddMetadata("x-wams-professional-id", professional);
}

ledger::Digest DigestOf(const std::string& bytes) {
  ledger::Digest d{};
  EXPECT_EQ(bytes.size(), d.size());
  std::copy_n(bytes.begin(), std::min(bytes.size(), d.size()), d.begin());
  return d;
}

class RetentionEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    school_ = std::make_unique<TestProvider>(fixture_.pki_dir(), "school");
    ASSERT_EQ(fixture_.ReplaceInConfig("127.0.0.1:7453", school_->endpoint()), 1);
    absl::StatusOr<v1::BrokerConfig> config = config::LoadBrokerConfig(fixture_.config_path());
    ASSERT_TRUE(config.ok()) << config.status();
    config->add_privacy_officer_ids(kOfficer);
    absl::StatusOr<std::unique_ptr<services::BrokerServer>> server =
        services::BrokerServer::Start(*config, {.clock = &clock_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    cases_ = v1::CaseService::NewStub(
        MutualTlsChannel(fixture_.pki_dir(), "municipality", server_->port()));
    officer_ = v1::AuditService::NewStub(
        MutualTlsChannel(fixture_.pki_dir(), "municipality", server_->port()));
    auditor_ =
        v1::AuditService::NewStub(MutualTlsChannel(fixture_.pki_dir(), "auditor", server_->port()));
    exchange_ = v1::ExchangeService::NewStub(
        MutualTlsChannel(fixture_.pki_dir(), "municipality", server_->port()));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
  }

  std::string OpenAndCloseCase() {
    v1::OpenClientCaseRequest open;
    open.set_request_id("open-1");
    open.set_client_bsn(kClientBsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
    grpc::ClientContext open_context;
    Prepare(&open_context, "wmo-consulent-12");
    v1::CaseResponse opened;
    grpc::Status status = cases_->OpenClientCase(&open_context, open, &opened);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();

    v1::AddFamilyMemberRequest add;
    add.set_case_id(opened.case_().case_id());
    add.set_bsn(kFamilyBsn);
    add.set_agreed(true);
    grpc::ClientContext add_context;
    Prepare(&add_context, "wmo-consulent-12");
    v1::CaseResponse added;
    status = cases_->AddFamilyMember(&add_context, add, &added);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();

    // A data request the school answers: an exchange the overview lists.
    v1::DataRequest request;
    request.set_request_id("req-1");
    request.set_case_id(opened.case_().case_id());
    request.set_subject_bsn(kClientBsn);
    request.set_provider_oin(kSchoolOin);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    request.add_categories("attendance");
    request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
    grpc::ClientContext request_context;
    Prepare(&request_context, "wmo-consulent-12");
    v1::DataResponse answer;
    status = exchange_->RequestData(&request_context, request, &answer);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();

    v1::CloseCaseRequest close;
    close.set_case_id(opened.case_().case_id());
    close.set_reason("Hulp afgerond");
    grpc::ClientContext close_context;
    Prepare(&close_context, "wmo-consulent-12");
    v1::CaseResponse closed;
    status = cases_->CloseCase(&close_context, close, &closed);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
    return opened.case_().case_id();
  }

  grpc::Status Disclosure(const std::string& bsn, v1::DisclosureResponse* response) {
    v1::DisclosureRequest request;
    request.set_subject_bsn(bsn);
    request.set_language(v1::LANGUAGE_ENGLISH);
    grpc::ClientContext context;
    Prepare(&context, kOfficer);
    return officer_->GetDisclosureOverview(&context, request, response);
  }
  grpc::Status Checkpoint(v1::Checkpoint* checkpoint) {
    grpc::ClientContext context;
    Prepare(&context, "auditor-1");
    return auditor_->GetCheckpoint(&context, v1::GetCheckpointRequest(), checkpoint);
  }
  grpc::Status Erase(const v1::EraseSubjectRequest& request, const std::string& professional,
                     v1::EraseSubjectResponse* response, v1::AuditService::Stub* stub = nullptr) {
    grpc::ClientContext context;
    Prepare(&context, professional);
    return (stub != nullptr ? stub : officer_.get())->EraseSubject(&context, request, response);
  }
  // Receipts ListReceipts finds by `bsn`, other than the audit queries
  // themselves (a query names whom it read about, under a fresh key once the
  // old one is shredded).
  size_t FoundByBsn(const std::string& bsn) {
    v1::ListReceiptsRequest request;
    request.set_subject_bsn(bsn);
    grpc::ClientContext context;
    Prepare(&context, "auditor-1");
    v1::ListReceiptsResponse page;
    grpc::Status status = auditor_->ListReceipts(&context, request, &page);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
    size_t found = 0;
    for (const v1::SignedReceipt& r : page.receipts()) {
      v1::Receipt receipt;
      EXPECT_TRUE(receipt.ParseFromString(r.receipt_bytes()));
      if (receipt.kind() != v1::RECEIPT_KIND_AUDIT_QUERY) ++found;
    }
    return found;
  }
  static v1::EraseSubjectRequest Request(const std::string& bsn) {
    v1::EraseSubjectRequest request;
    request.set_subject_bsn(bsn);
    request.set_basis(v1::ERASURE_BASIS_DATA_SUBJECT_REQUEST);
    request.set_justification("Verzoek AVG-2026-0042");
    return request;
  }

  BrokerFixture fixture_;
  std::unique_ptr<TestProvider> school_;
  FakeClock clock_{kStart};
  std::unique_ptr<services::BrokerServer> server_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::AuditService::Stub> officer_;
  std::unique_ptr<v1::AuditService::Stub> auditor_;
  std::unique_ptr<v1::ExchangeService::Stub> exchange_;
};

TEST_F(RetentionEndToEndTest, AfterTheTermNothingIsHeldAndTheLogStillVerifies) {
  OpenAndCloseCase();
  v1::DisclosureResponse before;
  grpc::Status status = Disclosure(kClientBsn, &before);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
  ASSERT_GT(before.entries_size(), 0);
  ASSERT_GT(FoundByBsn(kClientBsn), 0u);
  v1::Checkpoint issued;
  status = Checkpoint(&issued);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();

  // The job runs on its thread once the fake clock passes term and interval.
  ASSERT_NE(server_->retention_job(), nullptr);
  clock_.Advance(kTerm + absl::Hours(1));
  ASSERT_TRUE(server_->retention_job()->AwaitRuns(1, absl::Now() + absl::Seconds(60)));
  EXPECT_EQ(server_->retention_job()->stats().failed_runs, 0u);
  EXPECT_GT(server_->retention_job()->stats().items_removed, 0u);

  for (const char* bsn : {kClientBsn, kFamilyBsn}) {
    v1::DisclosureResponse after;
    status = Disclosure(bsn, &after);
    ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
    EXPECT_THAT(after.entries(), IsEmpty()) << bsn;
    EXPECT_EQ(FoundByBsn(bsn), 0u) << bsn;
  }

  // The log after the run is an extension of the checkpoint issued before.
  v1::Checkpoint now;
  status = Checkpoint(&now);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
  ASSERT_GT(now.tree_size(), issued.tree_size());
  v1::GetConsistencyProofRequest ask;
  ask.set_old_size(issued.tree_size());
  ask.set_new_size(now.tree_size());
  grpc::ClientContext proof_context;
  Prepare(&proof_context, "auditor-1");
  v1::ConsistencyProof proof;
  status = auditor_->GetConsistencyProof(&proof_context, ask, &proof);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
  std::vector<ledger::Digest> hashes;
  for (const std::string& h : proof.hashes()) hashes.push_back(DigestOf(h));
  EXPECT_TRUE(ledger::VerifyConsistency(issued.tree_size(), now.tree_size(),
                                        DigestOf(issued.root_hash()), DigestOf(now.root_hash()),
                                        hashes)
                  .ok());

  // And the whole export verifies offline with public keys alone.
  server_->Shutdown(absl::ZeroDuration());
  server_.reset();
  std::string output;
  EXPECT_EQ(fixture_.ExportAndVerify(fixture_.root() / "export", &output), 0) << output;
}

TEST_F(RetentionEndToEndTest, ErasureOverGrpcRefusesWithCodesNamingTheField) {
  v1::EraseSubjectResponse response;
  // No privacy officer: a municipality professional, and the auditor.
  grpc::Status status = Erase(Request(kClientBsn), "wmo-consulent-12", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  status = Erase(Request(kClientBsn), "auditor-1", &response, auditor_.get());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();

  v1::EraseSubjectRequest bad_bsn = Request("123456789");
  status = Erase(bad_bsn, kOfficer, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("subject_bsn"));

  v1::EraseSubjectRequest no_basis = Request(kClientBsn);
  no_basis.clear_basis();
  status = Erase(no_basis, kOfficer, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("basis"));

  v1::EraseSubjectRequest no_reason = Request(kClientBsn);
  no_reason.clear_justification();
  status = Erase(no_reason, kOfficer, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("justification"));
}

TEST_F(RetentionEndToEndTest, ErasureOverGrpcLeavesNothingToDisclose) {
  OpenAndCloseCase();
  v1::DisclosureResponse before;
  grpc::Status status = Disclosure(kClientBsn, &before);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
  ASSERT_GT(before.entries_size(), 0);

  v1::EraseSubjectResponse erased;
  status = Erase(Request(kClientBsn), kOfficer, &erased);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
  EXPECT_EQ(erased.cases_removed(), 1u);
  EXPECT_EQ(erased.keys_shredded(), 1u);

  v1::DisclosureResponse after;
  status = Disclosure(kClientBsn, &after);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::OK) << status.error_message();
  EXPECT_THAT(after.entries(), IsEmpty());
  EXPECT_EQ(FoundByBsn(kClientBsn), 0u);

  server_->Shutdown(absl::ZeroDuration());
  server_.reset();
  std::string output;
  EXPECT_EQ(fixture_.ExportAndVerify(fixture_.root() / "export", &output), 0) << output;
}

}  // namespace
}  // namespace wams::testing
