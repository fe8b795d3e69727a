#include "adapters/sdk/certificate_oin.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace wams::adapters {
namespace {

struct OpenSslDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
  void operator()(X509* cert) const { X509_free(cert); }
  void operator()(unsigned char* bytes) const { OPENSSL_free(bytes); }
};

}  // namespace

absl::StatusOr<std::string> OinFromCertificatePem(absl::string_view pem) {
  std::unique_ptr<BIO, OpenSslDeleter> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::ResourceExhaustedError("cannot allocate a BIO");
  std::unique_ptr<X509, OpenSslDeleter> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::UnauthenticatedError("the caller's certificate is not a readable PEM certificate");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  int position = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
  if (position < 0) {
    return absl::UnauthenticatedError(
        "the caller's certificate subject has no serialNumber (an OIN)");
  }
  ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, position));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) {
    return absl::UnauthenticatedError("the caller's certificate serialNumber is not a string");
  }
  std::unique_ptr<unsigned char, OpenSslDeleter> owned(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
}

absl::StatusOr<std::string> CertificateOinCache::OinFromCertificatePem(absl::string_view pem) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto found = oins_.find(pem);
    if (found != oins_.end()) return found->second;
  }
  absl::StatusOr<std::string> oin = adapters::OinFromCertificatePem(pem);
  if (oin.ok()) {
    absl::MutexLock lock(&mu_);
    if (oins_.size() >= capacity_) oins_.clear();
    oins_.emplace(pem, *oin);
  }
  return oin;
}

}  // namespace wams::adapters
