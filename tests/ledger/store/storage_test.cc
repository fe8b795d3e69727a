#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "broker/ledger/store/pseudonymizer.h"
#include "broker/storage/key_codec.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gtest/gtest.h"
#include "tests/ledger/store/test_util.h"
#include "tests/testing/status_matchers.h"

namespace wams::ledger::store {
namespace {

using ::wams::storage::AppendTime;
using ::wams::storage::DecodeBigEndian64;
using ::wams::storage::Family;
using ::wams::storage::kLayoutVersion;
using ::wams::storage::kMetaLayoutVersion;
using ::wams::storage::LeafKey;
using ::wams::storage::NodeKey;
using ::wams::storage::ReadTime;
using ::wams::storage::RocksDbBackend;
using ::wams::storage::RocksDbOptions;
using ::wams::storage::StringPrefix;

using ::wams::testing::StatusIs;

using testing::TempDir;

TEST(StorageTest, CreatesEveryColumnFamilyOfTheTable) {
  TempDir dir;
  { ASSERT_TRUE(RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions()).ok()); }
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.Sub("db"), &names).ok());
  // The on-disk names: "default" and one per family, unchanged since layout 1
  // (subject_keys added to it since: see the next test).
  const std::vector<std::string> expected = {
      "default",     "meta",      "receipts", "nodes", "checkpoints", "idx_case",
      "idx_subject", "idx_party", "idx_time", "cases", "idempotency", "subject_keys"};
  ASSERT_EQ(names.size(), expected.size());
  for (const std::string& name : expected) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  EXPECT_EQ(::wams::storage::RocksDbColumnFamilyNames(), expected);
}

// A database written before the subject key table existed opens, keeps its
// rows and gains the family, empty (broker/storage/README.md).
TEST(StorageTest, AddsTheSubjectKeyFamilyToADatabaseWithoutIt) {
  TempDir dir;
  {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : ::wams::storage::RocksDbColumnFamilyNames()) {
      if (name != "subject_keys") families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.Sub("db"), families, &handles, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[9], "case-1", "v").ok());  // cases
    for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
    delete db;
  }
  auto s = RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*(*s)->Get(Family::kCases, "case-1"), std::optional<std::string>("v"));
  ::wams::storage::WriteBatch batch;
  batch.Put(Family::kSubjectKeys, "tag", "key");
  ASSERT_TRUE((*s)->Write(batch).ok());
  EXPECT_EQ(*(*s)->Get(Family::kSubjectKeys, "tag"), std::optional<std::string>("key"));
}

TEST(StorageTest, WritesSurviveReopen) {
  TempDir dir;
  {
    auto s = RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions());
    ASSERT_TRUE(s.ok());
    ::wams::storage::WriteBatch batch;
    batch.Put(Family::kCases, "case-1", "v");
    ASSERT_TRUE((*s)->Write(batch).ok());
  }
  auto s = RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions());
  ASSERT_TRUE(s.ok());
  auto v = (*s)->Get(Family::kCases, "case-1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value_or(""), "v");
  EXPECT_FALSE((*s)->Get(Family::kCases, "case-2")->has_value());
}

TEST(StorageTest, RefusesAnUnknownColumnFamily) {
  TempDir dir;
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.Sub("db"), &db).ok());
    rocksdb::ColumnFamilyHandle* h = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "mystery", &h).ok());
    db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  auto s = RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions());
  ASSERT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(absl::StrContains(s.status().message(), "mystery")) << s.status();
}

TEST(StorageTest, RefusesAnotherLayoutVersion) {
  TempDir dir;
  {
    auto s = RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions());
    ASSERT_TRUE(s.ok());
    ::wams::storage::WriteBatch batch;
    batch.Put(Family::kMeta, std::string(kMetaLayoutVersion), LeafKey(kLayoutVersion + 1));
    ASSERT_TRUE((*s)->Write(batch).ok());
  }
  auto s = RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions());
  ASSERT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(StorageTest, RefusesAMissingColumnFamilyInsteadOfRecreatingIt) {
  TempDir dir;
  { ASSERT_TRUE(RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions()).ok()); }
  {
    rocksdb::Options o;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : ::wams::storage::RocksDbColumnFamilyNames()) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.Sub("db"), descriptors, &handles, &db).ok());
    // Handle 0 is "default".
    ASSERT_TRUE(db->DropColumnFamily(handles[static_cast<int>(Family::kCases) + 1]).ok());
    for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  auto s = RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions());
  ASSERT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_TRUE(absl::StrContains(s.status().message(), "cases")) << s.status();
}

TEST(StorageTest, RefusesADataDirectoryThatIsAFile) {
  TempDir dir;
  { std::ofstream(dir.Sub("db")) << "not a database"; }
  auto s = RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions());
  ASSERT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(absl::StrContains(s.status().message(), "not a directory")) << s.status();
}

TEST(StorageTest, WritesNoRocksDbLogFileIntoTheDataDirectory) {
  TempDir dir;
  { ASSERT_TRUE(RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions()).ok()); }
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("db") + "/LOG"));
}

TEST(KeyCodecTest, BigEndianKeysSortNumerically) {
  EXPECT_LT(LeafKey(255), LeafKey(256));
  EXPECT_LT(LeafKey(1), LeafKey(uint64_t{1} << 40));
  EXPECT_EQ(LeafKey(0x0102030405060708), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(NodeKey(3, 5), std::string("\x03\0\0\0\0\0\0\0\x05", 9));
  EXPECT_EQ(*DecodeBigEndian64(LeafKey(123456789)), 123456789u);
  EXPECT_EQ(DecodeBigEndian64("short").status().code(), absl::StatusCode::kDataLoss);
}

TEST(KeyCodecTest, TimesSortInTimeOrderAcrossTheEpoch) {
  std::string before, epoch, after;
  AppendTime(&before, absl::FromUnixSeconds(-5));
  AppendTime(&epoch, absl::UnixEpoch());
  AppendTime(&after, absl::FromUnixNanos(1));
  EXPECT_LT(before, epoch);
  EXPECT_LT(epoch, after);
  EXPECT_EQ(ReadTime(before), absl::FromUnixSeconds(-5));
}

TEST(KeyCodecTest, StringComponentsAreLengthPrefixed) {
  EXPECT_EQ(*StringPrefix("ab"), std::string("\0\x02"
                                             "ab",
                                             4));
  // "a" + anything never collides with "ab".
  EXPECT_FALSE(absl::StartsWith(*StringPrefix("ab"), *StringPrefix("a")));
  EXPECT_EQ(StringPrefix(std::string(70000, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PseudonymizerTest, IsHmacSha256UnderTheKey) {
  EXPECT_EQ(Pseudonymizer::Create("short").status().code(), absl::StatusCode::kInvalidArgument);
  auto p = Pseudonymizer::Create(std::string(32, 'k'));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Pseudonymize("123456782"),
            DigestBytes(HmacSha256(std::string(32, 'k'), "123456782")));
  EXPECT_EQ(p->Pseudonymize("123456782"), p->Pseudonymize("123456782"));
  auto q = Pseudonymizer::Create(std::string(32, 'j'));
  EXPECT_NE(p->Pseudonymize("123456782"), q->Pseudonymize("123456782"));
}

}  // namespace
}  // namespace wams::ledger::store
