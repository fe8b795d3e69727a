#include "broker/identity/party_registry.h"

#include "absl/strings/str_cat.h"

namespace wams::identity {

absl::StatusOr<PartyRegistry> PartyRegistry::Create(const v1::BrokerConfig& config) {
  PartyRegistry registry;
  for (int i = 0; i < config.parties_size(); ++i) {
    const v1::Party& party = config.parties(i);
    if (!registry.parties_.emplace(party.oin(), party).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("parties[", i, "].oin: ", party.oin(), " is configured twice"));
    }
  }
  return registry;
}

const v1::Party* PartyRegistry::Find(absl::string_view oin) const {
  auto found = parties_.find(oin);
  return found == parties_.end() ? nullptr : &found->second;
}

}  // namespace wams::identity
