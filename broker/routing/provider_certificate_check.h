// provider_certificate_check.h: is the provider answering at an endpoint the
// party registered there?
//
// The broker checks every provider's certificate during the TLS handshake,
// before any request data is sent: besides the chain to the CA bundle (TLS
// itself) and the host name, the certificate must carry the OIN registered
// for that endpoint (read by pki::OinFromCertificate, the same strict reader
// that identifies the broker's callers: exactly one serialNumber, a valid
// OIN) and must not be revoked by the CRL of client_tls.crl_file. Anything
// else is refused there: an adapter running with another party's certificate
// on GGZ's endpoint gets no BSN, justification or professional id, and no
// answer of it is ever taken for GGZ's.
//
// ProviderCertificateVerifier plugs the check into gRPC's TLS credentials
// (one per provider channel). Each refusal is logged as one ALERT line and
// kept in the channel's HandshakeRefusals, so that the transport can tell the
// call that failed why: gRPC itself only reports UNAVAILABLE.
//
//   auto refusals = std::make_shared<HandshakeRefusals>();
//   options.set_certificate_verifier(
//       grpc::experimental::ExternalCertificateVerifier::Create<ProviderCertificateVerifier>(
//           ExpectedProvider{...}, crl, refusals));
//
// Thread-safety: CheckProviderCertificate is a free function; HandshakeRefusals
// and ProviderCertificateVerifier are thread-safe (gRPC may run handshakes of
// one channel on several threads).
#ifndef WAMS_BROKER_ROUTING_PROVIDER_CERTIFICATE_CHECK_H_
#define WAMS_BROKER_ROUTING_PROVIDER_CERTIFICATE_CHECK_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "broker/identity/revocation_list.h"
#include "grpcpp/security/tls_certificate_verifier.h"

namespace wams::routing {

// The party registered for a provider endpoint.
struct ExpectedProvider {
  std::string name;      // e.g. "GGZ Voorbeeld", for messages
  std::string oin;       // the registered OIN
  std::string endpoint;  // host:port, for messages
};

// OK when `pem` (the provider's leaf certificate, already verified against
// the CA bundle) carries exactly `expected.oin` and `crl` (nullptr: none)
// does not list it. Otherwise UNAUTHENTICATED saying what was found: "the
// certificate at <endpoint> carries OIN <found>, not the OIN registered for
// <name> (<oin>)", the reader's refusal (two serialNumbers, not a valid OIN),
// or the CRL's (serial, issuer). Messages hold no request data, and no
// certificate text that is not validated or escaped.
absl::Status CheckProviderCertificate(absl::string_view pem, const ExpectedProvider& expected,
                                      identity::CrlFile* crl);

// What a provider channel's handshakes last refused, if the last one failed.
class HandshakeRefusals {
 public:
  void Refused(absl::Status status);
  void Accepted();
  // The refusal of the last handshake, or nullopt when it was accepted (or
  // there was none yet).
  std::optional<absl::Status> Last() const;

 private:
  mutable absl::Mutex mu_;
  std::optional<absl::Status> last_ ABSL_GUARDED_BY(mu_);
};

// The provider check as a gRPC certificate verifier (synchronous).
class ProviderCertificateVerifier final : public grpc::experimental::ExternalCertificateVerifier {
 public:
  ProviderCertificateVerifier(ExpectedProvider expected, std::shared_ptr<identity::CrlFile> crl,
                              std::shared_ptr<HandshakeRefusals> refusals)
      : expected_(std::move(expected)), crl_(std::move(crl)), refusals_(std::move(refusals)) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> callback, grpc::Status* sync_status) override;
  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest*) override {}

 private:
  const ExpectedProvider expected_;
  const std::shared_ptr<identity::CrlFile> crl_;
  const std::shared_ptr<HandshakeRefusals> refusals_;
  // A custom verifier replaces gRPC's host name check; this keeps it.
  grpc::experimental::HostNameCertificateVerifier host_name_;
};

}  // namespace wams::routing

#endif  // WAMS_BROKER_ROUTING_PROVIDER_CERTIFICATE_CHECK_H_
