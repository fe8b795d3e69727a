// certificate_cache.h: peer certificates parsed once, with the OIN they name.
//
// Parsing a PEM certificate costs OpenSSL 3 about 250 us of CPU (its
// provider-based key decoding): more than the rest of an adapter's answer, and
// half of a data request's whole cost in the broker. A peer presents the same
// certificate on every call, so the broker (its callers' identity and its call
// log) and the adapter SDK (the broker calling it) each keep one of these
// instead of parsing on every call.
//
//   pki::CertificateCache certificates(/*capacity=*/1024);   // one per server
//   WAMS_ASSIGN_OR_RETURN(std::shared_ptr<const pki::PeerCertificate> peer,
//                         certificates.Read(pem));            // peer->certificate, peer->oin
//   WAMS_ASSIGN_OR_RETURN(std::string oin, certificates.OinFromCertificatePem(pem));
//
// The key is the exact PEM text, so any other certificate is parsed anew.
// The answer for a PEM never changes (the reader is a pure function), so
// refusals are remembered as well: a peer whose certificate names no valid
// OIN costs one parse, not one per call. Checks that can change (revocation)
// stay with the caller, on every call.
//
// Thread-safety: thread-safe; lookups share a reader lock.
#ifndef WAMS_BROKER_BASE_PKI_CERTIFICATE_CACHE_H_
#define WAMS_BROKER_BASE_PKI_CERTIFICATE_CACHE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/pki/certificate_oin.h"

namespace wams::pki {

// A certificate that names exactly one valid OIN, parsed.
struct PeerCertificate {
  X509Ptr certificate;
  std::string oin;
};

class CertificateCache {
 public:
  // `capacity`: most certificates remembered; when full, the cache starts
  // over (cheaper than tracking use, and a server sees few certificates).
  // Default: 64 (an adapter has one caller, the broker).
  explicit CertificateCache(size_t capacity = 64) : capacity_(capacity) {}

  CertificateCache(const CertificateCache&) = delete;
  CertificateCache& operator=(const CertificateCache&) = delete;

  // The parsed first certificate in `pem` and its OIN. UNAUTHENTICATED,
  // saying why, as ParseCertificatePem and OinFromCertificate.
  absl::StatusOr<std::shared_ptr<const PeerCertificate>> Read(absl::string_view pem);

  // As OinFromCertificatePem: the OIN, or UNAUTHENTICATED saying why not.
  absl::StatusOr<std::string> OinFromCertificatePem(absl::string_view pem);

 private:
  using Entry = absl::StatusOr<std::shared_ptr<const PeerCertificate>>;

  const size_t capacity_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::pki

#endif  // WAMS_BROKER_BASE_PKI_CERTIFICATE_CACHE_H_
