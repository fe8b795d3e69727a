// party_registry.h: the configured parties, looked up by OIN.
//
//   WAMS_ASSIGN_OR_RETURN(PartyRegistry registry, PartyRegistry::Create(config));
//   const v1::Party* party = registry.Find("00000001234567890000");
//
// Immutable after Create(); thread-safe.
#ifndef WAMS_BROKER_IDENTITY_PARTY_REGISTRY_H_
#define WAMS_BROKER_IDENTITY_PARTY_REGISTRY_H_

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::identity {

namespace v1 = ::wams::broker::v1;

class PartyRegistry {
 public:
  // Copies the parties of a validated config. INVALID_ARGUMENT on a duplicate OIN.
  static absl::StatusOr<PartyRegistry> Create(const v1::BrokerConfig& config);

  // The party with `oin`, or nullptr. The pointer lives as long as the registry.
  const v1::Party* Find(absl::string_view oin) const;

  size_t size() const { return parties_.size(); }

 private:
  PartyRegistry() = default;
  absl::flat_hash_map<std::string, v1::Party> parties_;
};

}  // namespace wams::identity

#endif  // WAMS_BROKER_IDENTITY_PARTY_REGISTRY_H_
