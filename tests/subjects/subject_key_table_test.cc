// subject_key_table_test.cc: the subject key table (broker/subjects) on the
// real databases, RocksDB in a temp dir and a throwaway PostgreSQL (a typed
// test): one key per subject, also under concurrent first use; keys survive
// a reopen; Find never makes a key; Shred makes the old pseudonym
// unreachable from the BSN under every key that remains, and (RocksDB) the
// key's bytes leave the database's files; the migration from the legacy
// global key and its retirement.
#include "broker/subjects/subject_key_table.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/storage/backend.h"
#include "broker/storage/postgres/postgres_backend.h"
#include "broker/storage/record_keys.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ledger/store/test_util.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/status_matchers.h"

namespace wams::subjects {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::wams::ledger::store::testing::TempDir;
using ::wams::storage::Backend;
using ::wams::storage::Family;
using ::wams::testing::StatusIs;

constexpr char kBsn[] = "111222333";
constexpr char kOtherBsn[] = "123456782";
const std::string kKeyFile(32, 'k');  // the legacy global key

std::string Hmac(std::string_view key, std::string_view data) {
  return ledger::DigestBytes(ledger::HmacSha256(key, data));
}

struct RocksDbFactory {
  static constexpr char kName[] = "rocksdb";
  static constexpr bool kFilesVisible = true;
  static absl::StatusOr<std::unique_ptr<Backend>> Open(const std::string& dir) {
    auto opened = storage::RocksDbBackend::Open(dir + "/db", storage::RocksDbOptions());
    if (!opened.ok()) return opened.status();
    return std::unique_ptr<Backend>(*std::move(opened));
  }
};

struct PostgresFactory {
  static constexpr char kName[] = "postgres";
  static constexpr bool kFilesVisible = false;
  static absl::StatusOr<std::unique_ptr<Backend>> Open(const std::string& dir) {
    static const std::unique_ptr<::wams::testing::PostgresServer> server = [] {
      auto started = ::wams::testing::PostgresServer::Start();
      if (!started.ok()) ADD_FAILURE() << started.status();
      return started.ok() ? *std::move(started) : nullptr;
    }();
    if (server == nullptr) return absl::UnavailableError("no PostgreSQL test server");
    std::string database = absl::StrCat("s", absl::Hash<std::string>()(dir) & 0xffffffffffff);
    if (server
            ->Query("postgres",
                    absl::StrCat("SELECT 1 FROM pg_database WHERE datname = '", database, "'"))
            .value_or("") != "1") {
      auto created = server->Query("postgres", absl::StrCat("CREATE DATABASE ", database));
      if (!created.ok()) return created.status();
    }
    storage::postgres::PostgresOptions options;
    options.conninfo = server->Conninfo(database);
    options.node_name = "subjects";
    auto opened = storage::postgres::PostgresBackend::Create(options);
    if (!opened.ok()) return opened.status();
    return std::unique_ptr<Backend>(*std::move(opened));
  }
};

template <typename Factory>
class SubjectKeyTableTest : public ::testing::Test {
 protected:
  void SetUp() override { ReopenBackend(); }

  void ReopenBackend() {
    table_.reset();
    backend_.reset();
    auto opened = Factory::Open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status();
    backend_ = *std::move(opened);
    ASSERT_TRUE(backend_->AwaitWritable(absl::Now() + absl::Seconds(30)));
  }

  // The table over the backend, as a broker whose log has `tree_size` leaves.
  std::unique_ptr<SubjectKeyTable> OpenTable(std::string_view key_file = kKeyFile,
                                             uint64_t tree_size = 0,
                                             SubjectKeyOptions options = {}) {
    auto opened = SubjectKeyTable::Open(*backend_, key_file, tree_size, options);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? *std::move(opened) : nullptr;
  }

  // The stored subject key of `bsn`, read as an attacker with the index key
  // would (nullopt when none).
  std::optional<std::string> StoredKey(std::string_view index_key, std::string_view bsn) {
    const std::string tag = Hmac(index_key, "subject-key" + std::string(bsn));
    return *backend_->Get(Family::kSubjectKeys, storage::SubjectKeyKey(tag));
  }

  size_t Rows(Family family) {
    auto rows = backend_->Scan(family, storage::ScanRange::From("", 1000));
    return rows.ok() ? rows->size() : 0;
  }

  TempDir dir_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<SubjectKeyTable> table_;
};

using Factories = ::testing::Types<RocksDbFactory, PostgresFactory>;
class FactoryNames {
 public:
  template <typename Factory>
  static std::string GetName(int) {
    return Factory::kName;
  }
};
TYPED_TEST_SUITE(SubjectKeyTableTest, Factories, FactoryNames);

TYPED_TEST(SubjectKeyTableTest, GivesEachSubjectItsOwnStablePseudonym) {
  auto table = this->OpenTable();
  ASSERT_NE(table, nullptr);
  auto first = table->Pseudonymize(kBsn);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 32u);
  EXPECT_EQ(*table->Pseudonymize(kBsn), *first);
  EXPECT_NE(*table->Pseudonymize(kOtherBsn), *first);
  // Not the global key's pseudonym, and keyed text differs from it.
  EXPECT_NE(*first, Hmac(kKeyFile, kBsn));
  EXPECT_NE(*table->Keyed(kBsn, "text"), *first);
  EXPECT_EQ(*table->Keyed(kBsn, "text"), *table->Keyed(kBsn, "text"));
  // Two subjects, two rows each (key and reverse entry).
  EXPECT_EQ(this->Rows(Family::kSubjectKeys), 4u);
}

TYPED_TEST(SubjectKeyTableTest, ConcurrentFirstUsesOfOneSubjectMakeOneKey) {
  // No cache: every use goes to the database.
  auto table = this->OpenTable(kKeyFile, 0, {.cache_entries = 0});
  ASSERT_NE(table, nullptr);
  constexpr int kThreads = 8;
  std::vector<std::string> seen(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { seen[i] = table->Pseudonymize(kBsn).value_or("failed"); });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& pseudonym : seen) EXPECT_EQ(pseudonym, seen[0]);
  EXPECT_EQ(this->Rows(Family::kSubjectKeys), 2u);
}

TYPED_TEST(SubjectKeyTableTest, KeysSurviveAReopen) {
  std::string before;
  {
    auto table = this->OpenTable();
    ASSERT_NE(table, nullptr);
    before = *table->Pseudonymize(kBsn);
  }
  this->ReopenBackend();
  auto table = this->OpenTable(kKeyFile, 7);  // the recorded migration point stays 0
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->migrated_at_tree_size(), 0u);
  EXPECT_THAT(*table->Find(kBsn), ElementsAre(before));
  EXPECT_EQ(*table->Pseudonymize(kBsn), before);
}

TYPED_TEST(SubjectKeyTableTest, FindNeverMakesAKey) {
  auto table = this->OpenTable();
  ASSERT_NE(table, nullptr);
  EXPECT_THAT(*table->Find(kBsn), IsEmpty());
  EXPECT_EQ(this->Rows(Family::kSubjectKeys), 0u);
}

TYPED_TEST(SubjectKeyTableTest, RefusesAnotherKeyFile) {
  ASSERT_NE(this->OpenTable(), nullptr);
  EXPECT_THAT(SubjectKeyTable::Open(*this->backend_, std::string(32, 'x'), 0),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(SubjectKeyTable::Open(*this->backend_, "short", 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TYPED_TEST(SubjectKeyTableTest, ShredUnlinksThePseudonymFromTheBsn) {
  auto table = this->OpenTable();
  ASSERT_NE(table, nullptr);
  const std::string pseudonym = *table->Pseudonymize(kBsn);
  const std::string keyed = *table->Keyed(kBsn, "details");
  const std::string other = *table->Pseudonymize(kOtherBsn);
  const std::string index_key = Hmac(kKeyFile, SubjectKeyTable::kIndexKeyLabel);
  const std::optional<std::string> key = this->StoredKey(index_key, kBsn);
  ASSERT_TRUE(key.has_value());

  ASSERT_TRUE(table->Shred(pseudonym).ok());
  EXPECT_THAT(*table->Find(kBsn), IsEmpty());
  EXPECT_FALSE(this->StoredKey(index_key, kBsn).has_value());
  // The other subject is untouched.
  EXPECT_THAT(*table->Find(kOtherBsn), ElementsAre(other));
  // Shredding again, or an unknown pseudonym, is fine.
  EXPECT_TRUE(table->Shred(pseudonym).ok());
  EXPECT_TRUE(table->Shred(std::string(32, 'z')).ok());

  // A fresh, unrelated key from now on.
  const std::string fresh = *table->Pseudonymize(kBsn);
  EXPECT_NE(fresh, pseudonym);
  // No key that remains gives the old pseudonym (or keyed text) from the BSN:
  // the index key, the key file, the new subject key, every other stored key.
  std::vector<std::string> remaining = {index_key, kKeyFile, *this->StoredKey(index_key, kBsn),
                                        *this->StoredKey(index_key, kOtherBsn)};
  for (const std::string& k : remaining) {
    EXPECT_NE(Hmac(k, kBsn), pseudonym);
    EXPECT_NE(Hmac(k, std::string("subject-key") + kBsn), pseudonym);
    EXPECT_NE(Hmac(k, "details"), keyed);
  }

  if constexpr (TypeParam::kFilesVisible) {
    // The destroyed key's bytes are in no file of the database any more
    // (memtables flushed, write-ahead logs released, tables compacted).
    size_t files = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(this->dir_.path() + "/db")) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      ++files;
      EXPECT_FALSE(absl::StrContains(bytes, *key)) << entry.path();
    }
    EXPECT_GT(files, 0u);
  }
}

TYPED_TEST(SubjectKeyTableTest, FindsLegacyPseudonymsUntilTheLegacyKeyIsRetired) {
  const std::string legacy = Hmac(kKeyFile, kBsn);
  std::string own;
  {
    // A log of 5 leaves written under the global key.
    auto table = this->OpenTable(kKeyFile, 5);
    ASSERT_NE(table, nullptr);
    EXPECT_TRUE(table->legacy_key_kept());
    EXPECT_EQ(table->migrated_at_tree_size(), 5u);
    EXPECT_THAT(*table->Find(kBsn), ElementsAre(legacy));  // no key made yet
    own = *table->Pseudonymize(kBsn);
    EXPECT_THAT(*table->Find(kBsn), ElementsAre(own, legacy));
    // A legacy pseudonym has no key of its own to shred.
    EXPECT_TRUE(table->Shred(legacy).ok());
    EXPECT_THAT(*table->Find(kBsn), ElementsAre(own, legacy));
  }
  auto index_key = SubjectKeyTable::RetireLegacyKey(*this->backend_, kKeyFile);
  ASSERT_TRUE(index_key.ok()) << index_key.status();
  EXPECT_THAT(SubjectKeyTable::RetireLegacyKey(*this->backend_, kKeyFile),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // The old key file no longer opens the table; the index key does.
  EXPECT_THAT(SubjectKeyTable::Open(*this->backend_, kKeyFile, 9),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  auto table = this->OpenTable(*index_key, 9);
  ASSERT_NE(table, nullptr);
  EXPECT_FALSE(table->legacy_key_kept());
  EXPECT_EQ(table->migrated_at_tree_size(), 5u);
  EXPECT_THAT(*table->Find(kBsn), ElementsAre(own));
  EXPECT_EQ(*table->Pseudonymize(kBsn), own);
  // After the retirement and a shred, nothing at all is found by the BSN.
  ASSERT_TRUE(table->Shred(own).ok());
  EXPECT_THAT(*table->Find(kBsn), IsEmpty());
  EXPECT_NE(Hmac(*index_key, kBsn), legacy);
}

TYPED_TEST(SubjectKeyTableTest, ShredAllTakesABatch) {
  auto table = this->OpenTable();
  ASSERT_NE(table, nullptr);
  const std::string a = *table->Pseudonymize(kBsn);
  const std::string b = *table->Pseudonymize(kOtherBsn);
  ASSERT_TRUE(table->ShredAll({a, b, std::string(32, 'z')}).ok());
  EXPECT_THAT(*table->Find(kBsn), IsEmpty());
  EXPECT_THAT(*table->Find(kOtherBsn), IsEmpty());
  EXPECT_EQ(this->Rows(Family::kSubjectKeys), 0u);
}

}  // namespace
}  // namespace wams::subjects
