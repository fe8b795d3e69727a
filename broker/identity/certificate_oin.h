// certificate_oin.h: the OIN in a PKIoverheid-style certificate.
//
// PKIoverheid certificates carry the organisation's OIN in the subject's
// serialNumber attribute. It is read from the parsed certificate, never by
// splitting the subject string (values may hold escaped commas, and gRPC's
// x509_subject reorders attributes).
//
//   WAMS_ASSIGN_OR_RETURN(std::string oin, OinFromCertificatePem(pem));
//
//   WAMS_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificatePem(pem));  // parse once,
//   WAMS_ASSIGN_OR_RETURN(std::string oin, OinFromCertificate(*cert));  // use twice
#ifndef WAMS_BROKER_IDENTITY_CERTIFICATE_OIN_H_
#define WAMS_BROKER_IDENTITY_CERTIFICATE_OIN_H_

#include <openssl/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::identity {

struct X509Deleter {
  void operator()(X509* cert) const;
};
// An owned OpenSSL certificate.
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// The first certificate in `pem`. UNAUTHENTICATED when it does not parse.
absl::StatusOr<X509Ptr> ParseCertificatePem(absl::string_view pem);

// The subject serialNumber of `cert`. UNAUTHENTICATED when it has none.
// The value is returned as found; whether it is a valid OIN is the caller's
// question.
absl::StatusOr<std::string> OinFromCertificate(const X509& cert);

// The subject serialNumber of the first certificate in `pem`.
// UNAUTHENTICATED when the PEM does not parse or has no serialNumber.
absl::StatusOr<std::string> OinFromCertificatePem(absl::string_view pem);

}  // namespace wams::identity

#endif  // WAMS_BROKER_IDENTITY_CERTIFICATE_OIN_H_
