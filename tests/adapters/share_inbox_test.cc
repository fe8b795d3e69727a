// The file backend's share inbox (R21) on a real file system: one 0600 file
// per share in a 0700 directory, named by transaction id, written whole,
// never twice, and never under a name that is not a safe file name.
#include "adapters/backends/share_inbox.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/temp_dir.h"

namespace wams::adapters {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using wams::testing::ReadFile;
using wams::testing::TempDir;

constexpr char kTransactionId[] = "0190a8c0-0000-7000-8000-000000000042";

int ModeOf(const fs::path& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int>(info.st_mode & 07777) : -1;
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

v1::ProviderRequest Share(std::string content = R"({"youth_care": "ambulant"})") {
  v1::ProviderRequest share;
  share.set_is_share(true);
  share.set_request_id("share-7");
  share.set_transaction_id(kTransactionId);
  share.set_case_id("case-9");
  share.set_subject_bsn("111222333");
  share.set_requester_oin("00000001001234567000");
  share.set_requester_name("Gemeente Voorbeeldstad");
  share.set_professional_id("wmo-consulent-12");
  share.set_purpose(v1::PURPOSE_RESEARCH);
  share.set_justification("De school stemt haar begeleiding af op de jeugdhulp.");
  share.add_categories("youth_services");
  v1::CategoryData* data = share.add_shared_data();
  data->set_category("youth_services");
  data->set_content(std::move(content));
  data->set_content_type("application/json");
  return share;
}

std::unique_ptr<ShareInbox> OpenInbox(const fs::path& dir) {
  absl::StatusOr<std::unique_ptr<ShareInbox>> inbox = ShareInbox::Open(dir.string());
  EXPECT_TRUE(inbox.ok()) << inbox.status();
  return std::move(inbox).value();
}

TEST(ShareInboxTest, FilesOnePrivateFileNamedByTransactionIdInAPrivateDirectory) {
  TempDir temp;
  const fs::path dir = temp.path() / "inbox" / "school";
  const mode_t umask_before = ::umask(022);  // as a careless service manager would start it
  std::unique_ptr<ShareInbox> inbox = OpenInbox(dir);
  ::umask(umask_before);

  ShareAnswer answer = inbox->Put(Share());

  ASSERT_EQ(answer.kind, ShareAnswer::Kind::kAccepted) << answer.reason;
  EXPECT_EQ(ModeOf(dir), 0700);
  const std::string name = std::string(kTransactionId) + ".json";
  EXPECT_THAT(Names(dir), ElementsAre(name));  // no temp file left behind
  EXPECT_EQ(ModeOf(dir / name), 0600);
  nlohmann::json document = nlohmann::json::parse(ReadFile(dir / name));
  EXPECT_EQ(document["format"], "wams.share.v1");
  EXPECT_EQ(document["transaction_id"], kTransactionId);
  EXPECT_EQ(document["case_id"], "case-9");
  EXPECT_EQ(document["subject_bsn"], "111222333");
  EXPECT_EQ(document["from"]["oin"], "00000001001234567000");
  EXPECT_EQ(document["purpose"], "PURPOSE_RESEARCH");
  EXPECT_EQ(document["categories"], nlohmann::json::array({"youth_services"}));
  ASSERT_EQ(document["data"].size(), 1u);
  EXPECT_EQ(document["data"][0]["category"], "youth_services");
  EXPECT_EQ(document["data"][0]["content_encoding"], "utf-8");
  EXPECT_EQ(document["data"][0]["content"], R"({"youth_care": "ambulant"})");
}

TEST(ShareInboxTest, APartyWithoutBsnGetsTheIdentifyingDetailsInstead) {
  TempDir temp;
  std::unique_ptr<ShareInbox> inbox = OpenInbox(temp.path() / "inbox");
  v1::ProviderRequest share = Share();
  share.clear_subject_bsn();  // R19: the broker withholds it
  share.mutable_subject_details()->set_party_client_number("WSV-10442");
  ASSERT_EQ(inbox->Put(share).kind, ShareAnswer::Kind::kAccepted);
  nlohmann::json document = nlohmann::json::parse(
      ReadFile(temp.path() / "inbox" / (std::string(kTransactionId) + ".json")));
  EXPECT_EQ(document["subject_bsn"], "");
  EXPECT_EQ(document["subject_details"],
            nlohmann::json::object({{"party_client_number", "WSV-10442"}}));
}

TEST(ShareInboxTest, BinaryContentIsBase64) {
  TempDir temp;
  std::unique_ptr<ShareInbox> inbox = OpenInbox(temp.path() / "inbox");
  ASSERT_EQ(inbox->Put(Share(std::string("\xff\x00\x01", 3))).kind, ShareAnswer::Kind::kAccepted);
  nlohmann::json document = nlohmann::json::parse(
      ReadFile(temp.path() / "inbox" / (std::string(kTransactionId) + ".json")));
  EXPECT_EQ(document["data"][0]["content_encoding"], "base64");
  EXPECT_EQ(document["data"][0]["content"], "/wAB");
}

TEST(ShareInboxTest, TheSameShareDeliveredAgainIsFiledOnce) {
  TempDir temp;
  std::unique_ptr<ShareInbox> inbox = OpenInbox(temp.path() / "inbox");
  v1::ProviderRequest share = Share();
  ASSERT_EQ(inbox->Put(share).kind, ShareAnswer::Kind::kAccepted);
  share.set_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

  EXPECT_EQ(inbox->Put(share).kind, ShareAnswer::Kind::kAccepted);
  EXPECT_EQ(Names(temp.path() / "inbox").size(), 1u);
}

TEST(ShareInboxTest, ConcurrentDeliveriesOfOneShareFileItOnce) {
  TempDir temp;
  std::unique_ptr<ShareInbox> inbox = OpenInbox(temp.path() / "inbox");
  std::vector<ShareAnswer::Kind> kinds(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < kinds.size(); ++i) {
    threads.emplace_back([&, i] { kinds[i] = inbox->Put(Share()).kind; });
  }
  for (std::thread& thread : threads) thread.join();

  for (ShareAnswer::Kind kind : kinds) EXPECT_EQ(kind, ShareAnswer::Kind::kAccepted);
  EXPECT_EQ(Names(temp.path() / "inbox").size(), 1u);
}

TEST(ShareInboxTest, AnotherShareUnderTheSameTransactionIdIsRefusedAndNothingReplaced) {
  TempDir temp;
  std::unique_ptr<ShareInbox> inbox = OpenInbox(temp.path() / "inbox");
  ASSERT_EQ(inbox->Put(Share()).kind, ShareAnswer::Kind::kAccepted);
  const fs::path file = temp.path() / "inbox" / (std::string(kTransactionId) + ".json");
  const std::string first = ReadFile(file);

  ShareAnswer answer = inbox->Put(Share(R"({"youth_care": "residential"})"));

  EXPECT_EQ(answer.kind, ShareAnswer::Kind::kRefused);
  EXPECT_THAT(answer.reason, HasSubstr("transaction_id"));
  EXPECT_EQ(ReadFile(file), first);
  EXPECT_EQ(Names(temp.path() / "inbox").size(), 1u);
}

TEST(ShareInboxTest, ATransactionIdThatIsNoSafeFileNameIsRefused) {
  TempDir temp;
  std::unique_ptr<ShareInbox> inbox = OpenInbox(temp.path() / "inbox");
  for (const char* id : {"", "../escape", ".hidden", "a/b", "-rf", "x:y",
                         "0190a8c0-0000-7000-8000-00000000004200000000000000000000000000000000"
                         "000000000000000000000000000000000000000000000000000000000000000000"}) {
    v1::ProviderRequest share = Share();
    share.set_transaction_id(id);
    ShareAnswer answer = inbox->Put(share);
    EXPECT_EQ(answer.kind, ShareAnswer::Kind::kRefused) << id;
    EXPECT_THAT(answer.reason, HasSubstr("transaction_id: not usable as a file name")) << id;
  }
  EXPECT_THAT(Names(temp.path() / "inbox"), ::testing::IsEmpty());
  EXPECT_FALSE(fs::exists(temp.path() / "escape.json"));
}

TEST(ShareInboxTest, ADirectoryOpenToOthersStopsTheStart) {
  TempDir temp;
  const fs::path dir = temp.path() / "inbox";
  fs::create_directory(dir);
  fs::permissions(dir, fs::perms(0755));

  absl::StatusOr<std::unique_ptr<ShareInbox>> inbox = ShareInbox::Open(dir.string());

  EXPECT_EQ(inbox.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(inbox.status().message(), HasSubstr("file_backend.share_inbox_dir"));
  EXPECT_THAT(inbox.status().message(), HasSubstr("chmod 700 " + dir.string()));
}

TEST(ShareInboxTest, ADiskFailureIsUnavailableAndItsReasonNamesNoPathOrBsn) {
  TempDir temp;
  std::unique_ptr<ShareInbox> inbox = OpenInbox(temp.path() / "inbox");
  fs::remove_all(temp.path() / "inbox");  // an unmounted volume, say

  ShareAnswer answer = inbox->Put(Share());

  EXPECT_EQ(answer.kind, ShareAnswer::Kind::kUnavailable);
  EXPECT_THAT(answer.reason, HasSubstr("cannot create the share inbox file"));
  EXPECT_THAT(answer.reason, Not(HasSubstr("111222333")));
  EXPECT_THAT(answer.reason, Not(HasSubstr(temp.path().string())));
}

}  // namespace
}  // namespace wams::adapters
