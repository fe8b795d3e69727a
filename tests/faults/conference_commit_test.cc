// A conference change and its receipt are one synced batch (issue 17): the
// conference manager's real parts on real RocksDB, counting the write-ahead
// log's syncs and failing them from a chosen one on. Whatever sync fails, a
// receipted conference or item is stored and a stored one is receipted, both
// in the running broker and after reopening the database; a call that fails
// leaves neither.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "broker/cases/case_manager.h"
#include "broker/cases/case_store.h"
#include "broker/conference/conference_manager.h"
#include "broker/conference/conference_store.h"
#include "broker/config/config_loader.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/subjects/subject_key_table.h"
#include "gtest/gtest.h"
#include "policy/policy.h"
#include "rocksdb/env.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wal_sync_fs.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;
using ::wams::storage::Family;

// What the log says was changed and what the store holds, as
// "conference/<id>" and "conference-item/<conference id>/<item id>".
struct Seen {
  std::set<std::string> receipted;
  std::set<std::string> stored;
};

// The conference and item keys whose GRANTED receipts are in `ledger`
// (details "conference <id>: convened ..." and "conference <id>: item <id>
// shared ...").
std::set<std::string> Receipted(const ledger::store::Ledger& ledger) {
  std::set<std::string> keys;
  for (uint64_t leaf = 0; leaf < ledger.TreeSize(); ++leaf) {
    absl::StatusOr<v1::SignedReceipt> signed_receipt = ledger.GetReceipt(leaf);
    EXPECT_TRUE(signed_receipt.ok()) << signed_receipt.status();
    if (!signed_receipt.ok()) continue;
    v1::Receipt receipt;
    EXPECT_TRUE(receipt.ParseFromString(signed_receipt->receipt_bytes()));
    if (receipt.kind() != v1::RECEIPT_KIND_CONFERENCE_EVENT ||
        receipt.outcome() != v1::RECEIPT_OUTCOME_GRANTED) {
      continue;
    }
    std::vector<std::string> words = absl::StrSplit(receipt.detail(), ' ');
    if (words.size() < 4 || words[0] != "conference") continue;
    const std::string conference_id = words[1].substr(0, words[1].size() - 1);  // "<id>:"
    if (words[2] == "convened") keys.insert(absl::StrCat("conference/", conference_id));
    if (words.size() >= 5 && words[2] == "item" && words[4] == "shared") {
      keys.insert(absl::StrCat("conference-item/", conference_id, "/", words[3]));
    }
  }
  return keys;
}

std::set<std::string> Stored(const ::wams::storage::Backend& backend) {
  std::set<std::string> keys;
  absl::Status read = ::wams::storage::ScanAll(
      backend, Family::kCases, ::wams::storage::ScanRange::Prefix("conference", 1000),
      [&](const ::wams::storage::KeyValue& row) {
        keys.insert(row.key);
        return absl::OkStatus();
      });
  EXPECT_TRUE(read.ok()) << read;
  return keys;
}

// The broker's parts over one RocksDB database in `dir`.
class Parts {
 public:
  // Opens the database with `env` (nullptr: the default) and the parts on it.
  Parts(const std::filesystem::path& dir, const v1::BrokerConfig& config, rocksdb::Env* env) {
    ::wams::storage::RocksDbOptions storage_options;
    storage_options.env = env;
    auto storage = ::wams::storage::RocksDbBackend::Open((dir / "db").string(), storage_options);
    EXPECT_TRUE(storage.ok()) << storage.status();
    if (!storage.ok()) return;
    storage_ = *std::move(storage);
    auto setup = ledger::store::LoadLedgerSetup(config.ledger());
    EXPECT_TRUE(setup.ok()) << setup.status();
    if (!setup.ok()) return;
    setup->options.checkpoint_interval = absl::ZeroDuration();
    auto ledger =
        ledger::store::Ledger::Open(*storage_, std::move(setup->signer), std::move(setup->options));
    EXPECT_TRUE(ledger.ok()) << ledger.status();
    if (!ledger.ok()) return;
    ledger_ = *std::move(ledger);
    auto subject_keys = subjects::SubjectKeyTable::Open(*storage_, setup->pseudonym_key, 0);
    EXPECT_TRUE(subject_keys.ok()) << subject_keys.status();
    if (!subject_keys.ok()) return;
    subject_keys_ = *std::move(subject_keys);
    auto registry = identity::PartyRegistry::Create(config);
    auto policy = policy::Policy::Create(config);
    EXPECT_TRUE(registry.ok() && policy.ok());
    registry_ = std::make_unique<identity::PartyRegistry>(*std::move(registry));
    policy_ = std::make_unique<policy::Policy>(*std::move(policy));
    case_store_ = std::make_unique<cases::CaseStore>(*storage_);
    conference_store_ = std::make_unique<conference::ConferenceStore>(*storage_);
    cases_ = std::make_unique<cases::CaseManager>(
        cases::CaseManagerDeps{.store = case_store_.get(),
                               .ledger = ledger_.get(),
                               .subject_keys = subject_keys_.get(),
                               .policy = policy_.get(),
                               .registry = registry_.get(),
                               .clock = &clock_});
    conferences_ = std::make_unique<conference::ConferenceManager>(
        conference::ConferenceDeps{.store = conference_store_.get(),
                                   .cases = cases_.get(),
                                   .ledger = ledger_.get(),
                                   .policy = policy_.get(),
                                   .registry = registry_.get(),
                                   .clock = &clock_},
        conference::ConferenceOptions());
  }

  bool ok() const { return conferences_ != nullptr; }
  Seen Look() const { return {Receipted(*ledger_), Stored(*storage_)}; }
  identity::Caller Caller(const char* oin, const char* professional) const {
    return {.party = registry_->Find(oin), .certificate_oin = oin, .professional_id = professional};
  }

  FakeClock clock_{absl::FromUnixSeconds(1'767'225'600)};
  std::unique_ptr<::wams::storage::RocksDbBackend> storage_;
  std::unique_ptr<ledger::store::Ledger> ledger_;
  std::unique_ptr<subjects::SubjectKeyTable> subject_keys_;
  std::unique_ptr<identity::PartyRegistry> registry_;
  std::unique_ptr<policy::Policy> policy_;
  std::unique_ptr<cases::CaseStore> case_store_;
  std::unique_ptr<conference::ConferenceStore> conference_store_;
  std::unique_ptr<cases::CaseManager> cases_;
  std::unique_ptr<conference::ConferenceManager> conferences_;
};

class ConferenceCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeDevPki(dir_.path() / "pki");
    absl::StatusOr<v1::BrokerConfig> config = config::ParseBrokerConfig(
        absl::StrReplaceAll(ReadFile(SourcePath("deploy/config/broker.example.textproto")),
                            {{"../dev-pki/", (dir_.path() / "pki/").string()}}));
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = *std::move(config);
  }

  // Opens a research case as the municipality; its id.
  static std::string OpenCase(Parts& parts) {
    v1::OpenClientCaseRequest open;
    open.set_request_id("open-1");
    open.set_client_bsn(kClientBsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    open.add_social_laws(v1::SOCIAL_LAW_JEUGDWET);
    absl::StatusOr<v1::CaseResponse> opened =
        parts.cases_->OpenClientCase(parts.Caller(kMunicipalityOin, "wmo-consulent-12"), open);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? opened->case_().case_id() : "";
  }

  static v1::ConveneRequest Convene(const std::string& case_id) {
    v1::ConveneRequest request;
    request.set_request_id("convene-1");
    request.set_case_id(case_id);
    request.set_subject("Afstemming van de hulp");
    return request;
  }

  static v1::InviteRequest InviteGgz(const std::string& conference_id) {
    v1::InviteRequest request;
    request.set_conference_id(conference_id);
    request.mutable_invitation()->set_party_oin(kGgzOin);
    request.mutable_invitation()->set_necessity_reason("Behandelt de client.");
    return request;
  }

  static v1::ShareItemRequest ShareWithGgz(const std::string& conference_id) {
    v1::ShareItemRequest request;
    request.set_request_id("share-1");
    request.set_conference_id(conference_id);
    request.mutable_item()->set_title("Afspraken");
    request.mutable_item()->set_content("Afspraken van het overleg.");
    request.mutable_item()->add_audience_oins(kGgzOin);
    return request;
  }

  TempDir dir_;
  v1::BrokerConfig config_;
};

TEST_F(ConferenceCommitTest, EveryConferenceChangeIsOneSyncedBatchWithItsReceipt) {
  auto fs = std::make_shared<WalSyncFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  Parts parts(dir_.path(), config_, env.get());
  ASSERT_TRUE(parts.ok());
  const identity::Caller municipality = parts.Caller(kMunicipalityOin, "wmo-consulent-12");
  const std::string case_id = OpenCase(parts);

  int before = fs->syncs.load();
  absl::StatusOr<v1::ConferenceResponse> convened =
      parts.conferences_->Convene(municipality, Convene(case_id));
  ASSERT_TRUE(convened.ok()) << convened.status();
  // Receipt, conference and request id: one batch, one sync (was two).
  EXPECT_EQ(fs->syncs.load() - before, 1) << "Convene";
  const std::string& conference_id = convened->conference().conference_id();

  before = fs->syncs.load();
  ASSERT_TRUE(parts.conferences_->Invite(municipality, InviteGgz(conference_id)).ok());
  EXPECT_EQ(fs->syncs.load() - before, 1) << "Invite";

  before = fs->syncs.load();
  absl::StatusOr<v1::ShareItemResponse> shared =
      parts.conferences_->ShareItem(municipality, ShareWithGgz(conference_id));
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(fs->syncs.load() - before, 1) << "ShareItem";

  // The retries find the idempotency records written in those batches.
  absl::StatusOr<v1::ConferenceResponse> convene_retry =
      parts.conferences_->Convene(municipality, Convene(case_id));
  ASSERT_TRUE(convene_retry.ok()) << convene_retry.status();
  EXPECT_EQ(convene_retry->receipt().leaf_index(), convened->receipt().leaf_index());
  absl::StatusOr<v1::ShareItemResponse> share_retry =
      parts.conferences_->ShareItem(municipality, ShareWithGgz(conference_id));
  ASSERT_TRUE(share_retry.ok()) << share_retry.status();
  EXPECT_EQ(share_retry->item_id(), shared->item_id());
  EXPECT_EQ(share_retry->receipt().receipt_bytes(), shared->receipt().receipt_bytes());
}

// The WAL sync that fails is the first, second or third of Convene and
// ShareItem: the receipts and the records stay in step, and a call that
// failed left neither its receipt nor its record.
TEST_F(ConferenceCommitTest, AFailedWriteLeavesNeitherTheReceiptNorTheRecord) {
  for (int ok_syncs = 0; ok_syncs < 3; ++ok_syncs) {
    SCOPED_TRACE(absl::StrCat(ok_syncs, " syncs succeed, then every one fails"));
    const std::filesystem::path root = dir_.path() / absl::StrCat("run-", ok_syncs);
    auto fs = std::make_shared<WalSyncFs>(rocksdb::FileSystem::Default());
    std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
    {
      Parts parts(root, config_, env.get());
      ASSERT_TRUE(parts.ok());
      const identity::Caller municipality = parts.Caller(kMunicipalityOin, "wmo-consulent-12");
      const std::string case_id = OpenCase(parts);
      fs->fail_after = ok_syncs;

      const uint64_t size_before = parts.ledger_->TreeSize();
      absl::StatusOr<v1::ConferenceResponse> convened =
          parts.conferences_->Convene(municipality, Convene(case_id));
      Seen seen = parts.Look();
      EXPECT_EQ(seen.receipted, seen.stored) << "after Convene";
      if (!convened.ok()) {
        EXPECT_EQ(convened.status().code(), absl::StatusCode::kUnavailable) << convened.status();
        EXPECT_EQ(parts.ledger_->TreeSize(), size_before) << "a receipt of a failed Convene";
        EXPECT_TRUE(seen.stored.empty()) << "a conference of a failed Convene";
      } else {
        // Invite writes no record the sets follow; a failed one ends the run.
        if (parts.conferences_
                ->Invite(municipality, InviteGgz(convened->conference().conference_id()))
                .ok()) {
          const uint64_t size_shared = parts.ledger_->TreeSize();
          absl::StatusOr<v1::ShareItemResponse> shared = parts.conferences_->ShareItem(
              municipality, ShareWithGgz(convened->conference().conference_id()));
          seen = parts.Look();
          EXPECT_EQ(seen.receipted, seen.stored) << "after ShareItem";
          if (!shared.ok()) {
            EXPECT_EQ(shared.status().code(), absl::StatusCode::kUnavailable) << shared.status();
            EXPECT_EQ(parts.ledger_->TreeSize(), size_shared) << "a receipt of a failed ShareItem";
          }
        }
      }
    }
    // Reopened without faults, as after a restart: still in step.
    Parts reopened(root, config_, nullptr);
    ASSERT_TRUE(reopened.ok());
    Seen seen = reopened.Look();
    EXPECT_EQ(seen.receipted, seen.stored) << "after reopening";
  }
}

}  // namespace
}  // namespace wams::testing
