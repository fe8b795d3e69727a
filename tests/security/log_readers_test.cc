// The receipt log and its readers stay usable whatever got into it (issue 15
// items 2 and 11): a real wams-broker on a log planted, before it starts,
// with a 6 MiB receipt written before limits.max_receipt_bytes existed, 24
// receipts of 600 KiB (allowed: the test's limit is 1 MiB) and 2,500 small
// ones, all about one client. Then:
//   - `wams-audit fetch`, `verify` and `monitor` work (their receive limit
//     covers the largest message; gRPC's default 4 MiB stopped them for good);
//   - ListReceipts pages end before 3 MiB of receipts, and the disclosure
//     overview is paged (at most 1000 receipts a page, page_size clamped),
//     its document numbered on across pages;
//   - a party holding limits.per_party_export_streams stalled Export streams
//     gets RESOURCE_EXHAUSTED naming it for one more, and the stalled streams
//     are cancelled after limits.export_idle_timeout, freeing the slots;
//   - the ledger refuses a receipt over limits.max_receipt_bytes, appending
//     nothing.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/time/clock.h"
#include "broker/base/files/private_dir.h"
#include "broker/base/message_limits.h"
#include "broker/config/config_loader.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gmock/gmock.h"
#include "grpc/grpc.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPrivacyOfficer[] = "fg-officer-1";
constexpr size_t kOldReceiptBytes = 6 << 20;  // over gRPC's default 4 MiB receive limit
constexpr int kLargeReceipts = 24;
constexpr size_t kLargeReceiptBytes = 600 << 10;
constexpr int kSmallReceipts = 2500;

v1::Receipt Decision(const std::string& pseudonym, size_t detail_bytes, int n) {
  v1::Receipt r;
  r.set_receipt_id(absl::StrCat("planted-", n));
  r.set_kind(v1::RECEIPT_KIND_DECISION);
  r.set_outcome(v1::RECEIPT_OUTCOME_REFUSED);
  r.set_requester_oin(kMunicipalityOin);
  r.set_target_oin(kGgzOin);
  r.set_subject_pseudonym(pseudonym);
  r.add_categories("treatment_status");
  r.set_purpose(v1::PURPOSE_RESEARCH);
  r.mutable_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  r.set_detail(std::string(detail_bytes, 'x'));
  return r;
}

// The resident memory of process `pid` in KiB (a figure printed, never asserted).
long RssKib(pid_t pid) {
  std::string status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  size_t at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::atol(status.c_str() + at + 6);
}

class LogReadersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(broker_.ReplaceInConfig("max_receipt_bytes: 65536", "max_receipt_bytes: 1048576"), 1);
    ASSERT_EQ(broker_.ReplaceInConfig("export_idle_timeout { seconds: 60 }",
                                      "export_idle_timeout { seconds: 2 }"),
              1);
    WriteFile(broker_.config_path(), ReadFile(broker_.config_path()) + "\nprivacy_officer_ids: \"" +
                                         kPrivacyOfficer + "\"\n");
    ASSERT_NO_FATAL_FAILURE(PlantReceipts());
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  }

  // Appends the planted receipts with the broker's own keys, as the broker
  // would have, into the data dir it will open.
  void PlantReceipts() {
    absl::StatusOr<v1::BrokerConfig> config = config::LoadBrokerConfig(broker_.config_path());
    ASSERT_TRUE(config.ok()) << config.status();
    ASSERT_TRUE(files::PreparePrivateDirectory(config->data_dir(), "data_dir").ok());
    absl::StatusOr<ledger::store::LedgerSetup> setup =
        ledger::store::LoadLedgerSetup(config->ledger());
    ASSERT_TRUE(setup.ok()) << setup.status();
    pseudonym_ = setup->pseudonymizer.Pseudonymize(kClientBsn);
    auto storage = ::wams::storage::RocksDbBackend::Open(config->data_dir(),
                                                         ::wams::storage::RocksDbOptions());
    ASSERT_TRUE(storage.ok()) << storage.status();
    // A log from before the cap may hold a receipt of any size.
    setup->options.max_receipt_bytes = 8 << 20;
    auto ledger =
        ledger::store::Ledger::Open(**storage, std::move(setup->signer), std::move(setup->options));
    ASSERT_TRUE(ledger.ok()) << ledger.status();

    v1::Receipt old = Decision(pseudonym_, kOldReceiptBytes, 0);
    old.set_kind(v1::RECEIPT_KIND_AUDIT_QUERY);
    old.clear_target_oin();
    ASSERT_TRUE((*ledger)->Append(old).ok());
    absl::BlockingCounter appended(kLargeReceipts + kSmallReceipts);
    std::atomic<int> failed = 0;
    for (int i = 1; i <= kLargeReceipts + kSmallReceipts; ++i) {
      (*ledger)->AppendAsync(Decision(pseudonym_, i <= kLargeReceipts ? kLargeReceiptBytes : 16, i),
                             [&](absl::StatusOr<v1::SignedReceipt> r) {
                               if (!r.ok()) ++failed;
                               appended.DecrementCount();
                             });
    }
    appended.Wait();
    ASSERT_EQ(failed.load(), 0);
    ASSERT_TRUE((*ledger)->MakeCheckpoint().ok());
  }

  std::vector<std::string> AuditArgs(const std::string& command) const {
    return {AuditBinary(), command,
            "--broker",    absl::StrCat("127.0.0.1:", broker_.port()),
            "--cert",      (broker_.pki_dir() / "auditor.crt").string(),
            "--key",       (broker_.pki_dir() / "auditor.key").string(),
            "--ca",        (broker_.pki_dir() / "ca.crt").string()};
  }

  grpc::Status Overview(const std::string& page_token, uint32_t page_size,
                        v1::DisclosureResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    context.AddMetadata("x-wams-professional-id", kPrivacyOfficer);
    v1::DisclosureRequest request;
    request.set_subject_bsn(kClientBsn);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    return v1::AuditService::NewStub(broker_.Channel("municipality"))
        ->GetDisclosureOverview(&context, request, response);
  }

  // An auditor channel with the CLIs' receive limit. It announces a small
  // receive window and does not grow it, so that an Export stream that is
  // not read stalls at the broker.
  std::shared_ptr<grpc::Channel> AuditorChannel() const {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ReadFile(broker_.pki_dir() / "ca.crt");
    tls.pem_cert_chain = ReadFile(broker_.pki_dir() / "auditor.crt");
    tls.pem_private_key = ReadFile(broker_.pki_dir() / "auditor.key");
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetMaxReceiveMessageSize(base::kClientReceiveLimitBytes);
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", broker_.port()),
                                     grpc::SslCredentials(tls), args);
  }

  BrokerFixture broker_;
  std::string pseudonym_;
};

TEST_F(LogReadersTest, FetchVerifyAndMonitorWorkOnALogWithLargeReceipts) {
  const std::string dir = (broker_.root() / "fetched").string();
  std::string output;
  std::vector<std::string> fetch = AuditArgs("fetch");
  fetch.push_back(dir);
  ASSERT_EQ(RunCommand(fetch, &output), 0) << output;
  ASSERT_EQ(RunCommand({AuditBinary(), "verify", dir}, &output), 0) << output;

  std::vector<std::string> monitor = AuditArgs("monitor");
  for (const std::string& arg : {std::string("--keys"), dir + "/keys", std::string("--state"),
                                 (broker_.root() / "monitor.state").string()}) {
    monitor.push_back(arg);
  }
  EXPECT_EQ(RunCommand(monitor, &output), 0) << output;
  // A second round follows the log on from the saved state.
  EXPECT_EQ(RunCommand(monitor, &output), 0) << output;
  EXPECT_THAT(output, Not(HasSubstr("ALARM")));
}

TEST_F(LogReadersTest, ListReceiptsPagesStayWithinTheClientsReceiveLimit) {
  auto stub = v1::AuditService::NewStub(AuditorChannel());
  v1::ListReceiptsRequest request;
  request.set_subject_bsn(kClientBsn);
  request.set_page_size(1000);
  size_t receipts = 0;
  int pages = 0;
  do {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::ListReceiptsResponse page;
    grpc::Status status = stub->ListReceipts(&context, request, &page);
    ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
    ASSERT_GT(page.receipts_size(), 0);
    EXPECT_LE(page.receipts_size(), 1000);
    // Within 3 MiB of receipts (with framing, gRPC's default 4 MiB), or a
    // single receipt larger than that (the old one).
    if (page.receipts_size() > 1) {
      EXPECT_LE(page.ByteSizeLong(), size_t{4} << 20) << "page " << pages;
    }
    receipts += page.receipts_size();
    request.set_page_token(page.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 100);
  // Every planted receipt (the old one included) and the audit queries' own.
  EXPECT_GE(receipts, size_t{1 + kLargeReceipts + kSmallReceipts});
  EXPECT_GT(pages, 4) << "24 receipts of 600 KiB cannot fit in fewer 3 MiB pages";
}

TEST_F(LogReadersTest, DisclosureOverviewIsPagedAndNumberedOn) {
  std::string token;
  int pages = 0;
  int entries = 0;
  std::string document;
  do {
    v1::DisclosureResponse page;
    grpc::Status status = Overview(token, 1000, &page);
    ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
    EXPECT_LE(page.entries_size(), 1000);
    entries += page.entries_size();
    document += page.document();
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 100);
  EXPECT_EQ(entries, kLargeReceipts + kSmallReceipts);
  EXPECT_GE(pages, 3);
  // One heading, and entries numbered 1 .. N across the pages.
  EXPECT_EQ(document.find("art. 15 AVG"), document.rfind("art. 15 AVG"));
  EXPECT_THAT(document, HasSubstr(absl::StrCat("\n", kLargeReceipts + kSmallReceipts, ". ")));

  // A page size over the maximum is clamped, not refused.
  v1::DisclosureResponse clamped;
  grpc::Status status = Overview("", 100000, &clamped);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_LE(clamped.entries_size(), 1000);
  EXPECT_FALSE(clamped.next_page_token().empty());
  // A forged token is refused naming it.
  status = Overview("zz.1", 10, &clamped);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token"));
}

TEST_F(LogReadersTest, ExportStreamsBeyondTheLimitAreRefusedAndIdleOnesAreCancelled) {
  std::shared_ptr<grpc::Channel> channel = AuditorChannel();
  auto stub = v1::AuditService::NewStub(channel);
  // Two streams (limits.per_party_export_streams: 2), each read once (the
  // broker admitted it and is writing) and then left: ~20 MiB do not fit
  // into the window, so the broker's writes stall.
  const long rss_before = RssKib(broker_.process().pid());
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::ExportChunk>>> stalled;
  // Deadlines only so that a broker without the limit fails the test
  // rather than hanging it.
  auto deadline = [] { return std::chrono::system_clock::now() + std::chrono::seconds(60); };
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(deadline());
    stalled.push_back(stub->Export(contexts.back().get(), v1::ExportRequest()));
    v1::ExportChunk first;
    ASSERT_TRUE(stalled.back()->Read(&first)) << "stream " << i;
  }

  const long rss_stalled = RssKib(broker_.process().pid());
  grpc::ClientContext third_context;
  third_context.set_deadline(deadline());
  auto third = stub->Export(&third_context, v1::ExportRequest());
  v1::ExportChunk chunk;
  EXPECT_FALSE(third->Read(&chunk));
  grpc::Status refused = third->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("limits.per_party_export_streams"));

  // After limits.export_idle_timeout (2 s here) the broker cancels the
  // stalled streams: a new stream is admitted again. Awaited, with a bound.
  bool admitted = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (!admitted && absl::Now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(deadline());
    auto reader = stub->Export(&context, v1::ExportRequest());
    admitted = reader->Read(&chunk);
    context.TryCancel();
    reader->Finish();
    if (!admitted) absl::SleepFor(absl::Milliseconds(200));  // poll the broker, not a sync
  }
  EXPECT_TRUE(admitted) << "the stalled streams still hold the party's slots";
  std::cout << "broker RSS: " << rss_before << " KiB before, " << rss_stalled
            << " KiB with 2 stalled export streams, " << RssKib(broker_.process().pid())
            << " KiB after they were cancelled\n";
  // The stalled streams end CANCELLED once their buffered chunks are read.
  for (auto& reader : stalled) {
    while (reader->Read(&chunk)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
}

TEST(ReceiptSizeTest, LedgerRefusesAReceiptOverTheMaximumAndAppendsNothing) {
  BrokerFixture fixture;  // for its dev PKI and config
  absl::StatusOr<v1::BrokerConfig> config = config::LoadBrokerConfig(fixture.config_path());
  ASSERT_TRUE(config.ok()) << config.status();
  absl::StatusOr<ledger::store::LedgerSetup> setup =
      ledger::store::LoadLedgerSetup(config->ledger());
  ASSERT_TRUE(setup.ok()) << setup.status();
  TempDir dir;
  auto storage =
      ::wams::storage::RocksDbBackend::Open(dir.File("db"), ::wams::storage::RocksDbOptions());
  ASSERT_TRUE(storage.ok()) << storage.status();
  EXPECT_EQ(setup->options.max_receipt_bytes, size_t{base::kDefaultMaxReceiptBytes});
  auto ledger =
      ledger::store::Ledger::Open(**storage, std::move(setup->signer), std::move(setup->options));
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  const std::string pseudonym(32, 'p');
  ASSERT_TRUE((*ledger)->Append(Decision(pseudonym, 100, 1)).ok());

  absl::StatusOr<v1::SignedReceipt> refused =
      (*ledger)->Append(Decision(pseudonym, base::kDefaultMaxReceiptBytes, 2));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("limits.max_receipt_bytes"));
  EXPECT_EQ((*ledger)->TreeSize(), 1u);
  // The log goes on: the refusal is not a failure of the log.
  EXPECT_TRUE((*ledger)->Append(Decision(pseudonym, 100, 3)).ok());
  EXPECT_EQ((*ledger)->TreeSize(), 2u);
}

}  // namespace
}  // namespace wams::testing
