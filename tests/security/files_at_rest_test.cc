// Files at rest (issue 15 item 10): the real wams-broker, started under
// umask 022 as a careless service manager would, keeps its data dir 0700
// and every file in it 0600 (cases, conference minutes, receipts); an
// existing data dir open to group or others stops it at start (exit 2, as
// other config errors), naming the dir and the fix.
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::wams::broker::v1;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Restores the test process's umask when it goes.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(umask(mask)) {}
  ~ScopedUmask() { umask(previous_); }

 private:
  mode_t previous_;
};

mode_t ModeOf(const fs::path& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 ? info.st_mode & 07777 : 07777;
}

// "path mode" of everything under `dir` (and `dir`) that group or others
// may use.
std::string OpenToOthers(const fs::path& dir) {
  std::string found;
  auto check = [&](const fs::path& p) {
    if ((ModeOf(p) & 077) != 0) absl::StrAppend(&found, absl::StrFormat("%s %04o\n", p, ModeOf(p)));
  };
  check(dir);
  for (const auto& entry : fs::recursive_directory_iterator(dir)) check(entry.path());
  return found;
}

TEST(FilesAtRestTest, DataDirIsPrivateWhateverTheUmask) {
  ScopedUmask careless(022);  // the broker inherits it
  BrokerFixture broker;
  ASSERT_TRUE(broker.Start()) << ReadFile(broker.log_path());
  // Write something: an audit query is receipted.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListReceiptsRequest request;
  request.set_party_oin(kGgzOin);
  v1::ListReceiptsResponse response;
  ASSERT_TRUE(v1::AuditService::NewStub(broker.Channel("auditor"))
                  ->ListReceipts(&context, request, &response)
                  .ok());
  ASSERT_EQ(broker.Stop(), 0);  // flushes: table files, MANIFEST, OPTIONS

  const fs::path data_dir = broker.root() / "dev-data" / "broker";
  ASSERT_TRUE(fs::is_directory(data_dir));
  EXPECT_EQ(ModeOf(data_dir), 0700);
  EXPECT_GT(std::distance(fs::directory_iterator(data_dir), fs::directory_iterator()), 3);
  EXPECT_THAT(OpenToOthers(data_dir), IsEmpty());
}

TEST(FilesAtRestTest, ExistingDataDirOpenToOthersStopsTheStart) {
  BrokerFixture broker;
  const fs::path data_dir = broker.root() / "dev-data" / "broker";
  fs::create_directories(data_dir);
  fs::permissions(data_dir, fs::perms(0755));
  if (broker.Start()) {
    broker.Stop();
    FAIL() << "the broker started on a data dir that others can read";
  }
  EXPECT_EQ(broker.process().Wait(), 2);
  const std::string log = ReadFile(broker.log_path());
  EXPECT_THAT(log, HasSubstr("data_dir"));
  EXPECT_THAT(log, HasSubstr(absl::StrCat("chmod 700 ", data_dir.string())));
  EXPECT_THAT(log, HasSubstr("0755"));

  // After the fix it starts.
  fs::permissions(data_dir, fs::perms(0700));
  EXPECT_TRUE(broker.Start()) << ReadFile(broker.log_path());
  EXPECT_EQ(broker.Stop(), 0);
}

}  // namespace
}  // namespace wams::testing
