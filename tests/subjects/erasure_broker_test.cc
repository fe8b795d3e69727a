// erasure_broker_test.cc: per-subject keys, the migration from the global key
// and crypto-shredding, end to end against a real wams-broker over loopback
// mTLS (broker/ledger/README.md, "Pseudonyms, subject keys and erasure").
//
// A log written as the old code did (receipts under the global key, a
// checkpoint) is opened by the new broker: the old receipts are still found
// by BSN, new receipts carry the subject's own pseudonym. Then, with the
// broker stopped, the subject's key is shredded and the legacy key retired
// (wams-storage retire-legacy-key): queries by that BSN find nothing, no key
// that remains gives the old pseudonyms from the BSN, and the export is the
// earlier one extended, byte for byte, and verifies.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "broker/base/files/private_dir.h"
#include "broker/config/config_loader.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/storage/record_keys.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/subjects/subject_key_table.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/audit/audit_test_util.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/client_case.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kCaseWorker[] = "wmo-consulent-12";
constexpr char kOfficer[] = "privacy-officer-1";
constexpr int kLegacyReceipts = 3;

std::string Hmac(std::string_view key, std::string_view data) {
  return ledger::DigestBytes(ledger::HmacSha256(key, data));
}

std::string StorageBinary() { return WAMS_STORAGE_BINARY; }

class ErasureBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppendToConfig(broker_, std::string("privacy_officer_ids: \"") + kOfficer + "\"");
    auto config = config::LoadBrokerConfig(broker_.config_path());
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = *std::move(config);
    ASSERT_NO_FATAL_FAILURE(WriteLegacyLog());
  }

  // What the broker before subject keys wrote: receipts whose pseudonym is
  // HMAC(global key, bsn), and a checkpoint over them.
  void WriteLegacyLog() {
    ASSERT_TRUE(files::PreparePrivateDirectory(config_.data_dir(), "data_dir").ok());
    auto setup = ledger::store::LoadLedgerSetup(config_.ledger());
    ASSERT_TRUE(setup.ok()) << setup.status();
    legacy_key_ = setup->pseudonym_key;
    legacy_pseudonym_ = setup->pseudonymizer.Pseudonymize(kClientBsn);
    auto storage = storage::RocksDbBackend::Open(config_.data_dir(), storage::RocksDbOptions());
    ASSERT_TRUE(storage.ok()) << storage.status();
    auto ledger =
        ledger::store::Ledger::Open(**storage, std::move(setup->signer), std::move(setup->options));
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    for (int i = 0; i < kLegacyReceipts; ++i) {
      v1::Receipt r;
      r.set_receipt_id(absl::StrCat("legacy-", i));
      r.set_kind(v1::RECEIPT_KIND_DECISION);
      r.set_outcome(v1::RECEIPT_OUTCOME_REFUSED);
      r.set_requester_oin(kMunicipalityOin);
      r.set_target_oin(kGgzOin);
      r.set_subject_pseudonym(legacy_pseudonym_);
      r.set_purpose(v1::PURPOSE_RESEARCH);
      r.add_categories("treatment_status");
      r.mutable_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
      ASSERT_TRUE((*ledger)->Append(r).ok());
    }
    ASSERT_TRUE((*ledger)->MakeCheckpoint().ok());
  }

  // Every receipt ListReceipts finds by `bsn`, all pages, as the auditor.
  std::vector<v1::Receipt> ReceiptsOf(const std::string& bsn) {
    std::vector<v1::Receipt> all;
    v1::ListReceiptsRequest request;
    request.set_subject_bsn(bsn);
    do {
      grpc::ClientContext context;
      PrepareContext(&context);
      v1::ListReceiptsResponse response;
      grpc::Status status = AuditStub(broker_)->ListReceipts(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const v1::SignedReceipt& signed_receipt : response.receipts()) {
        v1::Receipt r;
        EXPECT_TRUE(r.ParseFromString(signed_receipt.receipt_bytes()));
        all.push_back(std::move(r));
      }
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return all;
  }

  // The pseudonyms of the decision and consultation receipts among `receipts`
  // (audit-query and case receipts may name the subject too; left out here).
  static std::vector<std::string> DecisionPseudonyms(const std::vector<v1::Receipt>& receipts) {
    std::vector<std::string> out;
    for (const v1::Receipt& r : receipts) {
      if (r.kind() != v1::RECEIPT_KIND_DECISION && r.kind() != v1::RECEIPT_KIND_CONSULTATION) {
        continue;
      }
      out.push_back(r.subject_pseudonym());
    }
    return out;
  }

  grpc::StatusCode Overview(const std::string& bsn, v1::DisclosureResponse* response) {
    grpc::ClientContext context;
    PrepareContext(&context, kOfficer);
    v1::DisclosureRequest request;
    request.set_subject_bsn(bsn);
    return AuditStub(broker_, "municipality")
        ->GetDisclosureOverview(&context, request, response)
        .error_code();
  }

  // A dry run (CheckRequest) about kClientBsn: receipted as a consultation
  // under the subject's pseudonym.
  void Consult(const std::string& case_id, const std::string& request_id) {
    v1::DataRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_subject_bsn(kClientBsn);
    request.set_provider_oin(kSchoolOin);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    request.add_categories("attendance");
    request.set_justification("Verzuim hangt mogelijk samen met de thuissituatie.");
    grpc::ClientContext context;
    PrepareContext(&context, kCaseWorker);
    v1::CheckResponse response;
    grpc::Status status = v1::ExchangeService::NewStub(broker_.Channel("municipality"))
                              ->CheckRequest(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  BrokerFixture broker_;
  v1::BrokerConfig config_;
  std::string legacy_key_;
  std::string legacy_pseudonym_;
};

TEST_F(ErasureBrokerTest, MigratesFromTheGlobalKeyAndShredsASubject) {
  // --- The new broker on the old log.
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  // The old receipts are found by BSN (the legacy key is kept).
  EXPECT_EQ(DecisionPseudonyms(ReceiptsOf(kClientBsn)),
            std::vector<std::string>(kLegacyReceipts, legacy_pseudonym_));
  // New receipts carry the subject's own pseudonym; both kinds are found.
  const std::string case_id = OpenClientCase(broker_, "open-1", kClientBsn, {v1::DOMAIN_EDUCATION});
  ASSERT_FALSE(case_id.empty());
  ASSERT_NO_FATAL_FAILURE(Consult(case_id, "check-1"));
  std::vector<std::string> found = DecisionPseudonyms(ReceiptsOf(kClientBsn));
  ASSERT_EQ(found.size(), kLegacyReceipts + 1u);
  const std::string own = found.back();
  EXPECT_EQ(own.size(), 32u);
  EXPECT_NE(own, legacy_pseudonym_);
  // Another person's receipts stay apart.
  EXPECT_THAT(DecisionPseudonyms(ReceiptsOf(kOtherPersonBsn)), IsEmpty());
  v1::DisclosureResponse before;
  ASSERT_EQ(Overview(kClientBsn, &before), grpc::StatusCode::OK);
  EXPECT_GT(before.entries_size() + before.withheld_size(), 0);
  ASSERT_EQ(broker_.Stop(), 0);

  TempDir exports;
  std::string output;
  ASSERT_EQ(broker_.ExportAndVerify(exports.path() / "before", &output), 0) << output;

  // --- Erasure, broker stopped: shred the subject's key, retire the legacy key.
  const std::string index_key_file = (broker_.root() / "dev-pki/index.key").string();
  {
    auto storage = storage::RocksDbBackend::Open(config_.data_dir(), storage::RocksDbOptions());
    ASSERT_TRUE(storage.ok()) << storage.status();
    auto keys = subjects::SubjectKeyTable::Open(**storage, legacy_key_, 0);
    ASSERT_TRUE(keys.ok()) << keys.status();
    EXPECT_EQ((*keys)->migrated_at_tree_size(), static_cast<uint64_t>(kLegacyReceipts));
    ASSERT_TRUE((*keys)->Shred(own).ok());
  }
  ASSERT_EQ(RunCommand({StorageBinary(), "retire-legacy-key", "--config", broker_.config_path(),
                        "--index-key-out", index_key_file},
                       &output),
            0)
      << output;
  // The retired key file no longer starts the broker (a config error).
  EXPECT_FALSE(broker_.Start()) << "the broker started with the retired key file";
  EXPECT_EQ(broker_.process().Wait(), 2);
  EXPECT_THAT(ReadFile(broker_.log_path()), HasSubstr("pseudonym_key_file"));
  ASSERT_EQ(broker_.ReplaceInConfig("../dev-pki/pseudonym.key", index_key_file), 1);

  // No key that remains gives the old pseudonyms from the BSN.
  const std::string index_key = ReadFile(index_key_file);
  std::vector<std::string> remaining = {index_key};
  {
    auto storage = storage::RocksDbBackend::Open(config_.data_dir(), storage::RocksDbOptions());
    ASSERT_TRUE(storage.ok()) << storage.status();
    auto rows = (*storage)->Scan(storage::Family::kSubjectKeys,
                                 storage::ScanRange::Prefix(storage::SubjectKeyKey(""), 1000));
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (const storage::KeyValue& row : *rows) remaining.push_back(row.value);
  }
  for (const std::string& key : remaining) {
    EXPECT_NE(Hmac(key, kClientBsn), own);
    EXPECT_NE(Hmac(key, kClientBsn), legacy_pseudonym_);
  }

  // --- The broker again: none of the old receipts is found by that BSN (only
  // the receipts of the queries themselves, under a fresh pseudonym).
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  std::vector<v1::Receipt> after_shred = ReceiptsOf(kClientBsn);
  EXPECT_THAT(DecisionPseudonyms(after_shred), IsEmpty());
  for (const v1::Receipt& r : after_shred) {
    EXPECT_EQ(r.kind(), v1::RECEIPT_KIND_AUDIT_QUERY);
    EXPECT_NE(r.subject_pseudonym(), own);
    EXPECT_NE(r.subject_pseudonym(), legacy_pseudonym_);
  }
  v1::DisclosureResponse after;
  ASSERT_EQ(Overview(kClientBsn, &after), grpc::StatusCode::OK);
  EXPECT_EQ(after.entries_size(), 0);
  EXPECT_EQ(after.withheld_size(), 0);
  // A new request about the person gets a fresh, unrelated pseudonym.
  ASSERT_NO_FATAL_FAILURE(Consult(case_id, "check-2"));
  std::vector<std::string> fresh = DecisionPseudonyms(ReceiptsOf(kClientBsn));
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_THAT(fresh, Not(Contains(own)));
  EXPECT_THAT(fresh, Not(Contains(legacy_pseudonym_)));
  ASSERT_EQ(broker_.Stop(), 0);

  // --- The log is untouched: the later export extends the earlier one byte
  // for byte and verifies (against its own and the earlier checkpoint).
  ASSERT_EQ(broker_.ExportAndVerify(exports.path() / "after", &output), 0) << output;
  const std::string earlier = ReadFile(exports.path() / "before/receipts.jsonl");
  const std::string later = ReadFile(exports.path() / "after/receipts.jsonl");
  ASSERT_FALSE(earlier.empty());
  EXPECT_TRUE(absl::StartsWith(later, earlier));
  EXPECT_GT(later.size(), earlier.size());
  EXPECT_GE(CheckpointFileSize((exports.path() / "after/checkpoint").string()),
            CheckpointFileSize((exports.path() / "before/checkpoint").string()));
  // The later checkpoint extends the one issued before (RFC 9162 proof).
  EXPECT_EQ(RunCommand({AuditBinary(), "consistency", (exports.path() / "before").string(),
                        (exports.path() / "after").string()},
                       &output),
            0)
      << output;
}

}  // namespace
}  // namespace wams::testing
