#include "broker/identity/revocation_list.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/logging/log.h"
#include "broker/base/pki/certificate_oin.h"
#include "broker/base/secret_file.h"

namespace wams::identity {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
struct CrlFree {
  void operator()(X509_CRL* crl) const { X509_CRL_free(crl); }
};
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

BioPtr MemoryBio(absl::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// RFC 2253 form, e.g. "CN=Wams Dev Root CA,O=Wams Dev CA,C=NL".
std::string NameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "?";
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

// Upper-case hex bytes joined by colons, as `openssl x509 -text` prints a
// serial. The colons matter: plain hex may hold a run of nine digits that
// passes the elfproef, which the log's BSN redaction would then hide.
std::string SerialHex(const X509& cert) {
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(&cert), nullptr);
  if (number == nullptr) return "?";
  char* hex = BN_bn2hex(number);
  std::string digits = hex == nullptr ? "?" : hex;
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

absl::Time TimeOf(const ASN1_TIME* time) {
  struct tm parts {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return absl::InfiniteFuture();
  return absl::FromTimeT(timegm(&parts));
}

// "server_tls.crl_file" -> "server_tls.ca_bundle_file".
std::string BundleField(absl::string_view crl_field) {
  size_t dot = crl_field.rfind('.');
  return absl::StrCat(dot == absl::string_view::npos ? "" : crl_field.substr(0, dot + 1),
                      "ca_bundle_file");
}

std::vector<pki::X509Ptr> ReadCertificates(absl::string_view pem) {
  std::vector<pki::X509Ptr> certs;
  BioPtr bio = MemoryBio(pem);
  while (bio != nullptr) {
    pki::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert == nullptr) break;
    certs.push_back(std::move(cert));
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return certs;
}

// Every PEM CRL in `bytes`, or the one DER CRL it is. Empty when none parses.
absl::StatusOr<std::vector<CrlPtr>> ReadCrls(absl::string_view bytes, absl::string_view field) {
  std::vector<CrlPtr> crls;
  if (absl::StrContains(bytes, "-----BEGIN X509 CRL-----")) {
    BioPtr bio = MemoryBio(bytes);
    while (bio != nullptr) {
      CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
      if (crl == nullptr) break;
      crls.push_back(std::move(crl));
    }
    ERR_clear_error();
    size_t begins = 0;
    for (size_t at = bytes.find("-----BEGIN X509 CRL-----"); at != absl::string_view::npos;
         at = bytes.find("-----BEGIN X509 CRL-----", at + 1)) {
      ++begins;
    }
    if (crls.size() != begins) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, ": PEM CRL number ", crls.size() + 1, " does not parse"));
    }
  } else {
    const unsigned char* der = reinterpret_cast<const unsigned char*>(bytes.data());
    CrlPtr crl(d2i_X509_CRL(nullptr, &der, static_cast<long>(bytes.size())));
    ERR_clear_error();
    if (crl != nullptr) crls.push_back(std::move(crl));
  }
  if (crls.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, ": no CRL in the file (expected PEM \"-----BEGIN X509 CRL-----\" or DER)"));
  }
  return crls;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RevocationList>> RevocationList::Parse(
    absl::string_view crl_bytes, absl::string_view ca_bundle_pem, absl::string_view field) {
  std::vector<pki::X509Ptr> cas = ReadCertificates(ca_bundle_pem);
  if (cas.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(BundleField(field), ": no PEM certificate to verify ", field, " with"));
  }
  absl::StatusOr<std::vector<CrlPtr>> crls = ReadCrls(crl_bytes, field);
  if (!crls.ok()) return crls.status();

  std::shared_ptr<RevocationList> list(new RevocationList());
  list->field_ = std::string(field);
  std::vector<bool> covered(cas.size(), false);
  std::vector<std::string> parts;
  for (CrlPtr& crl : *crls) {
    const X509_NAME* issuer = X509_CRL_get_issuer(crl.get());
    bool issuer_known = false;
    bool verified = false;
    for (size_t i = 0; i < cas.size() && !verified; ++i) {
      if (X509_NAME_cmp(X509_get_subject_name(cas[i].get()), issuer) != 0) continue;
      issuer_known = true;
      // X509_CRL_verify: 1 valid, 0 bad signature, -1 error.
      if (X509_CRL_verify(crl.get(), X509_get0_pubkey(cas[i].get())) == 1) {
        verified = true;
        covered[i] = true;
      }
    }
    ERR_clear_error();
    if (!issuer_known) {
      return absl::FailedPreconditionError(absl::StrCat(
          field, ": the CRL of ", NameText(issuer), " has no issuing CA in ", BundleField(field)));
    }
    if (!verified) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, ": the signature of the CRL of ", NameText(issuer),
                       " does not verify with its CA in ", BundleField(field)));
    }
    absl::Time next_update = TimeOf(X509_CRL_get0_nextUpdate(crl.get()));
    list->next_update_ = std::min(list->next_update_, next_update);
    const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
    parts.push_back(absl::StrCat(
        NameText(issuer), ": ", revoked == nullptr ? 0 : sk_X509_REVOKED_num(revoked),
        " revoked, next update ",
        next_update == absl::InfiniteFuture()
            ? "none"
            : absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", next_update, absl::UTCTimeZone())));
    list->crls_.push_back(crl.release());
  }
  std::vector<std::string> uncovered;
  for (size_t i = 0; i < cas.size(); ++i) {
    if (!covered[i]) uncovered.push_back(NameText(X509_get_subject_name(cas[i].get())));
  }
  list->summary_ =
      absl::StrCat(field, ": ", list->crls_.size(), " CRL(s): ", absl::StrJoin(parts, "; "));
  if (!uncovered.empty()) {
    absl::StrAppend(&list->summary_, "; CAs without a CRL (their certificates are not checked): ",
                    absl::StrJoin(uncovered, "; "));
  }
  return list;
}

RevocationList::~RevocationList() {
  for (X509_CRL* crl : crls_) X509_CRL_free(crl);
}

absl::Status RevocationList::Check(X509& cert) const {
  const X509_NAME* issuer = X509_get_issuer_name(&cert);
  for (X509_CRL* crl : crls_) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), issuer) != 0) continue;
    X509_REVOKED* entry = nullptr;
    // 1: listed as revoked; 2: listed as removeFromCRL (so valid again); 0: not listed.
    if (X509_CRL_get0_by_cert(crl, &entry, &cert) == 1) {
      return absl::UnauthenticatedError(absl::StrCat("the certificate (serial ", SerialHex(cert),
                                                     ", issuer ", NameText(issuer),
                                                     ") is revoked (", field_, ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<CrlFile>> CrlFile::Load(std::string crl_path,
                                                       const std::string& ca_bundle_path,
                                                       std::string field,
                                                       const base::Clock& clock) {
  absl::StatusOr<std::string> bundle = base::ReadPublicFile(ca_bundle_path, BundleField(field));
  if (!bundle.ok()) return bundle.status();
  Version version = Stat(crl_path);
  absl::StatusOr<std::string> bytes = base::ReadPublicFile(crl_path, field);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::shared_ptr<const RevocationList>> list =
      RevocationList::Parse(*bytes, *bundle, field);
  if (!list.ok()) return list.status();

  std::unique_ptr<CrlFile> file(
      new CrlFile(std::move(crl_path), *std::move(bundle), std::move(field), clock));
  logging::LogInfo((*list)->summary());
  {
    absl::MutexLock lock(&file->mu_);
    file->current_ = *std::move(list);
    file->seen_ = version;
    file->LogIfStale();
  }
  return file;
}

CrlFile::Version CrlFile::Stat(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return Version{};
  return Version{
      .inode = info.st_ino,
      .size = info.st_size,
      .mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

void CrlFile::MaybeReload(const Version& version) {
  if (version == seen_) return;
  seen_ = version;
  // A file being replaced may be missing for a moment; keep the old list.
  absl::StatusOr<std::string> bytes = base::ReadPublicFile(crl_path_, field_);
  absl::StatusOr<std::shared_ptr<const RevocationList>> list =
      bytes.ok() ? RevocationList::Parse(*bytes, ca_bundle_pem_, field_) : bytes.status();
  if (!list.ok()) {
    logging::LogWarning(
        absl::StrCat("the changed CRL file is not used, the previous CRLs stay in "
                     "force: ",
                     list.status().message()));
    return;
  }
  current_ = *std::move(list);
  stale_logged_ = false;
  logging::LogInfo(absl::StrCat("reloaded ", current_->summary()));
}

absl::Status CrlFile::Check(X509& cert) {
  Version version = Stat(crl_path_);
  std::shared_ptr<const RevocationList> list;
  {
    absl::MutexLock lock(&mu_);
    MaybeReload(version);
    list = current_;
    LogIfStale();
  }
  return list->Check(cert);
}

bool CrlFile::Stale() const {
  absl::MutexLock lock(&mu_);
  return clock_.Now() > current_->next_update();
}

void CrlFile::LogIfStale() {
  if (stale_logged_ || clock_.Now() <= current_->next_update()) return;
  stale_logged_ = true;
  logging::LogWarning(absl::StrCat(
      field_, ": the CRL's nextUpdate (",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", current_->next_update(), absl::UTCTimeZone()),
      ") has passed; it is still enforced, but fetch a fresh CRL from the CA"));
}

std::shared_ptr<const RevocationList> CrlFile::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace wams::identity
