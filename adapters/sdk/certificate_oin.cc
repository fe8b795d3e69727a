#include "adapters/sdk/certificate_oin.h"

#include "broker/base/pki/certificate_oin.h"

namespace wams::adapters {

absl::StatusOr<std::string> CertificateOinCache::OinFromCertificatePem(absl::string_view pem) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto found = oins_.find(pem);
    if (found != oins_.end()) return found->second;
  }
  absl::StatusOr<std::string> oin = pki::OinFromCertificatePem(pem);
  if (oin.ok()) {
    absl::MutexLock lock(&mu_);
    if (oins_.size() >= capacity_) oins_.clear();
    oins_.emplace(pem, *oin);
  }
  return oin;
}

}  // namespace wams::adapters
