// caller_identity.h: who is calling, from the mTLS peer certificate.
//
// Every broker RPC starts here. The OIN comes from the verified client
// certificate (subject serialNumber); the party registry maps it to a party.
// The acting professional's id comes from the `x-wams-professional-id`
// metadata entry and is recorded, not trusted for authorisation beyond what
// the party may do.
//
//   WAMS_ASSIGN_OR_RETURN(Caller caller, authenticator.Identify(*context->auth_context(),
//                                                               context->client_metadata()));
#ifndef WAMS_BROKER_IDENTITY_CALLER_IDENTITY_H_
#define WAMS_BROKER_IDENTITY_CALLER_IDENTITY_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "broker/identity/party_registry.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/support/string_ref.h"

namespace wams::identity {

// The metadata key carrying the acting professional's id.
inline constexpr char kProfessionalIdHeader[] = "x-wams-professional-id";

// An identified caller. `party` points into the registry.
struct Caller {
  const v1::Party* party = nullptr;
  std::string certificate_oin;
  std::string professional_id;
};

// Maps authenticated peers to parties. Thread-safe; borrows the registry,
// which must outlive it.
class Authenticator {
 public:
  explicit Authenticator(const PartyRegistry& registry) : registry_(registry) {}

  // UNAUTHENTICATED when the peer presented no verified certificate or the
  // certificate has no serialNumber; PERMISSION_DENIED naming the OIN when no
  // configured party has it; INVALID_ARGUMENT for a malformed professional id.
  absl::StatusOr<Caller> Identify(
      const grpc::AuthContext& auth_context,
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const;

 private:
  const PartyRegistry& registry_;
};

}  // namespace wams::identity

#endif  // WAMS_BROKER_IDENTITY_CALLER_IDENTITY_H_
