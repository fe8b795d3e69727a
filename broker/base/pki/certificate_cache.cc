#include "broker/base/pki/certificate_cache.h"

#include <utility>

namespace wams::pki {
namespace {

absl::StatusOr<std::shared_ptr<const PeerCertificate>> Parse(absl::string_view pem) {
  absl::StatusOr<X509Ptr> certificate = ParseCertificatePem(pem);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<std::string> oin = OinFromCertificate(**certificate);
  if (!oin.ok()) return oin.status();
  return std::make_shared<const PeerCertificate>(
      PeerCertificate{*std::move(certificate), *std::move(oin)});
}

}  // namespace

absl::StatusOr<std::shared_ptr<const PeerCertificate>> CertificateCache::Read(
    absl::string_view pem) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto found = entries_.find(pem); found != entries_.end()) return found->second;
  }
  // Parsed outside the lock: two threads may parse the same PEM at once, and
  // both get the same answer.
  Entry entry = Parse(pem);
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.emplace(pem, entry);
  return entry;
}

absl::StatusOr<std::string> CertificateCache::OinFromCertificatePem(absl::string_view pem) {
  absl::StatusOr<std::shared_ptr<const PeerCertificate>> peer = Read(pem);
  if (!peer.ok()) return peer.status();
  return (*peer)->oin;
}

}  // namespace wams::pki
