// wams-storage copy with real processes (issue 17): a real broker's RocksDB
// log is copied into a fresh RocksDB directory by the real tool; the copy is
// verified (every receipt and the root), a broker started on it serves and
// its export holds the source's receipts byte for byte; a non-empty
// destination is refused with nothing written; usage errors exit 2.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "broker/storage/key_codec.h"
#include "broker/storage/open_backend.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/subprocess.h"
#include "wams/broker/v1/case.grpc.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string StorageBinary() { return WAMS_STORAGE_BINARY; }

// The value after "<label>: " in `output`, or "".
std::string ValueOf(const std::string& output, const std::string& label) {
  for (const std::string& line : std::vector<std::string>(absl::StrSplit(output, '\n'))) {
    if (line.starts_with(label + ": ")) return line.substr(label.size() + 2);
  }
  return "";
}

class WamsStorageTest : public ::testing::Test {
 protected:
  // Opens `n` cases as the municipality: one receipt each.
  void OpenCases(int n, const std::string& prefix) {
    auto stub = v1::CaseService::NewStub(broker_.Channel("municipality"));
    for (int i = 0; i < n; ++i) {
      v1::OpenClientCaseRequest request;
      request.set_request_id(absl::StrCat(prefix, "-", i));
      request.set_client_bsn(kClientBsn);
      request.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
      context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
      v1::CaseResponse response;
      grpc::Status status = stub->OpenClientCase(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }

  // A second broker config, the same but with its data in dev-data/`name`.
  std::string ConfigWithData(const std::string& name) {
    std::string path = (broker_.root() / "config" / absl::StrCat(name, ".textproto")).string();
    std::string text = absl::StrReplaceAll(ReadFile(broker_.config_path()),
                                           {{"dev-data/broker", absl::StrCat("dev-data/", name)}});
    EXPECT_NE(text, ReadFile(broker_.config_path())) << "no data directory to replace";
    WriteFile(path, text);
    return path;
  }

  int Copy(const std::string& from, const std::string& to, std::string* output) {
    return RunCommand({StorageBinary(), "copy", "--from", from, "--to", to, "--batch-rows", "50"},
                      output);
  }

  BrokerFixture broker_;
};

TEST_F(WamsStorageTest, CopiesARealLogVerifiesItAndABrokerServesFromTheCopy) {
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  OpenCases(120, "before");
  ASSERT_EQ(broker_.Stop(), 0);
  std::string source_check;
  ASSERT_EQ(broker_.ExportAndVerify(broker_.root() / "source-export", &source_check), 0)
      << source_check;
  const std::string source_root = ValueOf(source_check, "root");
  ASSERT_FALSE(source_root.empty()) << source_check;

  const std::string copy_config = ConfigWithData("copy");
  std::string output;
  ASSERT_EQ(Copy(broker_.config_path(), copy_config, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("\nOK\n"));
  EXPECT_EQ(ValueOf(output, "root"), source_root) << output;
  EXPECT_EQ(ValueOf(output, "tree size"), ValueOf(source_check, "tree size")) << output;
  EXPECT_THAT(output, HasSubstr("receipts     "));
  std::cout << output;

  // Private like the broker's own data directory (which a broker insists on).
  const std::filesystem::perms perms =
      std::filesystem::status(broker_.root() / "dev-data" / "copy").permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);

  // Again into the now full destination: refused, nothing written.
  std::string again;
  EXPECT_EQ(Copy(broker_.config_path(), copy_config, &again), 3) << again;
  EXPECT_THAT(again, HasSubstr("destination is not empty"));

  // A broker on the copy serves and extends the same log.
  ASSERT_EQ(broker_.ReplaceInConfig("dev-data/broker", "dev-data/copy"), 1);
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  OpenCases(3, "after");
  ASSERT_EQ(broker_.Stop(), 0);
  std::string copy_check;
  ASSERT_EQ(broker_.ExportAndVerify(broker_.root() / "copy-export", &copy_check), 0) << copy_check;
  const std::string source_receipts = ReadFile(broker_.root() / "source-export/receipts.jsonl");
  const std::string copy_receipts = ReadFile(broker_.root() / "copy-export/receipts.jsonl");
  EXPECT_THAT(copy_receipts, StartsWith(source_receipts));
  EXPECT_GT(copy_receipts.size(), source_receipts.size());
}

TEST_F(WamsStorageTest, ACopyOfATamperedLogFailsVerificationAndExitsOne) {
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  OpenCases(20, "case");
  ASSERT_EQ(broker_.Stop(), 0);
  {
    // One byte of receipt 5's signed bytes changed in the source.
    v1::StorageConfig where;
    where.mutable_rocksdb()->set_dir((broker_.root() / "dev-data" / "broker").string());
    auto source = storage::OpenBackend(where, {.create_if_missing = false});
    ASSERT_TRUE(source.ok()) << source.status();
    auto stored = (*source)->Get(storage::Family::kReceipts, storage::LeafKey(5));
    ASSERT_TRUE(stored.ok() && stored->has_value());
    v1::SignedReceipt receipt;
    ASSERT_TRUE(receipt.ParseFromString(**stored));
    receipt.mutable_receipt_bytes()->back() ^= 1;
    storage::WriteBatch tamper;
    tamper.Put(storage::Family::kReceipts, storage::LeafKey(5), receipt.SerializeAsString());
    ASSERT_TRUE((*source)->Write(tamper).ok());
  }
  std::string output;
  EXPECT_EQ(Copy(broker_.config_path(), ConfigWithData("copy"), &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("FAILED: verifying the copy"));
  EXPECT_THAT(output, Not(HasSubstr("\nOK\n")));
  std::cout << output;
}

TEST_F(WamsStorageTest, UsageErrorsExitTwo) {
  std::string output;
  EXPECT_EQ(RunCommand({StorageBinary()}, &output), 2) << output;
  EXPECT_EQ(RunCommand({StorageBinary(), "move"}, &output), 2) << output;
  EXPECT_EQ(RunCommand({StorageBinary(), "copy", "--from", broker_.config_path()}, &output), 2)
      << output;
  EXPECT_THAT(output, HasSubstr("--to is required"));
  EXPECT_EQ(Copy(broker_.config_path(), broker_.config_path(), &output), 2) << output;
  EXPECT_THAT(output, HasSubstr("same database"));
  EXPECT_EQ(Copy(broker_.config_path(), (broker_.root() / "missing.textproto").string(), &output),
            2)
      << output;
}

}  // namespace
}  // namespace wams::testing
