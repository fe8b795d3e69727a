#include "tests/testing/test_certificates.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "tests/testing/temp_dir.h"

namespace wams::testing {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

// Test set-up cannot go on without this; say what failed and stop.
void Check(bool ok, const char* what) {
  if (ok) return;
  std::cerr << "test_certificates: " << what << " failed: ";
  ERR_print_errors_fp(stderr);
  std::abort();
}

X509Ptr ReadCertificate(const std::filesystem::path& path) {
  std::string pem = ReadFile(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  Check(cert != nullptr, ("reading " + path.string()).c_str());
  return cert;
}

KeyPtr ReadKey(const std::filesystem::path& path) {
  std::string pem = ReadFile(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  Check(key != nullptr, ("reading " + path.string()).c_str());
  return key;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  Check(extension != nullptr, "making an extension");
  Check(X509_add_ext(cert, extension, -1) == 1, "adding an extension");
  X509_EXTENSION_free(extension);
}

void AddName(X509_NAME* name, const char* field, const std::string& value) {
  Check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                   0) == 1,
        "adding a subject field");
}

// Any bytes as a UTF8String: AddName's string table would refuse a control
// character in a serialNumber (a PrintableString), and the tests need such
// certificates to show the broker and adapters refuse them.
void AddSerialNumber(X509_NAME* name, const std::string& value) {
  Check(X509_NAME_add_entry_by_NID(name, NID_serialNumber, V_ASN1_UTF8STRING,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) == 1,
        "adding a serialNumber");
}

long Seconds(absl::Duration offset) { return static_cast<long>(absl::ToInt64Seconds(offset)); }

}  // namespace

void IssueCertificate(const std::filesystem::path& pki_dir, const CertificateSpec& spec) {
  X509Ptr ca = ReadCertificate(pki_dir / "ca.crt");
  KeyPtr ca_key = ReadKey(pki_dir / "ca.key");
  KeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EC key generation");

  X509Ptr cert(X509_new());
  Check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");
  // A random 127-bit serial never collides with the dev PKI's sequential ones.
  unsigned char serial_bytes[16];
  Check(RAND_bytes(serial_bytes, sizeof serial_bytes) == 1, "RAND_bytes");
  serial_bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  Check(serial != nullptr && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())),
        "setting the serial");
  BN_free(serial);
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get())) == 1, "issuer");
  X509_NAME* subject = X509_get_subject_name(cert.get());
  AddName(subject, "C", "NL");
  AddName(subject, "O", spec.name);
  AddSerialNumber(subject, spec.oin);
  for (const std::string& extra : spec.more_serial_numbers) AddSerialNumber(subject, extra);
  AddName(subject, "CN", spec.name + ".wams.test");
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), Seconds(spec.not_before)) != nullptr,
        "notBefore");
  Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), Seconds(spec.not_after)) != nullptr,
        "notAfter");
  Check(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");
  AddExtension(cert.get(), ca.get(), NID_basic_constraints, "CA:FALSE");
  AddExtension(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  AddExtension(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  AddExtension(cert.get(), ca.get(), NID_subject_alt_name,
               ("DNS:localhost,DNS:" + spec.name + ".wams.test,IP:127.0.0.1").c_str());
  Check(X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0, "X509_sign");

  BioPtr cert_pem(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(cert_pem.get(), cert.get()) == 1, "PEM_write_bio_X509");
  BioPtr key_pem(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) ==
            1,
        "PEM_write_bio_PrivateKey");
  WriteFile(pki_dir / (spec.name + ".crt"), BioText(cert_pem.get()), 0644);
  WriteFile(pki_dir / (spec.name + ".key"), BioText(key_pem.get()), 0600);
}

std::string MakeCrlPem(const std::filesystem::path& pki_dir, const CrlSpec& spec) {
  X509Ptr ca = ReadCertificate(pki_dir / "ca.crt");
  KeyPtr ca_key = ReadKey(pki_dir / "ca.key");
  CrlPtr crl(X509_CRL_new());
  Check(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) == 1, "X509_CRL_set_version");
  Check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.get())) == 1, "CRL issuer");
  ASN1_TIME* this_update = X509_gmtime_adj(nullptr, Seconds(spec.this_update));
  ASN1_TIME* next_update = X509_gmtime_adj(nullptr, Seconds(spec.next_update));
  Check(this_update != nullptr && next_update != nullptr, "CRL times");
  Check(X509_CRL_set1_lastUpdate(crl.get(), this_update) == 1, "thisUpdate");
  Check(X509_CRL_set1_nextUpdate(crl.get(), next_update) == 1, "nextUpdate");
  for (const std::string& name : spec.revoked) {
    X509Ptr cert = ReadCertificate(pki_dir / (name + ".crt"));
    X509_REVOKED* entry = X509_REVOKED_new();
    Check(entry != nullptr, "X509_REVOKED_new");
    Check(X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(cert.get())) == 1, "serial");
    Check(X509_REVOKED_set_revocationDate(entry, this_update) == 1, "revocation date");
    Check(X509_CRL_add0_revoked(crl.get(), entry) == 1, "X509_CRL_add0_revoked");
  }
  ASN1_TIME_free(this_update);
  ASN1_TIME_free(next_update);
  Check(X509_CRL_sort(crl.get()) == 1, "X509_CRL_sort");
  Check(X509_CRL_sign(crl.get(), ca_key.get(), EVP_sha256()) > 0, "X509_CRL_sign");
  BioPtr pem(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509_CRL(pem.get(), crl.get()) == 1, "PEM_write_bio_X509_CRL");
  return BioText(pem.get());
}

std::string SerialHexOf(const std::filesystem::path& pki_dir, const std::string& name) {
  X509Ptr cert = ReadCertificate(pki_dir / (name + ".crt"));
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
  Check(number != nullptr, "ASN1_INTEGER_to_BN");
  char* hex = BN_bn2hex(number);
  std::string digits(hex);
  OPENSSL_free(hex);
  BN_free(number);
  if (digits.size() % 2 == 1) digits.insert(0, "0");
  std::string text;
  for (size_t i = 0; i < digits.size(); i += 2) {
    if (i > 0) text += ':';
    text.append(digits, i, 2);
  }
  return text;
}

}  // namespace wams::testing
