#include "broker/routing/provider_certificate_check.h"

#include "absl/strings/str_cat.h"
#include "broker/base/logging/log.h"
#include "broker/base/pki/certificate_oin.h"

namespace wams::routing {
namespace {

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace

absl::Status CheckProviderCertificate(absl::string_view pem, const ExpectedProvider& expected,
                                      identity::CrlFile* crl) {
  const std::string where = absl::StrCat("the certificate at ", expected.endpoint);
  absl::StatusOr<pki::X509Ptr> certificate = pki::ParseCertificatePem(pem);
  if (!certificate.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(where, ": ", certificate.status().message()));
  }
  absl::StatusOr<std::string> oin = pki::OinFromCertificate(**certificate);
  if (!oin.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat(where, " names no party: ", oin.status().message(),
                     " (registered there: ", expected.name, ", OIN ", expected.oin, ")"));
  }
  if (*oin != expected.oin) {
    return absl::UnauthenticatedError(absl::StrCat(where, " carries OIN ", *oin,
                                                   ", not the OIN registered for ", expected.name,
                                                   " (", expected.oin, ")"));
  }
  if (crl != nullptr) {
    if (absl::Status revoked = crl->Check(**certificate); !revoked.ok()) {
      return absl::UnauthenticatedError(absl::StrCat(where, " (", expected.name, ", OIN ",
                                                     expected.oin, "): ", revoked.message()));
    }
  }
  return absl::OkStatus();
}

void HandshakeRefusals::Refused(absl::Status status) {
  absl::MutexLock lock(&mu_);
  last_ = std::move(status);
}

void HandshakeRefusals::Accepted() {
  absl::MutexLock lock(&mu_);
  last_.reset();
}

std::optional<absl::Status> HandshakeRefusals::Last() const {
  absl::MutexLock lock(&mu_);
  return last_;
}

bool ProviderCertificateVerifier::Verify(
    grpc::experimental::TlsCustomVerificationCheckRequest* request,
    std::function<void(grpc::Status)> /*callback*/, grpc::Status* sync_status) {
  absl::Status verdict;
  grpc::Status host_name;
  // gRPC's host name verifier answers synchronously; were it ever not to,
  // refuse rather than wait for a callback this verifier does not pass on.
  if (!host_name_.Verify(
          request, [](const grpc::Status&) {}, &host_name)) {
    verdict = absl::UnauthenticatedError("the host name check did not answer synchronously");
  } else if (!host_name.ok()) {
    verdict = absl::UnauthenticatedError(
        absl::StrCat("the certificate at ", expected_.endpoint, " (", expected_.name,
                     ") does not name the host: ", FromGrpc(host_name).message()));
  } else {
    const grpc::string_ref pem = request->peer_cert();
    verdict =
        CheckProviderCertificate(absl::string_view(pem.data(), pem.size()), expected_, crl_.get());
  }
  if (verdict.ok()) {
    refusals_->Accepted();
    *sync_status = grpc::Status::OK;
    return true;
  }
  // One line per refused handshake; reconnects are at most one a second per
  // provider (the transport's backoff), so an impostor cannot flood the log.
  logging::LogWarning(
      absl::StrCat("ALERT provider certificate refused, nothing was sent: ", verdict.message()));
  refusals_->Refused(verdict);
  *sync_status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(verdict.message()));
  return true;
}

}  // namespace wams::routing
