// certificate_oin.h: the OIN in the certificate of the party calling an adapter.
//
// PKIoverheid certificates carry the organisation's OIN in the subject's
// serialNumber attribute. The SDK reads it with the broker's own reader,
// pki::OinFromCertificatePem (pki/certificate_oin.h, a library below both
// that links nothing of the broker), so adapter and broker refuse the same
// certificates: none or two serialNumbers, or one that is not a valid OIN.
//
//   CertificateOinCache cache;                   // per server, for every call
//   absl::StatusOr<std::string> oin = cache.OinFromCertificatePem(pem);
#ifndef WAMS_ADAPTERS_SDK_CERTIFICATE_OIN_H_
#define WAMS_ADAPTERS_SDK_CERTIFICATE_OIN_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace wams::adapters {

// pki::OinFromCertificatePem for every call of a server, remembering the OINs of
// the certificates it read. Parsing a PEM certificate costs OpenSSL 3 about
// 250 us of CPU (its provider-based key decoding), more than the rest of an
// adapter's answer, while the caller presents the same certificate on every
// call. The key is the exact PEM text of the verified peer certificate, so a
// different certificate is always parsed anew; only successes are kept.
// Thread-safe.
class CertificateOinCache {
 public:
  // `capacity`: most certificates remembered; when full, the cache starts
  // over. Default: 64 (an adapter has one caller, the broker).
  explicit CertificateOinCache(size_t capacity = 64) : capacity_(capacity) {}

  // As pki::OinFromCertificatePem: the OIN, or UNAUTHENTICATED saying why not.
  absl::StatusOr<std::string> OinFromCertificatePem(absl::string_view pem);

 private:
  const size_t capacity_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::string> oins_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_CERTIFICATE_OIN_H_
