// certificate_oin.h: the OIN in a PKIoverheid-style certificate, read strictly.
//
// PKIoverheid certificates carry the organisation's OIN in the subject's
// serialNumber attribute. It is read from the parsed certificate, never by
// splitting a subject string (values may hold escaped commas, and gRPC's
// x509_subject reorders attributes). The broker (its callers, and the
// providers it calls) and the adapter SDK (the broker calling it) use this one
// implementation, so both sides refuse the same certificates:
//   - no serialNumber, or more than one (which one would be the party? an
//     attacker's CA request could add a second one after a genuine first);
//   - a serialNumber that is not a valid OIN (20 digits, not all zeros). The
//     error names its length and its first non-digit byte by position and
//     code, never the value, so a newline or other control character in a
//     certificate (or a BSN typed into it) never reaches a message or a log.
//
//   WAMS_ASSIGN_OR_RETURN(std::string oin, pki::OinFromCertificatePem(pem));
//
//   WAMS_ASSIGN_OR_RETURN(pki::X509Ptr cert, pki::ParseCertificatePem(pem));  // parse once,
//   WAMS_ASSIGN_OR_RETURN(std::string oin, pki::OinFromCertificate(*cert));   // use twice
//
// Thread-safety: free functions without shared state; safe from any thread.
#ifndef WAMS_BROKER_BASE_PKI_CERTIFICATE_OIN_H_
#define WAMS_BROKER_BASE_PKI_CERTIFICATE_OIN_H_

#include <openssl/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::pki {

struct X509Deleter {
  void operator()(X509* cert) const;
};
// An owned OpenSSL certificate.
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// The first certificate in `pem`. UNAUTHENTICATED when it does not parse.
absl::StatusOr<X509Ptr> ParseCertificatePem(absl::string_view pem);

// The OIN of `cert`: its one subject serialNumber, a valid OIN.
// UNAUTHENTICATED, saying why (and never holding the value raw), when the
// subject has no serialNumber, more than one, one that is not a string, or
// one that is not a valid OIN.
absl::StatusOr<std::string> OinFromCertificate(const X509& cert);

// OinFromCertificate of the first certificate in `pem`; UNAUTHENTICATED too
// when the PEM does not parse.
absl::StatusOr<std::string> OinFromCertificatePem(absl::string_view pem);

// True when `text` is a valid OIN: exactly 20 ASCII digits, not all zeros.
bool IsValidOin(absl::string_view text);

}  // namespace wams::pki

#endif  // WAMS_BROKER_BASE_PKI_CERTIFICATE_OIN_H_
