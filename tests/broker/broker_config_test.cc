// A bad config stops start-up with exit code 2 and a message naming the
// field: the real wams-broker binary against broken copies of the example
// config, including the files it names (a missing CA bundle, certificate or
// key, a key open to others), which are part of the config.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"

namespace wams {
namespace {

using ::testing::HasSubstr;
using ::wams::testing::BrokerFixture;

constexpr int kExitConfigError = 2;
// A well-formed witness cosignature key (the RFC 8032 test 1 public key).
constexpr char kWitnessKey[] = "w1.example+8f03c52e+BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";

struct BadConfigCase {
  std::string name;
  std::vector<std::pair<std::string, std::string>> edits;  // replace first with second
  std::string expected_message;
};

class BrokerConfigStartupTest : public ::testing::TestWithParam<BadConfigCase> {};

TEST_P(BrokerConfigStartupTest, BadConfigStopsStartUpNamingTheField) {
  BrokerFixture broker;
  std::string config = testing::ReadFile(broker.config_path());
  for (const auto& [from, to] : GetParam().edits) {
    ASSERT_THAT(config, HasSubstr(from)) << "the example config changed; update this test";
    config = absl::StrReplaceAll(config, {{from, to}});
  }
  testing::WriteFile(broker.config_path(), config);

  // Start() returns once the broker listens or exits: a broker that takes
  // the config fails the test (and is killed) instead of hanging it.
  ASSERT_FALSE(broker.Start()) << "the broker started with this config";
  const int code = broker.process().Wait();
  const std::string output = testing::ReadFile(broker.log_path());
  EXPECT_EQ(code, kExitConfigError) << output;
  EXPECT_THAT(output, HasSubstr(GetParam().expected_message));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BrokerConfigStartupTest,
    ::testing::Values(
        BadConfigCase{"MissingListenAddress",
                      {{"listen_address: \"127.0.0.1:0\"", ""}},
                      "listen_address: required"},
        BadConfigCase{"OinWithLetters",
                      {{"oin: \"00000003234567890000\"", "oin: \"0000000323456789000X\""}},
                      "parties[2].oin:"},
        BadConfigCase{
            "OinTooShort", {{"oin: \"00000003345678900000\"", "oin: \"123\""}}, "parties[3].oin:"},
        BadConfigCase{"DuplicateParty",
                      {{"oin: \"00000003345678900000\"", "oin: \"00000003234567890000\""}},
                      "parties[3].oin: 00000003234567890000 is configured twice"},
        BadConfigCase{"ProviderWithoutEndpoint",
                      {{"endpoint: \"127.0.0.1:7452\"", ""}},
                      "parties[2].endpoint"},
        BadConfigCase{"MissingLedgerOrigin",
                      {{"origin: \"wams.voorbeeldstad.example/receipts\"", ""}},
                      "ledger.origin: required"},
        BadConfigCase{"UnknownFieldGivesLine", {{"data_dir:", "data_directory:"}}, "line 30:"},
        BadConfigCase{"UnknownEnumValue",
                      {{"domain: DOMAIN_EDUCATION\n  role", "domain: DOMAIN_SCHOOL\n  role"}},
                      "DOMAIN_SCHOOL"},
        BadConfigCase{"ZeroProviderDeadline",
                      {{"provider_deadline { seconds: 5 }", "provider_deadline { seconds: 0 }"}},
                      "limits.provider_deadline: must be a positive duration"},
        BadConfigCase{"RestAddressWithoutPort",
                      {{"listen_address: \"127.0.0.1:0\"",
                        "listen_address: \"127.0.0.1:0\"\nrest_address: \"127.0.0.1\""}},
                      "invalid config: rest_address: not host:port"},
        BadConfigCase{"NegativeHandshakeTimeout",
                      {{"handshake_timeout { seconds: 5 }", "handshake_timeout { seconds: -5 }"}},
                      "limits.handshake_timeout: must be a positive duration"},
        BadConfigCase{
            "NegativeCheckpointInterval",
            {{"checkpoint_interval { seconds: 1 }", "checkpoint_interval { seconds: -1 }"}},
            "ledger.checkpoint_interval: must be a positive duration"},
        BadConfigCase{
            "CheckpointIntervalBelowASecond",
            {{"checkpoint_interval { seconds: 1 }", "checkpoint_interval { nanos: 100000000 }"}},
            "ledger.checkpoint_interval: at least 1s"},
        BadConfigCase{"MaxCategoriesAboveIntMax",
                      {{"max_categories: 16", "max_categories: 4294967295"}},
                      "limits.max_categories: at most 2147483647"},
        BadConfigCase{"PartyNameNotUtf8",
                      {{"name: \"Wijkteam Voorbeeldstad\"", "name: \"Wijkteam \\377\""}},
                      ".name: not valid UTF-8"},
        BadConfigCase{"MissingCaFile",
                      {{"ca_bundle_file: \"../dev-pki/ca.crt\"",
                        "ca_bundle_file: \"../dev-pki/absent-ca.crt\""}},
                      "invalid config: server_tls.ca_bundle_file: cannot read"},
        BadConfigCase{"MissingCertificateFile",
                      {{"certificate_file: \"../dev-pki/broker.crt\"",
                        "certificate_file: \"../dev-pki/absent.crt\""}},
                      "invalid config: server_tls.certificate_file: cannot read"},
        BadConfigCase{"MissingSigningKey",
                      {{"signing_key_file: \"../dev-pki/receipt-signing.key\"",
                        "signing_key_file: \"../dev-pki/absent.key\""}},
                      "invalid config: ledger.signing_key_file: cannot read"},
        BadConfigCase{"DataDirAndStorageBoth",
                      {{"data_dir: \"../dev-data/broker\"",
                        "data_dir: \"../dev-data/broker\"\n"
                        "storage { rocksdb { dir: \"../dev-data/broker\" } }"}},
                      "data_dir: set either data_dir or storage, not both"},
        BadConfigCase{"NeitherDataDirNorStorage",
                      {{"data_dir: \"../dev-data/broker\"", ""}},
                      "storage: required"},
        BadConfigCase{"StorageWithoutRocksdbDir",
                      {{"data_dir: \"../dev-data/broker\"", "storage { rocksdb { } }"}},
                      "storage.rocksdb.dir: required"},
        BadConfigCase{"PostgresWithoutNodeName",
                      {{"data_dir: \"../dev-data/broker\"",
                        "storage { postgres { conninfo: \"host=127.0.0.1 dbname=wams\" } }"}},
                      "storage.postgres.node_name: required"},
        BadConfigCase{"PostgresLeaseTtlOutOfRange",
                      {{"data_dir: \"../dev-data/broker\"",
                        "storage { postgres { conninfo: \"host=127.0.0.1 dbname=wams\" "
                        "node_name: \"b1\" lease_ttl { seconds: 61 } } }"}},
                      "storage.postgres.lease_ttl: must be 1s to 60s"},
        BadConfigCase{"PostgresPasswordInConninfo",
                      {{"data_dir: \"../dev-data/broker\"",
                        "storage { postgres { conninfo: \"host=127.0.0.1 password=secret\" "
                        "node_name: \"b1\" } }"}},
                      "storage.postgres.conninfo: must not hold a password"},
        BadConfigCase{"MalformedWitnessKey",
                      {{"data_dir:", "witnesses { verifier_key: \"not-a-key\" }\ndata_dir:"}},
                      "invalid config: witnesses[0].verifier_key"},
        // A pushed-to witness (broker/witnessing): https only, with its CA.
        BadConfigCase{"WitnessUrlNotHttps",
                      {{"data_dir:", "witnesses { verifier_key: \"" + std::string(kWitnessKey) +
                                         "\" url: \"http://w1.example\" ca_file: \"ca.crt\" "
                                         "}\ndata_dir:"}},
                      "invalid config: witnesses[0].url: not an https:// URL"},
        BadConfigCase{"WitnessUrlWithoutCaFile",
                      {{"data_dir:", "witnesses { verifier_key: \"" + std::string(kWitnessKey) +
                                         "\" url: \"https://w1.example\" }\ndata_dir:"}},
                      "invalid config: witnesses[0].ca_file: required with url"}),
    [](const ::testing::TestParamInfo<BadConfigCase>& param_info) {
      return param_info.param.name;
    });

// The database named the new way, storage { rocksdb { dir } }, is the same
// database data_dir named: a broker started on it once with each spelling
// keeps its log, and the directory is still checked to be private.
TEST(BrokerStorageConfigTest, StorageRocksdbDirOpensTheDataDirDatabase) {
  BrokerFixture broker;
  ASSERT_TRUE(broker.Start()) << testing::ReadFile(broker.log_path());
  EXPECT_EQ(broker.Stop(), 0);
  ASSERT_EQ(broker.ReplaceInConfig("data_dir: \"../dev-data/broker\"",
                                   "storage { rocksdb { dir: \"../dev-data/broker\" } }"),
            1);
  ASSERT_TRUE(broker.Start()) << testing::ReadFile(broker.log_path());
  EXPECT_EQ(broker.Stop(), 0);
  EXPECT_TRUE(std::filesystem::exists(broker.root() / "dev-data/broker/CURRENT"));

  std::filesystem::permissions(broker.root() / "dev-data/broker",
                               std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  std::string output;
  const int code =
      testing::RunCommand({testing::BrokerBinary(), "--config", broker.config_path()}, &output);
  EXPECT_EQ(code, kExitConfigError) << output;
  EXPECT_THAT(output, HasSubstr("storage.rocksdb.dir"));
}

struct KeyFileCase {
  std::string file;   // in the dev PKI
  std::string field;  // the config field the error must name
};

class PrivateKeyPermissionsTest : public ::testing::TestWithParam<KeyFileCase> {};

TEST_P(PrivateKeyPermissionsTest, KeyReadableByGroupOrOthersIsRefused) {
  BrokerFixture broker;
  std::filesystem::permissions(broker.pki_dir() / GetParam().file,
                               std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  std::string output;
  int code =
      testing::RunCommand({testing::BrokerBinary(), "--config", broker.config_path()}, &output);

  EXPECT_EQ(code, kExitConfigError) << output;
  EXPECT_THAT(output, HasSubstr(GetParam().field));
  EXPECT_THAT(output, HasSubstr("chmod 600"));
}

INSTANTIATE_TEST_SUITE_P(
    KeyFiles, PrivateKeyPermissionsTest,
    ::testing::Values(KeyFileCase{"broker.key", "server_tls.private_key_file"},
                      KeyFileCase{"receipt-signing.key", "ledger.signing_key_file"},
                      KeyFileCase{"pseudonym.key", "ledger.pseudonym_key_file"}),
    [](const ::testing::TestParamInfo<KeyFileCase>& param_info) {
      std::string name = param_info.param.file;
      name.erase(
          std::remove_if(name.begin(), name.end(),
                         [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }),
          name.end());
      return name;
    });

TEST(BrokerConfigStartup, MissingConfigArgumentNamesTheFlag) {
  std::string output;
  EXPECT_EQ(testing::RunCommand({testing::BrokerBinary()}, &output), kExitConfigError);
  EXPECT_THAT(output, HasSubstr("--config is required"));
  EXPECT_THAT(output, HasSubstr("--help"));
}

}  // namespace
}  // namespace wams
