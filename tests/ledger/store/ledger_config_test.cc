#include "broker/ledger/store/ledger_config.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/ledger/store/test_util.h"

namespace wams::ledger::store {
namespace {

using testing::TempDir;

// A PKCS#8 PEM as `openssl genpkey -algorithm ed25519` writes it.
std::string SigningKeyPem() { return testing::KeyFromSeed('s').ToPem(); }

// Key files are written 0600, as the broker requires of private keys.
void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

class LedgerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Sub("signing.pem"), SigningKeyPem());
    WriteFile(dir_.Sub("old.pem"), testing::KeyFromSeed('o').PublicKey().ToPem());
    WriteFile(dir_.Sub("pseudonym.key"), std::string(32, 'p'));
    config_.set_origin(testing::kOrigin);
    config_.set_signing_key_file(dir_.Sub("signing.pem"));
    config_.add_previous_public_key_files(dir_.Sub("old.pem"));
    config_.set_pseudonym_key_file(dir_.Sub("pseudonym.key"));
  }
  TempDir dir_;
  wams::broker::v1::LedgerConfig config_;
};

TEST_F(LedgerConfigTest, LoadsKeysAndDefaults) {
  absl::StatusOr<LedgerSetup> setup = LoadLedgerSetup(config_);
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_EQ(setup->signer.name(), testing::kOrigin);
  EXPECT_EQ(setup->options.origin, testing::kOrigin);
  EXPECT_EQ(setup->options.checkpoint_interval, absl::Seconds(1));
  ASSERT_EQ(setup->options.previous_verifiers.size(), 1u);
  EXPECT_EQ(setup->options.previous_verifiers[0].key().raw(),
            testing::KeyFromSeed('o').PublicKey().raw());
  EXPECT_EQ(setup->pseudonymizer.Pseudonymize("123456782").size(), 32u);
}

TEST_F(LedgerConfigTest, ReadsTheCheckpointInterval) {
  config_.mutable_checkpoint_interval()->set_nanos(250'000'000);
  absl::StatusOr<LedgerSetup> setup = LoadLedgerSetup(config_);
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_EQ(setup->options.checkpoint_interval, absl::Milliseconds(250));
}

TEST_F(LedgerConfigTest, RefusesAPrivateKeyOthersCanRead) {
  std::filesystem::permissions(dir_.Sub("pseudonym.key"), std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  absl::StatusOr<LedgerSetup> setup = LoadLedgerSetup(config_);
  EXPECT_EQ(setup.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(setup.status().message(), "ledger.pseudonym_key_file"));
}

TEST_F(LedgerConfigTest, ErrorsNameTheFieldAndNotTheKey) {
  WriteFile(dir_.Sub("signing.pem"), "not a key");
  absl::StatusOr<LedgerSetup> bad_key = LoadLedgerSetup(config_);
  EXPECT_EQ(bad_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad_key.status().message(), "signing_key_file"));
  EXPECT_FALSE(absl::StrContains(bad_key.status().message(), "not a key"));

  WriteFile(dir_.Sub("signing.pem"), SigningKeyPem());
  WriteFile(dir_.Sub("pseudonym.key"), "short");
  absl::StatusOr<LedgerSetup> short_key = LoadLedgerSetup(config_);
  EXPECT_EQ(short_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(short_key.status().message(), "pseudonym_key_file"));
  EXPECT_FALSE(absl::StrContains(short_key.status().message(), "short"));

  config_.clear_origin();
  EXPECT_TRUE(absl::StrContains(LoadLedgerSetup(config_).status().message(), "ledger.origin"));
}

}  // namespace
}  // namespace wams::ledger::store
