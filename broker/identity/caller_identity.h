// caller_identity.h: who is calling, from the mTLS peer certificate.
//
// Every broker RPC starts here. The OIN comes from the verified client
// certificate (subject serialNumber); the party registry maps it to a party.
// With a CRL file configured, a revoked certificate is refused first (see
// revocation_list.h for why the check is here and not in the handshake).
// The acting professional's id comes from the `x-wams-professional-id`
// metadata entry and is recorded, not trusted for authorisation beyond what
// the party may do: the policy matches it together with the party's OIN (a
// designated coordinator is a party and a professional id), and a privacy
// officer's id counts only from the municipality.
//
//   WAMS_ASSIGN_OR_RETURN(Caller caller, authenticator.Identify(*context->auth_context(),
//                                                               context->client_metadata()));
#ifndef WAMS_BROKER_IDENTITY_CALLER_IDENTITY_H_
#define WAMS_BROKER_IDENTITY_CALLER_IDENTITY_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/base/pki/certificate_cache.h"
#include "broker/identity/party_registry.h"
#include "broker/identity/revocation_list.h"
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
  // `crl`: the client CRLs (server_tls.crl_file), or nullptr for none.
  explicit Authenticator(const PartyRegistry& registry, std::unique_ptr<CrlFile> crl = nullptr)
      : registry_(registry), crl_(std::move(crl)) {}

  // UNAUTHENTICATED when the peer presented no verified certificate, the
  // certificate is revoked, or its subject does not name exactly one valid
  // OIN (pki::OinFromCertificate); PERMISSION_DENIED naming the OIN when no
  // configured party has it; INVALID_ARGUMENT for a malformed professional id.
  absl::StatusOr<Caller> Identify(
      const grpc::AuthContext& auth_context,
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const;
  // The same for a peer whose TLS session (not gRPC's: the REST face's)
  // verified `certificate_pem` against the client CA bundle; the
  // professional id as sent in its header, if sent.
  absl::StatusOr<Caller> IdentifyVerified(absl::string_view certificate_pem,
                                          std::optional<absl::string_view> professional_id) const;

  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

 private:
  void LogRefusal(const absl::Status& status) const;

  // Callers' certificates, each parsed once (pki/certificate_cache.h); the
  // revocation check still runs on every call.
  static constexpr size_t kPeerCacheCapacity = 1024;
  mutable pki::CertificateCache certificates_{kPeerCacheCapacity};

  const PartyRegistry& registry_;
  const std::unique_ptr<CrlFile> crl_;
  mutable std::atomic<int64_t> last_refusal_log_ns_{0};
  mutable std::atomic<int64_t> unlogged_refusals_{0};
};

}  // namespace wams::identity

#endif  // WAMS_BROKER_IDENTITY_CALLER_IDENTITY_H_
