// certificate_oin.h: the OIN in a PKIoverheid-style certificate.
//
// PKIoverheid certificates carry the organisation's OIN in the subject's
// serialNumber attribute. It is read from the parsed certificate, never by
// splitting the subject string (values may hold escaped commas, and gRPC's
// x509_subject reorders attributes).
//
//   WAMS_ASSIGN_OR_RETURN(std::string oin, OinFromCertificatePem(pem));
#ifndef WAMS_BROKER_IDENTITY_CERTIFICATE_OIN_H_
#define WAMS_BROKER_IDENTITY_CERTIFICATE_OIN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::identity {

// The subject serialNumber of the first certificate in `pem`.
// UNAUTHENTICATED when the PEM does not parse or has no serialNumber.
// The value is returned as found; whether it is a valid OIN is the caller's
// question.
absl::StatusOr<std::string> OinFromCertificatePem(absl::string_view pem);

}  // namespace wams::identity

#endif  // WAMS_BROKER_IDENTITY_CERTIFICATE_OIN_H_
