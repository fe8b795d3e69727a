// base::ReadConfigFile and ParseConfigText, the config reading the broker and
// the reference adapter share: the parser chosen by name or content, errors
// that name the file and the line or field, never a value from the file, and
// a bound on the file's size.
#include "broker/base/config_file.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::base {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::wams::testing::IsOk;
using ::wams::testing::StatusIs;

using Config = ::wams::broker::v1::BrokerConfig;

// Stands for a secret an operator put in the wrong place.
constexpr char kSecret[] = "hunter2";

TEST(ParseConfigTextTest, ReadsTextprotoAndJson) {
  Config text;
  ASSERT_THAT(ParseConfigText(
                  "listen_address: \"127.0.0.1:0\"\nlimits { max_message_bytes: 65536 }", &text),
              IsOk());
  EXPECT_EQ(text.listen_address(), "127.0.0.1:0");
  EXPECT_EQ(text.limits().max_message_bytes(), 65536U);
  Config json;
  ASSERT_THAT(ParseConfigText(R"(  {"listenAddress": "127.0.0.1:0"})", &json), IsOk());
  EXPECT_EQ(json.listen_address(), "127.0.0.1:0");
}

TEST(ParseConfigTextTest, JsonNameChoosesJsonWhateverTheText) {
  Config config;
  // As textproto this would be a field; a ".json" file must be JSON.
  EXPECT_THAT(ParseConfigText("listen_address: \"x\"", &config, "dir/broker.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("JSON: ")));
  EXPECT_THAT(ParseConfigText("listen_address: \"x\"", &config, "dir/broker.textproto"), IsOk());
}

TEST(ParseConfigTextTest, ClearsTheMessageFirst) {
  Config config;
  config.set_data_dir("left over");
  ASSERT_THAT(ParseConfigText("listen_address: \"x\"", &config), IsOk());
  EXPECT_TRUE(config.data_dir().empty());
}

TEST(ParseConfigTextTest, TextprotoErrorsNameLineAndColumn) {
  Config config;
  EXPECT_THAT(ParseConfigText("listen_address: \"x\"\nparties {\n  oin: 12 34\n}\n", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("line 3:")));
}

TEST(ParseConfigTextTest, UnknownFieldsAreNamed) {
  Config config;
  EXPECT_THAT(ParseConfigText("listen_adres: \"x\"", &config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("line 1:"), HasSubstr("listen_adres"))));
  EXPECT_THAT(ParseConfigText(R"({"listenAdres": "x"})", &config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("JSON: "), HasSubstr("listenAdres"))));
}

// A value in the wrong place may be a password or a BSN: the message says
// where, never what.
TEST(ParseConfigTextTest, ErrorsNeverRepeatAValue) {
  for (const std::string& text : {
           absl::StrCat("limits { max_message_bytes: ", kSecret, " }"),
           absl::StrCat("limits { max_message_bytes: \"", kSecret, "\" }"),
           absl::StrCat("listen_address: ", kSecret),
           absl::StrCat("parties { role: ", kSecret, " }"),
           absl::StrCat(R"({"limits": {"maxMessageBytes": ")", kSecret, R"("}})"),
           absl::StrCat(R"({"listenAddress": ")", kSecret, R"(" "dataDir": "x"})"),
           absl::StrCat(R"({"listenAddress": )", kSecret, "}"),
           absl::StrCat(R"({"parties": [{"role": ")", kSecret, R"("}]})"),
       }) {
    Config config;
    absl::Status status = ParseConfigText(text, &config);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr(kSecret))))
        << text;
  }
}

// A misspelt enum constant is named: the operator must see which.
TEST(ParseConfigTextTest, UnknownEnumConstantsAreNamed) {
  Config config;
  EXPECT_THAT(ParseConfigText("parties { role: PARTY_ROLE_SCHOOL }", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PARTY_ROLE_SCHOOL")));
  EXPECT_THAT(ParseConfigText(R"({"parties": [{"role": "PARTY_ROLE_SCHOOL"}]})", &config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PARTY_ROLE_SCHOOL")));
  // Not shaped like one: not shown.
  for (const char* value : {"HUNTER2", "Party_Role", "A__B", "A_", "_A"}) {
    EXPECT_THAT(ParseConfigText(absl::StrCat("parties { role: ", value, " }"), &config),
                StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr(value))))
        << value;
    EXPECT_THAT(
        ParseConfigText(absl::StrCat(R"({"parties": [{"role": ")", value, R"("}]})"), &config),
        StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr(value))))
        << value;
  }
}

TEST(ReadConfigFileTest, ErrorsStartWithThePath) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "bad.textproto", "listen_address: \"x\"\nlisten_adres: \"y\"\n");
  testing::WriteFile(dir.path() / "empty.textproto", "");
  Config config;
  const std::string bad = dir.File("bad.textproto");
  EXPECT_THAT(ReadConfigFile(bad, &config),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith(bad + ": line 2:")));
  const std::string missing = dir.File("missing.textproto");
  EXPECT_THAT(ReadConfigFile(missing, &config),
              StatusIs(absl::StatusCode::kNotFound, StartsWith(missing + ": cannot read")));
  const std::string empty = dir.File("empty.textproto");
  EXPECT_THAT(ReadConfigFile(empty, &config),
              StatusIs(absl::StatusCode::kFailedPrecondition, StartsWith(empty + ": is empty")));
}

TEST(ReadConfigFileTest, ReadsUpToTheBoundAndNoFurther) {
  testing::TempDir dir;
  // A valid config padded with a comment to exactly the bound, then one more.
  std::string text = "listen_address: \"x\"\n#";
  text.append(kMaxConfigFileBytes - text.size(), 'c');
  testing::WriteFile(dir.path() / "at_bound.textproto", text);
  testing::WriteFile(dir.path() / "over_bound.textproto", text + "c");
  Config config;
  ASSERT_THAT(ReadConfigFile(dir.File("at_bound.textproto"), &config), IsOk());
  EXPECT_EQ(config.listen_address(), "x");
  const std::string over = dir.File("over_bound.textproto");
  EXPECT_THAT(ReadConfigFile(over, &config),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(StartsWith(over), HasSubstr("larger than"))));
}

TEST(ResolveConfigPathTest, RelativePathsMeanNextToTheConfig) {
  std::string relative = "pki/../keys/broker.key";
  ResolveConfigPath(&relative, "etc/wams");
  EXPECT_EQ(relative, "etc/wams/keys/broker.key");
  std::string absolute = "/etc/ssl/ca.crt";
  ResolveConfigPath(&absolute, "etc/wams");
  EXPECT_EQ(absolute, "/etc/ssl/ca.crt");
  std::string unset;
  ResolveConfigPath(&unset, "etc/wams");
  EXPECT_EQ(unset, "");
}

}  // namespace
}  // namespace wams::base
