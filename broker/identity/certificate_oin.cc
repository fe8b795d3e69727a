#include "broker/identity/certificate_oin.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace wams::identity {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct OpenSslFree {
  void operator()(unsigned char* bytes) const { OPENSSL_free(bytes); }
};

}  // namespace

void X509Deleter::operator()(X509* cert) const { X509_free(cert); }

absl::StatusOr<X509Ptr> ParseCertificatePem(absl::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::ResourceExhaustedError("cannot allocate a BIO");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::UnauthenticatedError("the peer certificate is not a readable PEM certificate");
  }
  return cert;
}

absl::StatusOr<std::string> OinFromCertificate(const X509& cert) {
  const X509_NAME* subject = X509_get_subject_name(&cert);
  int position = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
  if (position < 0) {
    return absl::UnauthenticatedError(
        "the peer certificate subject has no serialNumber (the party's OIN)");
  }
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, position));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) {
    return absl::UnauthenticatedError("the peer certificate serialNumber is not a string");
  }
  std::unique_ptr<unsigned char, OpenSslFree> owned(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
}

absl::StatusOr<std::string> OinFromCertificatePem(absl::string_view pem) {
  absl::StatusOr<X509Ptr> cert = ParseCertificatePem(pem);
  if (!cert.ok()) return cert.status();
  return OinFromCertificate(**cert);
}

}  // namespace wams::identity
