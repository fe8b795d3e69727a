#include "broker/config/config_loader.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/temp_dir.h"

namespace wams::config {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ExampleConfigText() {
  return testing::ReadFile(testing::SourcePath("deploy/config/broker.example.textproto"));
}

TEST(ConfigLoader, ExampleConfigIsValid) {
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(ExampleConfigText());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(ValidateBrokerConfig(*config).ok()) << ValidateBrokerConfig(*config);
  EXPECT_EQ(config->parties_size(), 8);
}

TEST(ConfigLoader, RelativePathsAreResolvedAgainstTheConfigDirectory) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "etc");
  testing::WriteFile(dir.path() / "etc/broker.textproto", ExampleConfigText());

  absl::StatusOr<v1::BrokerConfig> config = LoadBrokerConfig(dir.File("etc/broker.textproto"));

  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server_tls().private_key_file(), dir.File("dev-pki/broker.key"));
  EXPECT_EQ(config->data_dir(), dir.File("dev-data/broker"));
  EXPECT_EQ(config->ledger().pseudonym_key_file(), dir.File("dev-pki/pseudonym.key"));
}

TEST(ConfigLoader, StorageRocksdbDirIsResolvedLikeDataDir) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "etc");
  std::string text = ExampleConfigText();
  const std::string data_dir = "data_dir: \"../dev-data/broker\"";
  ASSERT_NE(text.find(data_dir), std::string::npos);
  text.replace(text.find(data_dir), data_dir.size(),
               "storage { rocksdb { dir: \"../dev-data/broker\" } }");
  testing::WriteFile(dir.path() / "etc/broker.textproto", text);

  absl::StatusOr<v1::BrokerConfig> config = LoadBrokerConfig(dir.File("etc/broker.textproto"));

  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->storage().rocksdb().dir(), dir.File("dev-data/broker"));
  EXPECT_TRUE(config->data_dir().empty());
}

TEST(ConfigLoader, JsonIsAccepted) {
  absl::StatusOr<v1::BrokerConfig> config =
      ParseBrokerConfig(R"({"listenAddress": "127.0.0.1:1", "dataDir": "/tmp/x"})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_address(), "127.0.0.1:1");
}

TEST(ConfigLoader, JsonUnknownFieldIsNamed) {
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(R"({"listenAdres": "x"})");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("listenAdres"));
}

TEST(ConfigLoader, TextprotoSyntaxErrorGivesLineAndColumn) {
  absl::StatusOr<v1::BrokerConfig> config =
      ParseBrokerConfig("listen_address: \"x\"\nparties {\n  oin: 12 34\n}\n");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("line 3:"));
}

TEST(ConfigLoader, ConfigWithoutMunicipalityIsRefused) {
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(ExampleConfigText());
  ASSERT_TRUE(config.ok());
  for (v1::Party& party : *config->mutable_parties()) {
    if (party.role() == v1::PARTY_ROLE_MUNICIPALITY) party.set_role(v1::PARTY_ROLE_AUDITOR);
  }
  EXPECT_THAT(ValidateBrokerConfig(*config).message(), HasSubstr("PARTY_ROLE_MUNICIPALITY"));
}

TEST(ConfigLoader, MissingFileIsNamed) {
  absl::StatusOr<v1::BrokerConfig> config = LoadBrokerConfig("/nonexistent/broker.textproto");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("/nonexistent/broker.textproto"));
}

v1::BrokerConfig ExampleConfig() {
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(ExampleConfigText());
  EXPECT_TRUE(config.ok()) << config.status();
  return *config;
}

bool IsDuration(const FieldDescriptor& field) {
  return field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         field.message_type()->full_name() == "google.protobuf.Duration";
}

// A field of the config, reached by path, for the tests that try every field
// of a kind: found by reflection, so a field added later is tried too.
struct FieldPath {
  std::string path;  // "limits.provider_deadline"
  std::vector<const FieldDescriptor*> steps;
};

// Every singular field of `descriptor` (and, below it, of its singular
// message fields but durations, a kind of their own) that `match` accepts,
// not descending into those.
void CollectFields(const Descriptor& descriptor,
                   const std::function<bool(const FieldDescriptor&)>& match, FieldPath prefix,
                   std::vector<FieldPath>* out) {
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const FieldDescriptor& field = *descriptor.field(i);
    if (field.is_repeated()) continue;
    FieldPath here = prefix;
    here.path = prefix.path.empty() ? field.name() : absl::StrCat(prefix.path, ".", field.name());
    here.steps.push_back(&field);
    if (match(field)) {
      out->push_back(here);
    } else if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsDuration(field)) {
      CollectFields(*field.message_type(), match, here, out);
    }
  }
}

std::vector<FieldPath> FieldsWhere(const std::function<bool(const FieldDescriptor&)>& match) {
  std::vector<FieldPath> fields;
  CollectFields(*v1::BrokerConfig::descriptor(), match, {}, &fields);
  return fields;
}

// The message holding the last step of `field` in `config`, made present.
Message* Parent(Message& config, const FieldPath& field) {
  Message* message = &config;
  for (size_t i = 0; i + 1 < field.steps.size(); ++i) {
    message = message->GetReflection()->MutableMessage(message, field.steps[i]);
  }
  return message;
}

TEST(ConfigLoader, EveryZeroNegativeOrMalformedDurationIsRefusedNamingTheField) {
  std::vector<FieldPath> durations = FieldsWhere(IsDuration);
  ASSERT_GE(durations.size(), 4u);  // the walk found provider_deadline and the others
  struct Value {
    int64_t seconds;
    int32_t nanos;
  };
  for (const FieldPath& field : durations) {
    for (Value value : {Value{0, 0}, Value{-5, 0}, Value{0, -1}, Value{1, -1},
                        Value{0, 1'000'000'000}, Value{400'000'000'000, 0}}) {
      v1::BrokerConfig config = ExampleConfig();
      Message* parent = Parent(config, field);
      google::protobuf::Duration duration;
      duration.set_seconds(value.seconds);
      duration.set_nanos(value.nanos);
      parent->GetReflection()->MutableMessage(parent, field.steps.back())->CopyFrom(duration);
      absl::Status status = ValidateBrokerConfig(config);
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
          << field.path << " = " << duration.ShortDebugString();
      EXPECT_THAT(std::string(status.message()), StartsWith(field.path + ": "))
          << duration.ShortDebugString();
    }
  }
}

TEST(ConfigLoader, ZeroProviderDeadlineIsRefusedInTheText) {
  std::string text = ExampleConfigText();
  const std::string deadline = "provider_deadline { seconds: 5 }";
  ASSERT_NE(text.find(deadline), std::string::npos);
  text.replace(text.find(deadline), deadline.size(), "provider_deadline { seconds: 0 }");
  absl::StatusOr<v1::BrokerConfig> config = ParseBrokerConfig(text);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(std::string(ValidateBrokerConfig(*config).message()),
              StartsWith("limits.provider_deadline: must be a positive duration"));
}

TEST(ConfigLoader, CheckpointIntervalBelowOneSecondIsRefused) {
  v1::BrokerConfig config = ExampleConfig();
  config.mutable_ledger()->mutable_checkpoint_interval()->set_seconds(0);
  config.mutable_ledger()->mutable_checkpoint_interval()->set_nanos(999'999'999);
  EXPECT_THAT(std::string(ValidateBrokerConfig(config).message()),
              StartsWith("ledger.checkpoint_interval: at least 1s"));

  config.mutable_ledger()->mutable_checkpoint_interval()->set_seconds(1);
  config.mutable_ledger()->mutable_checkpoint_interval()->set_nanos(0);
  EXPECT_TRUE(ValidateBrokerConfig(config).ok()) << ValidateBrokerConfig(config);
  config.mutable_ledger()->clear_checkpoint_interval();  // the default, 1s
  EXPECT_TRUE(ValidateBrokerConfig(config).ok()) << ValidateBrokerConfig(config);
}

TEST(ConfigLoader, RetentionOutsideItsBoundsIsRefusedNamingTheField) {
  v1::BrokerConfig config = ExampleConfig();
  EXPECT_TRUE(ValidateBrokerConfig(config).ok()) << "no retention block: the defaults";
  config.mutable_retention()->set_case_data_days(7300);
  config.mutable_retention()->mutable_run_interval()->set_seconds(60);
  config.mutable_retention()->set_batch_size(10000);
  EXPECT_TRUE(ValidateBrokerConfig(config).ok()) << ValidateBrokerConfig(config);

  v1::BrokerConfig days = config;
  days.mutable_retention()->set_case_data_days(7301);
  EXPECT_EQ(ValidateBrokerConfig(days).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ValidateBrokerConfig(days).message()),
              StartsWith("retention.case_data_days: at most 7300"));

  v1::BrokerConfig interval = config;
  interval.mutable_retention()->mutable_run_interval()->set_seconds(59);
  EXPECT_THAT(std::string(ValidateBrokerConfig(interval).message()),
              StartsWith("retention.run_interval: between 1 minute and 7 days"));
  interval.mutable_retention()->mutable_run_interval()->set_seconds(7 * 24 * 3600 + 1);
  EXPECT_THAT(std::string(ValidateBrokerConfig(interval).message()),
              StartsWith("retention.run_interval: between 1 minute and 7 days"));

  v1::BrokerConfig batch = config;
  batch.mutable_retention()->set_batch_size(10001);
  EXPECT_THAT(std::string(ValidateBrokerConfig(batch).message()),
              StartsWith("retention.batch_size: at most 10000"));
}

TEST(ConfigLoader, EveryStringThatIsNotUtf8IsRefusedNamingTheFieldNotTheValue) {
  const std::string bad = "Wijkteam \xff\xfe";
  std::vector<FieldPath> strings = FieldsWhere(
      [](const FieldDescriptor& field) { return field.type() == FieldDescriptor::TYPE_STRING; });
  ASSERT_GE(strings.size(), 10u);
  for (const FieldPath& field : strings) {
    v1::BrokerConfig config = ExampleConfig();
    Message* parent = Parent(config, field);
    parent->GetReflection()->SetString(parent, field.steps.back(), bad);
    absl::Status status = ValidateBrokerConfig(config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field.path;
    EXPECT_EQ(status.message(), field.path + ": not valid UTF-8");
  }
  // In lists too, and as the text parser takes it (an octal escape).
  std::string text = ExampleConfigText();
  const std::string name = "name: \"Wijkteam Voorbeeldstad\"";
  ASSERT_NE(text.find(name), std::string::npos);
  text.replace(text.find(name), name.size(), "name: \"Wijkteam \\377\"");
  absl::StatusOr<v1::BrokerConfig> parsed = ParseBrokerConfig(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  absl::Status status = ValidateBrokerConfig(*parsed);
  EXPECT_THAT(std::string(status.message()),
              ::testing::MatchesRegex("parties\\[[0-9]+\\]\\.name: not valid UTF-8"));
}

TEST(ConfigLoader, EveryIntegerAboveIntMaxIsRefusedNamingTheField) {
  std::vector<FieldPath> integers = FieldsWhere([](const FieldDescriptor& field) {
    return field.cpp_type() == FieldDescriptor::CPPTYPE_UINT32 ||
           field.cpp_type() == FieldDescriptor::CPPTYPE_UINT64 ||
           field.cpp_type() == FieldDescriptor::CPPTYPE_INT64;
  });
  ASSERT_GE(integers.size(), 9u);  // the limits
  for (const FieldPath& field : integers) {
    v1::BrokerConfig config = ExampleConfig();
    Message* parent = Parent(config, field);
    const google::protobuf::Reflection& reflection = *parent->GetReflection();
    switch (field.steps.back()->cpp_type()) {
      case FieldDescriptor::CPPTYPE_UINT32:
        reflection.SetUInt32(parent, field.steps.back(), 2'147'483'648u);
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        reflection.SetUInt64(parent, field.steps.back(), 2'147'483'648u);
        break;
      default:
        reflection.SetInt64(parent, field.steps.back(), 2'147'483'648);
        break;
    }
    absl::Status status = ValidateBrokerConfig(config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field.path;
    EXPECT_THAT(std::string(status.message()), StartsWith(field.path + ": at most 2147483647"));
  }
}

TEST(ConfigLoader, MaxCategoriesAboveIntMaxIsRefusedAndIntMaxIsNot) {
  v1::BrokerConfig config = ExampleConfig();
  config.mutable_limits()->set_max_categories(4'294'967'295u);
  EXPECT_EQ(ValidateBrokerConfig(config).message(), "limits.max_categories: at most 2147483647");
  config.mutable_limits()->set_max_categories(2'147'483'647u);
  EXPECT_TRUE(ValidateBrokerConfig(config).ok()) << ValidateBrokerConfig(config);
}

}  // namespace
}  // namespace wams::config
