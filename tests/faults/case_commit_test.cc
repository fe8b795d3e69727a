// A case change and its receipt are one synced batch: the case manager's
// real parts on real RocksDB, counting the write-ahead log's syncs.
#include <memory>
#include <string>

#include "absl/strings/str_replace.h"
#include "broker/cases/case_manager.h"
#include "broker/cases/case_store.h"
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

TEST(CaseCommitTest, OpeningACaseIsOneSyncedBatchWithItsReceipt) {
  TempDir dir;
  MakeDevPki(dir.path() / "pki");
  absl::StatusOr<v1::BrokerConfig> config = config::ParseBrokerConfig(
      absl::StrReplaceAll(ReadFile(SourcePath("deploy/config/broker.example.textproto")),
                          {{"../dev-pki/", (dir.path() / "pki/").string()}}));
  ASSERT_TRUE(config.ok()) << config.status();
  auto fs = std::make_shared<WalSyncFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  ::wams::storage::RocksDbOptions storage_options;
  storage_options.env = env.get();
  auto storage = ::wams::storage::RocksDbBackend::Open(dir.File("db"), storage_options);
  ASSERT_TRUE(storage.ok()) << storage.status();
  auto setup = ledger::store::LoadLedgerSetup(config->ledger());
  ASSERT_TRUE(setup.ok()) << setup.status();
  setup->options.checkpoint_interval = absl::ZeroDuration();
  auto ledger =
      ledger::store::Ledger::Open(**storage, std::move(setup->signer), std::move(setup->options));
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  auto subject_keys = subjects::SubjectKeyTable::Open(**storage, setup->pseudonym_key, 0);
  ASSERT_TRUE(subject_keys.ok()) << subject_keys.status();
  auto registry = identity::PartyRegistry::Create(*config);
  auto policy = policy::Policy::Create(*config);
  ASSERT_TRUE(registry.ok() && policy.ok());
  cases::CaseStore store(**storage);
  FakeClock clock(absl::FromUnixSeconds(1'767'225'600));
  cases::CaseManager cases({.store = &store,
                            .ledger = ledger->get(),
                            .subject_keys = subject_keys->get(),
                            .policy = &*policy,
                            .registry = &*registry,
                            .clock = &clock});
  identity::Caller municipality{.party = registry->Find(kMunicipalityOin),
                                .certificate_oin = kMunicipalityOin,
                                .professional_id = "wmo-consulent-12"};
  v1::OpenClientCaseRequest open;
  open.set_request_id("open-1");
  open.set_client_bsn(kClientBsn);
  open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);

  // The client's subject key is made (one synced write of its own) on the
  // first use of the BSN: made before counting.
  ASSERT_TRUE((*subject_keys)->Pseudonymize(kClientBsn).ok());
  const int syncs_before = fs->syncs.load();
  absl::StatusOr<v1::CaseResponse> opened = cases.OpenClientCase(municipality, open);
  ASSERT_TRUE(opened.ok()) << opened.status();
  // Receipt, case and request id: one batch, one sync (was three).
  EXPECT_EQ(fs->syncs.load() - syncs_before, 1);
  EXPECT_EQ((*ledger)->TreeSize(), 1u);
  absl::StatusOr<std::optional<v1::Case>> stored = store.Get(opened->case_().case_id());
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->version(), opened->case_().version());
  // The retry finds the case through the request id written in that batch.
  absl::StatusOr<v1::CaseResponse> retried = cases.OpenClientCase(municipality, open);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->case_().case_id(), opened->case_().case_id());
  EXPECT_EQ((*ledger)->TreeSize(), 1u) << "the retry opened a second case";
}

}  // namespace
}  // namespace wams::testing
