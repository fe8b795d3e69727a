// certificate_oin.h: the OIN in the certificate of the party calling an adapter.
//
// PKIoverheid certificates carry the organisation's OIN in the subject's
// serialNumber attribute. The SDK reads it from the parsed certificate, never
// by splitting a subject string (values may hold escaped commas, and gRPC's
// x509_subject reorders attributes).
//
// The broker has its own copy of this function; adapters sit on the other side
// of the trust boundary and link nothing of the broker, so the duplication is
// deliberate.
//
//   absl::StatusOr<std::string> oin = OinFromCertificatePem(pem);
#ifndef WAMS_ADAPTERS_SDK_CERTIFICATE_OIN_H_
#define WAMS_ADAPTERS_SDK_CERTIFICATE_OIN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::adapters {

// The subject serialNumber of the first certificate in `pem`.
// UNAUTHENTICATED when the PEM does not parse or has no serialNumber.
absl::StatusOr<std::string> OinFromCertificatePem(absl::string_view pem);

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_CERTIFICATE_OIN_H_
