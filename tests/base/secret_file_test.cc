// ReadPublicFile and ReadPrivateFile, the one reader of key and certificate
// files for broker, tools and adapters: errors name the config field, and a
// private file open to group or others is refused.
#include "broker/base/secret_file.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace wams::base {
namespace {

using ::testing::HasSubstr;
using ::wams::testing::IsOkAndHolds;
using ::wams::testing::StatusIs;

TEST(SecretFileTest, RefusesPrivateFileOpenToGroupOrOthersNamingTheField) {
  testing::TempDir dir;
  for (int mode : {0644, 0640, 0604, 0620, 0601}) {
    testing::WriteFile(dir.path() / "open.key", "KEY", mode);
    EXPECT_THAT(ReadPrivateFile(dir.File("open.key"), "tls.private_key_file"),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr("tls.private_key_file: private file")))
        << std::oct << mode;
  }
}

TEST(SecretFileTest, ReadsOwnerOnlyPrivateFile) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "closed.key", "KEY", 0600);
  EXPECT_THAT(ReadPrivateFile(dir.File("closed.key"), "key"), IsOkAndHolds(std::string("KEY")));
}

TEST(SecretFileTest, MissingOrEmptyFilesNameTheField) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "empty.crt", "", 0644);
  EXPECT_THAT(ReadPublicFile(dir.File("missing"), "tls.ca_bundle_file"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("tls.ca_bundle_file: cannot read")));
  EXPECT_THAT(ReadPrivateFile(dir.File("missing"), "tls.private_key_file"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("tls.private_key_file")));
  EXPECT_THAT(ReadPublicFile(dir.File("empty.crt"), "tls.certificate_file"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is empty")));
  EXPECT_THAT(ReadPublicFile("", "tls.certificate_file"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tls.certificate_file")));
}

}  // namespace
}  // namespace wams::base
