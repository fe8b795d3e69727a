#include "broker/base/pki/certificate_oin.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace wams::pki {
namespace {

constexpr size_t kOinLength = 20;
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct OpenSslFree {
  void operator()(unsigned char* bytes) const { OPENSSL_free(bytes); }
};

// Why `text` is not an OIN, without repeating it: a serialNumber is
// attacker-chosen text (a newline in it would forge a log line; a BSN typed
// into it must not reach a log), so only its length and the position and
// code of the first byte that is not a digit are named.
std::string WhyNotAnOin(absl::string_view text) {
  std::string why = absl::StrCat(text.size(), " bytes");
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (!absl::ascii_isdigit(c)) {
      absl::StrAppendFormat(&why, ", byte %d is not a digit (0x%02x)", i + 1, c);
      return why;
    }
  }
  if (text.size() == kOinLength) absl::StrAppend(&why, ", all zeros");
  return why;
}

}  // namespace

void X509Deleter::operator()(X509* cert) const { X509_free(cert); }

bool IsValidOin(absl::string_view text) {
  if (text.size() != kOinLength) return false;
  bool all_zeros = true;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    if (c != '0') all_zeros = false;
  }
  return !all_zeros;
}

absl::StatusOr<X509Ptr> ParseCertificatePem(absl::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::ResourceExhaustedError("cannot allocate a BIO");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    ERR_clear_error();
    return absl::UnauthenticatedError("the certificate is not a readable PEM certificate");
  }
  return cert;
}

absl::StatusOr<std::string> OinFromCertificate(const X509& cert) {
  const X509_NAME* subject = X509_get_subject_name(&cert);
  const int position = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
  if (position < 0) {
    return absl::UnauthenticatedError(
        "the certificate subject has no serialNumber (the party's OIN)");
  }
  // A second serialNumber makes the party ambiguous: reading the first (as
  // OpenSSL's index lookup does) would let whoever got a certificate with two
  // be either party. Refuse it rather than pick one.
  int count = 1;
  for (int at = X509_NAME_get_index_by_NID(subject, NID_serialNumber, position); at >= 0;
       at = X509_NAME_get_index_by_NID(subject, NID_serialNumber, at)) {
    ++count;
  }
  if (count > 1) {
    return absl::UnauthenticatedError(
        absl::StrCat("the certificate subject has ", count,
                     " serialNumber attributes; the party's OIN must be exactly one"));
  }
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, position));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) {
    ERR_clear_error();
    return absl::UnauthenticatedError("the certificate subject serialNumber is not a string");
  }
  std::unique_ptr<unsigned char, OpenSslFree> owned(utf8);
  std::string oin(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
  if (!IsValidOin(oin)) {
    return absl::UnauthenticatedError(
        absl::StrCat("the certificate subject serialNumber is not a valid OIN (20 digits, not all "
                     "zeros): ",
                     WhyNotAnOin(oin)));
  }
  return oin;
}

absl::StatusOr<std::string> OinFromCertificatePem(absl::string_view pem) {
  absl::StatusOr<X509Ptr> cert = ParseCertificatePem(pem);
  if (!cert.ok()) return cert.status();
  return OinFromCertificate(**cert);
}

}  // namespace wams::pki
