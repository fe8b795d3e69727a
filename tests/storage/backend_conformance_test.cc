// backend_conformance_test.cc: the one conformance suite every
// storage::Backend passes (a typed test): what the ledger and the record
// stores rely on, through the public interface, with the real database.
//
//   - atomic batches: a concurrent reader sees all of a batch or none;
//   - snapshot isolation: a later write or delete is not seen;
//   - scans: prefix, range, reverse, limit, ScanAll chunking; deletes;
//   - reopening keeps everything;
//   - the ledger over the backend: concurrent appends are consecutive leaves
//     and one group commit covers many (GatedBackend counts them), proofs
//     verify against RootAt, index paging, companion records durable with
//     the receipt and refused for log families, and the writer role lost
//     (UNAVAILABLE, a standby read view that follows the writer) and
//     regained (the ledger reloads before appending), also when only the
//     writer epoch changed while another broker appended.
//
// Crash and disk faults have their own RocksDB tests, kept as they are:
// kill -9 during appends in tests/ledger/store/crash_test.cc and
// tests/faults/kill_under_load_test.cc; a full disk in
// tests/ledger/store/recovery_test.cc and tests/faults/storage_disk_full_test.cc.
//
// Adding a backend is a few lines: a factory with
//   static constexpr char kName[] = "...";
//   // A backend over the database for `dir` (a fresh temp dir per test; the
//   // same dir again is the same database, for the reopen tests).
//   static absl::StatusOr<std::unique_ptr<Backend>> Open(const std::string& dir);
// added to BackendFactories below.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/backend.h"
#include "broker/storage/key_codec.h"
#include "broker/storage/postgres/postgres_backend.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gtest/gtest.h"
#include "tests/ledger/store/test_util.h"
#include "tests/storage/forwarding_backend.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/status_matchers.h"

namespace wams::storage {
namespace {

using ::wams::broker::v1::SignedReceipt;

using ::wams::ledger::store::IndexKind;
using ::wams::ledger::store::IndexQuery;
using ::wams::ledger::store::Ledger;
using ::wams::ledger::store::LedgerOptions;
using ::wams::ledger::store::QueryPage;
using ::wams::ledger::store::testing::MakeReceipt;
using ::wams::ledger::store::testing::ReceiptSpec;
using ::wams::ledger::store::testing::SignerFromSeed;
using ::wams::ledger::store::testing::TempDir;
using ::wams::storage::testing::GatedBackend;
using ::wams::storage::testing::WriterRoleBackend;
using ::wams::testing::StatusIs;

// A proof's hashes as digests.
std::vector<ledger::Digest> Digests(const google::protobuf::RepeatedPtrField<std::string>& hashes) {
  std::vector<ledger::Digest> out;
  for (const std::string& h : hashes) {
    ledger::Digest d;
    std::copy(h.begin(), h.end(), d.begin());
    out.push_back(d);
  }
  return out;
}

struct RocksDbFactory {
  static constexpr char kName[] = "rocksdb";
  static absl::StatusOr<std::unique_ptr<Backend>> Open(const std::string& dir) {
    absl::StatusOr<std::unique_ptr<RocksDbBackend>> opened =
        RocksDbBackend::Open(dir + "/db", RocksDbOptions());
    if (!opened.ok()) return opened.status();
    return std::unique_ptr<Backend>(*std::move(opened));
  }
};

// PostgreSQL: one throwaway server per test binary; a database per temp
// dir (the same dir again is the same database).
struct PostgresFactory {
  static constexpr char kName[] = "postgres";
  static absl::StatusOr<std::unique_ptr<Backend>> Open(const std::string& dir) {
    // Destroyed at exit: the server is stopped and its files removed.
    static const std::unique_ptr<::wams::testing::PostgresServer> server = [] {
      auto started = ::wams::testing::PostgresServer::Start();
      if (!started.ok()) ADD_FAILURE() << started.status();
      return started.ok() ? *std::move(started) : nullptr;
    }();
    if (server == nullptr) return absl::UnavailableError("no PostgreSQL test server");
    std::string database = absl::StrCat("c", absl::Hash<std::string>()(dir) & 0xffffffffffff);
    if (server
            ->Query("postgres",
                    absl::StrCat("SELECT 1 FROM pg_database WHERE datname = '", database, "'"))
            .value_or("") != "1") {
      absl::StatusOr<std::string> created =
          server->Query("postgres", absl::StrCat("CREATE DATABASE ", database));
      if (!created.ok()) return created.status();
    }
    postgres::PostgresOptions options;
    options.conninfo = server->Conninfo(database);
    options.node_name = "conformance";
    options.read_connections = 4;
    absl::StatusOr<std::unique_ptr<postgres::PostgresBackend>> opened =
        postgres::PostgresBackend::Create(options);
    if (!opened.ok()) return opened.status();
    return std::unique_ptr<Backend>(*std::move(opened));
  }
};

template <typename Factory>
class BackendConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    backend_.reset();
    absl::StatusOr<std::unique_ptr<Backend>> opened = Factory::Open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status();
    backend_ = *std::move(opened);
  }

  void Put(Family family, const std::string& key, const std::string& value) {
    WriteBatch batch;
    batch.Put(family, key, value);
    ASSERT_TRUE(backend_->Write(batch).ok());
  }

  std::vector<std::string> Keys(const absl::StatusOr<std::vector<KeyValue>>& rows) {
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::vector<std::string> keys;
    if (rows.ok()) {
      for (const KeyValue& row : *rows) keys.push_back(row.key);
    }
    return keys;
  }

  std::unique_ptr<Ledger> OpenLedger(const Backend& backend) {
    LedgerOptions options;
    options.origin = ::wams::ledger::store::testing::kOrigin;
    options.checkpoint_interval = absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Ledger>> ledger =
        Ledger::Open(backend, SignerFromSeed('c'), options);
    EXPECT_TRUE(ledger.ok()) << ledger.status();
    return ledger.ok() ? *std::move(ledger) : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<Backend> backend_;
};

using BackendFactories = ::testing::Types<RocksDbFactory, PostgresFactory>;

class FactoryNames {
 public:
  template <typename Factory>
  static std::string GetName(int) {
    return Factory::kName;
  }
};
TYPED_TEST_SUITE(BackendConformanceTest, BackendFactories, FactoryNames);

// --- the storage model ----------------------------------------------------------

TYPED_TEST(BackendConformanceTest, ABatchIsSeenWholeOrNotAtAll) {
  constexpr int kBatches = 200;
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!done.load()) {
      absl::StatusOr<std::unique_ptr<Reader>> snapshot = this->backend_->Snapshot();
      ASSERT_TRUE(snapshot.ok());
      absl::StatusOr<std::vector<KeyValue>> cases =
          (*snapshot)->Scan(Family::kCases, ScanRange::Prefix("pair/", 10000));
      absl::StatusOr<std::vector<KeyValue>> outcomes =
          (*snapshot)->Scan(Family::kIdempotency, ScanRange::Prefix("pair/", 10000));
      ASSERT_TRUE(cases.ok() && outcomes.ok());
      if (cases->size() != outcomes->size()) torn.fetch_add(1);
    }
  });
  for (int i = 0; i < kBatches; ++i) {
    WriteBatch batch;
    batch.Put(Family::kCases, absl::StrCat("pair/", 1000 + i), "case");
    batch.Put(Family::kIdempotency, absl::StrCat("pair/", 1000 + i), "outcome");
    ASSERT_TRUE(this->backend_->Write(batch).ok());
  }
  done.store(true);
  reader.join();
  EXPECT_EQ(torn.load(), 0) << "a snapshot saw half a batch";
  EXPECT_EQ(
      this->Keys(this->backend_->Scan(Family::kCases, ScanRange::Prefix("pair/", 10000))).size(),
      static_cast<size_t>(kBatches));
}

TYPED_TEST(BackendConformanceTest, ASnapshotDoesNotSeeLaterWrites) {
  this->Put(Family::kCases, "a", "1");
  this->Put(Family::kCases, "b", "1");
  absl::StatusOr<std::unique_ptr<Reader>> snapshot = this->backend_->Snapshot();
  ASSERT_TRUE(snapshot.ok());
  WriteBatch later;
  later.Put(Family::kCases, "a", "2");
  later.Delete(Family::kCases, "b");
  later.Put(Family::kCases, "c", "2");
  ASSERT_TRUE(this->backend_->Write(later).ok());

  EXPECT_EQ((*snapshot)->Get(Family::kCases, "a")->value_or(""), "1");
  EXPECT_EQ((*snapshot)->Get(Family::kCases, "b")->value_or(""), "1");
  EXPECT_FALSE((*snapshot)->Get(Family::kCases, "c")->has_value());
  EXPECT_EQ(this->Keys((*snapshot)->Scan(Family::kCases, ScanRange::From("", 10))),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(this->backend_->Get(Family::kCases, "a")->value_or(""), "2");
  EXPECT_FALSE(this->backend_->Get(Family::kCases, "b")->has_value());
  EXPECT_EQ(this->Keys(this->backend_->Scan(Family::kCases, ScanRange::From("", 10))),
            (std::vector<std::string>{"a", "c"}));
}

TYPED_TEST(BackendConformanceTest, ScansHonourPrefixRangeDirectionAndLimit) {
  for (const char* key : {"x/1", "x/2", "x/3", "x/4", "y/1", "x"}) {
    this->Put(Family::kCases, key, "v");
  }
  // Families are apart: the same key elsewhere is not seen.
  this->Put(Family::kIdempotency, "x/9", "v");
  const Backend& b = *this->backend_;
  EXPECT_EQ(this->Keys(b.Scan(Family::kCases, ScanRange::Prefix("x/", 10))),
            (std::vector<std::string>{"x/1", "x/2", "x/3", "x/4"}));
  EXPECT_EQ(this->Keys(b.Scan(Family::kCases, ScanRange::Prefix("x/", 2))),
            (std::vector<std::string>{"x/1", "x/2"}));
  EXPECT_EQ(this->Keys(b.Scan(Family::kCases, ScanRange{"x/2", "x/4", 10, false})),
            (std::vector<std::string>{"x/2", "x/3"}));
  EXPECT_EQ(this->Keys(b.Scan(Family::kCases, ScanRange{"x/2", "x/4", 10, true})),
            (std::vector<std::string>{"x/3", "x/2"}));
  ScanRange last_two = ScanRange::Prefix("x/", 2);
  last_two.reverse = true;
  EXPECT_EQ(this->Keys(b.Scan(Family::kCases, last_two)), (std::vector<std::string>{"x/4", "x/3"}));
  ScanRange everything_reversed = ScanRange::From("", 100);
  everything_reversed.reverse = true;
  EXPECT_EQ(this->Keys(b.Scan(Family::kCases, everything_reversed)),
            (std::vector<std::string>{"y/1", "x/4", "x/3", "x/2", "x/1", "x"}));
  EXPECT_TRUE(this->Keys(b.Scan(Family::kCases, ScanRange{"x/4", "x/2", 10, false})).empty());
  EXPECT_TRUE(this->Keys(b.Scan(Family::kCases, ScanRange::Prefix("z", 10))).empty());
}

TYPED_TEST(BackendConformanceTest, ScanAllReadsInChunksInEitherDirection) {
  std::vector<std::string> expected;
  for (int i = 0; i < 10; ++i) {
    expected.push_back(absl::StrCat("k", i));
    this->Put(Family::kCases, expected.back(), "v");
  }
  for (bool reverse : {false, true}) {
    std::vector<std::string> seen;
    ScanRange range = ScanRange::Prefix("k", 3);  // 3 per chunk
    range.reverse = reverse;
    ASSERT_TRUE(ScanAll(*this->backend_, Family::kCases, range, [&](const KeyValue& row) {
                  seen.push_back(row.key);
                  return absl::OkStatus();
                }).ok());
    std::vector<std::string> want = expected;
    if (reverse) std::reverse(want.begin(), want.end());
    EXPECT_EQ(seen, want) << (reverse ? "reverse" : "forward");
  }
}

TYPED_TEST(BackendConformanceTest, DeletesRemoveAndReopenKeepsEverything) {
  WriteBatch batch;
  batch.Put(Family::kCases, "keep", "1");
  batch.Put(Family::kCases, "drop", "1");
  batch.Put(Family::kMeta, "m", std::string("\0\xff", 2));
  ASSERT_TRUE(this->backend_->Write(batch).ok());
  WriteBatch drop;
  drop.Delete(Family::kCases, "drop");
  drop.Delete(Family::kCases, "never-there");
  ASSERT_TRUE(this->backend_->Write(drop).ok());
  this->Reopen();
  EXPECT_EQ(this->backend_->Get(Family::kCases, "keep")->value_or(""), "1");
  EXPECT_FALSE(this->backend_->Get(Family::kCases, "drop")->has_value());
  EXPECT_EQ(this->backend_->Get(Family::kMeta, "m")->value_or(""), std::string("\0\xff", 2));
}

// --- the ledger over the backend -----------------------------------------------

TYPED_TEST(BackendConformanceTest, ConcurrentAppendsAreConsecutiveLeavesInFewCommits) {
  GatedBackend gated(*this->backend_);
  std::unique_ptr<Ledger> ledger = this->OpenLedger(gated);
  ASSERT_NE(ledger, nullptr);
  constexpr int kAppends = 50;
  // Hold the first commit at the gate: everything appended meanwhile must
  // go into the next one.
  gated.Close();
  absl::Mutex mu;
  std::vector<uint64_t> leaves;
  int done = 0;
  for (int i = 0; i < kAppends; ++i) {
    ledger->AppendAsync(MakeReceipt(i), [&](absl::StatusOr<SignedReceipt> stored) {
      absl::MutexLock lock(&mu);
      EXPECT_TRUE(stored.ok()) << stored.status();
      if (stored.ok()) leaves.push_back(stored->leaf_index());
      ++done;
    });
    if (i == 0) gated.AwaitWriteHeld();
  }
  gated.Open();
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* d) { return *d == kAppends; }, &done));
  }
  std::sort(leaves.begin(), leaves.end());
  ASSERT_EQ(leaves.size(), static_cast<size_t>(kAppends));
  for (int i = 0; i < kAppends; ++i) EXPECT_EQ(leaves[i], static_cast<uint64_t>(i));
  const std::vector<size_t> groups = gated.receipts_per_write();
  EXPECT_LE(groups.size(), 2u);
  EXPECT_GE(*std::max_element(groups.begin(), groups.end()), static_cast<size_t>(kAppends - 1));
  EXPECT_EQ(ledger->TreeSize(), static_cast<uint64_t>(kAppends));
  EXPECT_TRUE(ledger->VerifyAll().ok());
}

TYPED_TEST(BackendConformanceTest, ProofsVerifyAgainstRootAt) {
  std::unique_ptr<Ledger> ledger = this->OpenLedger(*this->backend_);
  ASSERT_NE(ledger, nullptr);
  std::vector<ledger::Digest> leaf_hashes;
  for (int i = 0; i < 21; ++i) {
    absl::StatusOr<SignedReceipt> r = ledger->Append(MakeReceipt(i));
    ASSERT_TRUE(r.ok()) << r.status();
    leaf_hashes.push_back(ledger::LeafHash(r->receipt_bytes()));
  }
  for (uint64_t size : {1u, 2u, 7u, 8u, 13u, 21u}) {
    absl::StatusOr<ledger::Digest> root = ledger->RootAt(size);
    ASSERT_TRUE(root.ok()) << root.status();
    for (uint64_t leaf = 0; leaf < size; leaf += 3) {
      auto proof = ledger->GetInclusionProof(leaf, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(
          ledger::VerifyInclusion(leaf, size, leaf_hashes[leaf], Digests(proof->hashes()), *root)
              .ok())
          << leaf << " in " << size;
    }
    for (uint64_t old_size : {1u, 5u, 8u}) {
      if (old_size > size) continue;
      auto proof = ledger->GetConsistencyProof(old_size, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(ledger::VerifyConsistency(old_size, size, *ledger->RootAt(old_size), *root,
                                            Digests(proof->hashes()))
                      .ok())
          << old_size << " -> " << size;
    }
  }
}

TYPED_TEST(BackendConformanceTest, IndexPagesCoverEveryEntryOnce) {
  std::unique_ptr<Ledger> ledger = this->OpenLedger(*this->backend_);
  ASSERT_NE(ledger, nullptr);
  std::vector<uint64_t> expected;
  for (int i = 0; i < 17; ++i) {
    ReceiptSpec spec;
    spec.case_id = i % 3 == 0 ? "case-a" : "case-b";
    absl::StatusOr<SignedReceipt> r = ledger->Append(MakeReceipt(i, spec));
    ASSERT_TRUE(r.ok());
    if (i % 3 == 0) expected.push_back(r->leaf_index());
  }
  IndexQuery query;
  query.index = IndexKind::kCase;
  query.key = "case-a";
  query.page_size = 2;
  std::vector<uint64_t> seen;
  for (int pages = 0; pages < 10; ++pages) {
    absl::StatusOr<QueryPage> page = ledger->Query(query);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->leaf_indexes.size(), 2u);
    for (size_t i = 0; i < page->leaf_indexes.size(); ++i) {
      seen.push_back(page->leaf_indexes[i]);
      EXPECT_EQ(page->receipts[i].leaf_index(), page->leaf_indexes[i]);
    }
    if (page->next_page_token.empty()) break;
    query.page_token = page->next_page_token;
  }
  EXPECT_EQ(seen, expected);
}

TYPED_TEST(BackendConformanceTest, CompanionRecordsAreDurableWithTheirReceipt) {
  {
    std::unique_ptr<Ledger> ledger = this->OpenLedger(*this->backend_);
    ASSERT_NE(ledger, nullptr);
    absl::StatusOr<SignedReceipt> r =
        ledger->Append(MakeReceipt(0), [](const SignedReceipt& stored) {
          WriteBatch records;
          records.Put(Family::kCases, "case-1", absl::StrCat("at leaf ", stored.leaf_index()));
          records.Put(Family::kIdempotency, "request/1", "outcome");
          return records;
        });
    ASSERT_TRUE(r.ok()) << r.status();
  }
  this->Reopen();
  EXPECT_EQ(this->backend_->Get(Family::kCases, "case-1")->value_or(""), "at leaf 0");
  EXPECT_EQ(this->backend_->Get(Family::kIdempotency, "request/1")->value_or(""), "outcome");
}

TYPED_TEST(BackendConformanceTest, ACompanionWritingTheLogIsRefused) {
  std::unique_ptr<Ledger> ledger = this->OpenLedger(*this->backend_);
  ASSERT_NE(ledger, nullptr);
  ASSERT_TRUE(ledger->Append(MakeReceipt(0)).ok());
  absl::StatusOr<SignedReceipt> refused = ledger->Append(MakeReceipt(1), [](const SignedReceipt&) {
    WriteBatch records;
    records.Put(Family::kCases, "case-9", "v");
    records.Put(Family::kMeta, std::string(kMetaTreeSize), LeafKey(1000));
    return records;
  });
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ledger->TreeSize(), 1u);
  EXPECT_FALSE(this->backend_->Get(Family::kCases, "case-9")->has_value());
  // The ledger goes on.
  absl::StatusOr<SignedReceipt> next = ledger->Append(MakeReceipt(2));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->leaf_index(), 1u);
  EXPECT_TRUE(ledger->VerifyAll().ok());
}

// Waits (real time, generous) for a condition the ledger reaches by itself.
template <typename Condition>
bool Eventually(Condition condition) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

TYPED_TEST(BackendConformanceTest, WriterRoleLostRefusesAndRegainedReloads) {
  WriterRoleBackend role(*this->backend_);
  std::unique_ptr<Ledger> ledger = this->OpenLedger(role);
  ASSERT_NE(ledger, nullptr);
  absl::Mutex mu;
  std::vector<bool> health;
  ledger->SetHealthObserver([&](const absl::Status& s) {
    absl::MutexLock lock(&mu);
    health.push_back(s.ok());
  });
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ledger->Append(MakeReceipt(i)).ok());
  ASSERT_TRUE(ledger->MakeCheckpoint().ok());

  role.LoseRole();
  absl::Status unhealthy = ledger->WriteHealth();
  EXPECT_EQ(unhealthy.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(unhealthy.message().find("not the writer"), std::string::npos) << unhealthy;
  absl::StatusOr<SignedReceipt> refused = ledger->Append(MakeReceipt(5));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return !health.empty() && !health.back();
  })) << "the health observer never heard of the lost role";

  // Another broker holds the role and appends three receipts and a checkpoint.
  {
    WriterRoleBackend other(*this->backend_);
    std::unique_ptr<Ledger> writer = this->OpenLedger(other);
    ASSERT_NE(writer, nullptr);
    for (int i = 100; i < 103; ++i) ASSERT_TRUE(writer->Append(MakeReceipt(i)).ok());
    ASSERT_TRUE(writer->MakeCheckpoint().ok());
  }
  // The standby's read view follows: tree size, latest checkpoint, proofs.
  EXPECT_TRUE(Eventually([&] {
    absl::StatusOr<broker::v1::Checkpoint> cp = ledger->LatestCheckpoint();
    return ledger->TreeSize() == 8 && cp.ok() && cp->tree_size() == 8;
  })) << "tree size "
      << ledger->TreeSize();
  absl::StatusOr<SignedReceipt> written = ledger->GetReceipt(7);
  ASSERT_TRUE(written.ok()) << written.status();
  auto proof = ledger->GetInclusionProof(7, 8);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_TRUE(ledger::VerifyInclusion(7, 8, ledger::LeafHash(written->receipt_bytes()),
                                      Digests(proof->hashes()), *ledger->RootAt(8))
                  .ok());

  // Regained (a new epoch): the ledger reloads before it appends, so its
  // next receipt follows the other broker's, not its own last one.
  role.RegainRole();
  EXPECT_TRUE(Eventually([&] { return ledger->WriteHealth().ok(); })) << ledger->WriteHealth();
  absl::StatusOr<SignedReceipt> after = ledger->Append(MakeReceipt(8));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->leaf_index(), 8u);
  EXPECT_TRUE(ledger->VerifyAll().ok()) << ledger->VerifyAll();
  ledger->SetHealthObserver(nullptr);
  absl::MutexLock lock(&mu);
  EXPECT_TRUE(health.back());
}

// The role lost and regained quickly (a lease taken over and back, as a
// paused broker may see): the writer epoch changed, and another broker
// appended meanwhile. Whether or not the ledger noticed the gap, it must not
// append over the other broker's receipts.
TYPED_TEST(BackendConformanceTest, AChangedWriterEpochReloadsBeforeTheNextAppend) {
  WriterRoleBackend role(*this->backend_);
  std::unique_ptr<Ledger> ledger = this->OpenLedger(role);
  ASSERT_NE(ledger, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ledger->Append(MakeReceipt(i)).ok());
  role.LoseRole();
  {
    WriterRoleBackend other(*this->backend_);
    std::unique_ptr<Ledger> writer = this->OpenLedger(other);
    ASSERT_NE(writer, nullptr);
    for (int i = 100; i < 102; ++i) ASSERT_TRUE(writer->Append(MakeReceipt(i)).ok());
  }
  role.RegainRole();
  absl::StatusOr<SignedReceipt> next = absl::UnknownError("not tried");
  EXPECT_TRUE(Eventually([&] {
    next = ledger->Append(MakeReceipt(9));
    return next.ok();
  })) << next.status();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->leaf_index(), 5u);
  EXPECT_EQ(ledger->TreeSize(), 6u);
  EXPECT_TRUE(ledger->VerifyAll().ok()) << ledger->VerifyAll();
}

}  // namespace
}  // namespace wams::storage
