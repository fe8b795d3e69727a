// A damaged data directory, with the real broker process: each time the
// broker refuses to start (non-zero exit, never "listening on"), and its log
// names what it found. The data directory is a real one: a broker ran, opened
// a case (receipts, a checkpoint), stopped, and an offline export flushed it
// into table files; then the test damages it.
//
// A changed receipt, node or checkpoint value (a flipped byte inside a
// valid RocksDB record) is the tamper tests' subject:
// tests/audit/tamper_test.cc (ReceiptEditedInRocksDbIsDetected,
// DroppedLastReceiptsAreDetected) and tests/ledger/store/ledger_test.cc
// (OpenRefusesATamperedNode, OpenRefusesATamperedReceiptAfterTheCheckpoint,
// OpenRefusesDroppedReceipts, ...).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/metadata.h"
#include "rocksdb/options.h"
#include "tests/exchange/exchange_test_fixture.h"

namespace wams::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class StorageCorruptionTest : public ExchangeFlowTest {
 protected:
  void SetUp() override {
    ExchangeFlowTest::SetUp();
    if (HasFatalFailure()) return;
    OpenCase({v1::DOMAIN_EDUCATION}, {});
    OpenCase({v1::DOMAIN_EDUCATION}, {});
    // Let the checkpoint timer (1 s) sign the tree.
    absl::SleepFor(absl::Milliseconds(1500));
    ASSERT_EQ(broker_.Stop(), 0);
    // The offline export opens the database too: RocksDB replays the WAL
    // into table files there, and the export shows the directory was whole.
    std::string output;
    ASSERT_EQ(broker_.ExportAndVerify(broker_.root() / "export-before", &output), 0) << output;
  }

  fs::path data_dir() const { return broker_.root() / "dev-data" / "broker"; }

  // Starts the broker on the damaged directory; expects it to refuse, and
  // returns its log.
  std::string StartExpectingRefusal() {
    EXPECT_FALSE(broker_.Start()) << "the broker started on a damaged data directory";
    int code = broker_.process().Wait();
    EXPECT_NE(code, 0);
    std::string log = ReadFile(broker_.log_path());
    EXPECT_THAT(log, HasSubstr("cannot start"));
    return log;
  }

  // The table files of a column family, largest first.
  std::vector<std::string> TableFiles(const std::string& family) {
    rocksdb::Options options;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : ::wams::storage::RocksDbColumnFamilyNames()) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    std::vector<std::string> out;
    rocksdb::Status s =
        rocksdb::DB::OpenForReadOnly(options, data_dir().string(), descriptors, &handles, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return out;
    std::vector<rocksdb::LiveFileMetaData> files;
    db->GetLiveFilesMetaData(&files);
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.size > b.size; });
    for (const auto& f : files) {
      if (f.column_family_name == family) out.push_back(f.name);  // "/000012.sst"
    }
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
    return out;
  }

  static void Overwrite(const fs::path& file, std::streamoff offset, const std::string& bytes) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(offset);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  static fs::path Manifest(const fs::path& dir) {
    std::string current = ReadFile(dir / "CURRENT");
    while (!current.empty() && current.back() == '\n') current.pop_back();
    return dir / current;
  }
};

TEST_F(StorageCorruptionTest, TruncatedTableFileIsNamed) {
  std::vector<std::string> files = TableFiles("receipts");
  ASSERT_FALSE(files.empty());
  const fs::path table = data_dir() / files.front().substr(1);
  fs::resize_file(table, fs::file_size(table) / 2);
  std::string log = StartExpectingRefusal();
  EXPECT_THAT(log, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(log, HasSubstr(table.filename().string()));
}

TEST_F(StorageCorruptionTest, GarbledTableFileIsNamed) {
  std::vector<std::string> files = TableFiles("receipts");
  ASSERT_FALSE(files.empty());
  const fs::path table = data_dir() / files.front().substr(1);
  // Inside the first data block (the file starts with it): its checksum no
  // longer matches.
  Overwrite(table, 64, std::string(32, '\x5a'));
  std::string log = StartExpectingRefusal();
  EXPECT_THAT(log, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(log, HasSubstr(table.filename().string()));
}

TEST_F(StorageCorruptionTest, GarbledManifestIsNamed) {
  const fs::path manifest = Manifest(data_dir());
  ASSERT_TRUE(fs::exists(manifest)) << manifest;
  Overwrite(manifest, 20, std::string(64, '\x5a'));
  std::string log = StartExpectingRefusal();
  EXPECT_THAT(log, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(log, HasSubstr("MANIFEST"));
}

TEST_F(StorageCorruptionTest, CurrentPointingNowhereIsNamed) {
  WriteFile(data_dir() / "CURRENT", "MANIFEST-999999\n");
  std::string log = StartExpectingRefusal();
  EXPECT_THAT(log, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(log, HasSubstr("MANIFEST-999999"));
}

TEST_F(StorageCorruptionTest, UnreadableCurrentIsNamed) {
  fs::remove(data_dir() / "CURRENT");
  fs::create_directory(data_dir() / "CURRENT");  // open(2) works, read(2) fails: EISDIR
  std::string log = StartExpectingRefusal();
  EXPECT_THAT(log, HasSubstr("CURRENT"));
}

TEST_F(StorageCorruptionTest, MissingColumnFamilyIsNamedNotRecreated) {
  {
    rocksdb::Options options;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : ::wams::storage::RocksDbColumnFamilyNames()) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, data_dir().string(), descriptors, &handles, &db).ok());
    for (auto* h : handles) {
      if (h->GetName() == "idx_case") {
        ASSERT_TRUE(db->DropColumnFamily(h).ok());
      }
    }
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  std::string log = StartExpectingRefusal();
  EXPECT_THAT(log, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(log, HasSubstr("idx_case"));
}

TEST_F(StorageCorruptionTest, DataDirectoryOfAnotherBrokerIsRefused) {
  // Another broker's log: signed with another receipt-signing key.
  const fs::path key = broker_.pki_dir() / "receipt-signing.key";
  std::string output;
  ASSERT_EQ(
      RunCommand({"openssl", "genpkey", "-algorithm", "ed25519", "-out", key.string()}, &output), 0)
      << output;
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  std::string log = StartExpectingRefusal();
  EXPECT_THAT(log, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(log, HasSubstr("signed by"));
}

TEST_F(StorageCorruptionTest, DataDirectoryOfAnotherOriginIsRefused) {
  ASSERT_EQ(broker_.ReplaceInConfig("wams.voorbeeldstad.example/receipts",
                                    "wams.anderestad.example/receipts"),
            1);
  std::string log = StartExpectingRefusal();
  EXPECT_THAT(log, HasSubstr("wams.voorbeeldstad.example/receipts"));
}

TEST_F(StorageCorruptionTest, DataDirectoryThatIsAFileIsRefused) {
  fs::remove_all(data_dir());
  WriteFile(data_dir(), "not a database");
  // Refused with the config errors (exit 2), before storage is opened.
  EXPECT_FALSE(broker_.Start()) << "the broker started on a data directory that is a file";
  EXPECT_EQ(broker_.process().Wait(), 2);
  EXPECT_THAT(ReadFile(broker_.log_path()), HasSubstr("is not a directory"));
}

}  // namespace
}  // namespace wams::testing
