#include "broker/ledger/store/ledger_config.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"

namespace wams::ledger::store {
absl::StatusOr<LedgerSetup> LoadLedgerSetup(const wams::broker::v1::LedgerConfig& config) {
  if (config.origin().empty()) return absl::InvalidArgumentError("ledger.origin is empty");
  if (!IsValidNoteKeyName(config.origin())) {
    return absl::InvalidArgumentError("ledger.origin is not a valid note key name");
  }
  WAMS_ASSIGN_OR_RETURN(
      std::string pem, base::ReadPrivateFile(config.signing_key_file(), "ledger.signing_key_file"));
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromPem(pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ledger.signing_key_file: not an Ed25519 private key (PEM PKCS#8): ",
                     config.signing_key_file()));
  }
  LedgerOptions options;
  options.origin = config.origin();
  for (int i = 0; i < config.previous_public_key_files_size(); ++i) {
    const std::string field = absl::StrCat("previous_public_key_files[", i, "]");
    WAMS_ASSIGN_OR_RETURN(
        std::string pub_pem,
        base::ReadPublicFile(config.previous_public_key_files(i), absl::StrCat("ledger.", field)));
    absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromPem(pub_pem);
    if (!pub.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("ledger.", field, ": not an Ed25519 public key (PEM)"));
    }
    options.previous_verifiers.emplace_back(config.origin(), *std::move(pub));
  }
  if (config.has_checkpoint_interval()) {
    absl::Duration d = absl::Seconds(config.checkpoint_interval().seconds()) +
                       absl::Nanoseconds(config.checkpoint_interval().nanos());
    if (d < absl::ZeroDuration()) {
      return absl::InvalidArgumentError("ledger.checkpoint_interval is negative");
    }
    options.checkpoint_interval = d;
  }
  WAMS_ASSIGN_OR_RETURN(std::string hmac_key, base::ReadPrivateFile(config.pseudonym_key_file(),
                                                                    "ledger.pseudonym_key_file"));
  absl::StatusOr<Pseudonymizer> pseudonymizer = Pseudonymizer::Create(hmac_key);
  if (!pseudonymizer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ledger.pseudonym_key_file: ", pseudonymizer.status().message()));
  }
  return LedgerSetup{NoteSigner(config.origin(), *std::move(key)), std::move(options),
                     *std::move(pseudonymizer), std::move(hmac_key)};
}

}  // namespace wams::ledger::store
