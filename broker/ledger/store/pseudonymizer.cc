#include "broker/ledger/store/pseudonymizer.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/ledger/crypto/sha256.h"

namespace wams::ledger::store {

absl::StatusOr<Pseudonymizer> Pseudonymizer::Create(std::string key) {
  if (key.size() < kMinKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pseudonym key is ", key.size(), " bytes; at least ", kMinKeyBytes, " are required"));
  }
  return Pseudonymizer(std::move(key));
}

std::string Pseudonymizer::Pseudonymize(std::string_view subject_id) const {
  return DigestBytes(HmacSha256(key_, subject_id));
}

}  // namespace wams::ledger::store
