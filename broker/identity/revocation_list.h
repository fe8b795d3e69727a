// revocation_list.h: refusing clients whose certificate the CA has revoked.
//
// Where the check happens, and why there: the TLS handshake (gRPC's
// SslServerCredentials) verifies the chain to `server_tls.ca_bundle_file` and
// the validity dates, but gRPC 1.51's SSL credentials take no CRL, and its
// experimental TlsServerCredentials only reads a directory of hashed CRL files
// (no reload, no way to verify or report the CRL at start). So the broker
// checks revocation itself, in the Authenticator, first thing on every broker
// call: a client whose certificate a CRL in `server_tls.crl_file` lists gets
// UNAUTHENTICATED naming the certificate's serial number and issuer, before
// anything is decided or receipted. A revoked client still completes the TLS
// handshake, so it can reach the health and reflection services, which reveal
// nothing; it can reach no Wams data, case or log.
//
// What an operator can rely on:
//   - An unreadable, empty or malformed CRL file, or a CRL not signed by a CA
//     of the bundle, stops start-up with a message naming the field.
//   - The file may hold several CRLs (one per CA of the bundle), PEM or DER.
//   - The file is re-read when it changes (a timer that fetches the CA's CRL
//     just replaces it); a replacement that does not parse or verify is
//     logged and the last good CRLs stay in force.
//   - A CRL past its nextUpdate (by the broker's clock, base::Clock) is still
//     enforced (it is the best knowledge there is) and logged as a warning
//     once; start-up logs each nextUpdate.
//   - A certificate whose issuer has no CRL in the file is not checked: the
//     start-up log names the bundle's CAs without one.
//
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<CrlFile> crl,
//                         CrlFile::Load(tls.crl_file(), tls.ca_bundle_file(),
//                                       "server_tls.crl_file", clock));
//   WAMS_RETURN_IF_ERROR(crl->Check(*peer_certificate));  // UNAUTHENTICATED when revoked
#ifndef WAMS_BROKER_IDENTITY_REVOCATION_LIST_H_
#define WAMS_BROKER_IDENTITY_REVOCATION_LIST_H_

#include <openssl/types.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"

namespace wams::identity {

// Parsed and verified CRLs. Immutable; thread-safe.
class RevocationList {
 public:
  // Parses every CRL in `crl_bytes` (PEM, one or more; or one DER CRL) and
  // verifies each one's signature with the CA of `ca_bundle_pem` whose
  // subject is its issuer. FAILED_PRECONDITION naming `field` when there is
  // no CRL, one does not parse, its issuer is not in the bundle, or its
  // signature does not verify.
  static absl::StatusOr<std::shared_ptr<const RevocationList>> Parse(
      absl::string_view crl_bytes, absl::string_view ca_bundle_pem, absl::string_view field);

  ~RevocationList();
  RevocationList(const RevocationList&) = delete;
  RevocationList& operator=(const RevocationList&) = delete;

  // OK unless a CRL of `cert`'s issuer lists its serial number; then
  // UNAUTHENTICATED naming the serial (hex) and the issuer.
  absl::Status Check(X509& cert) const;

  // The earliest nextUpdate of the CRLs (InfiniteFuture when none has one).
  absl::Time next_update() const { return next_update_; }
  // One line for the log: CRLs, issuers, revoked entries, nextUpdate, and
  // the bundle's CAs that no CRL covers.
  const std::string& summary() const { return summary_; }

 private:
  RevocationList() = default;

  std::string field_;
  std::vector<X509_CRL*> crls_;  // owned
  absl::Time next_update_ = absl::InfiniteFuture();
  std::string summary_;
};

// A CRL file that is re-read when it changes. Thread-safe.
class CrlFile {
 public:
  // Reads `crl_path` and `ca_bundle_path` and parses them (RevocationList::Parse).
  // NOT_FOUND or FAILED_PRECONDITION naming `field` (the CRL) or
  // `field`'s sibling ca_bundle_file. `clock` (borrowed, must outlive the
  // file) tells when a list's nextUpdate has passed.
  static absl::StatusOr<std::unique_ptr<CrlFile>> Load(std::string crl_path,
                                                       const std::string& ca_bundle_path,
                                                       std::string field, const base::Clock& clock);

  // Whether the list in force is past its nextUpdate by the clock (it is
  // still enforced; the broker warns once per list).
  bool Stale() const;

  // Re-reads the file first when its inode, size or mtime changed, then
  // checks `cert` against the list in force (RevocationList::Check).
  absl::Status Check(X509& cert);

  // The list in force.
  std::shared_ptr<const RevocationList> Current() const;

 private:
  // What identifies one version of the file.
  struct Version {
    ino_t inode = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const Version&) const = default;
  };
  static Version Stat(const std::string& path);

  CrlFile(std::string crl_path, std::string ca_bundle_pem, std::string field,
          const base::Clock& clock)
      : crl_path_(std::move(crl_path)),
        ca_bundle_pem_(std::move(ca_bundle_pem)),
        field_(std::move(field)),
        clock_(clock) {}
  // Re-reads the file if `version` is new; logs the outcome.
  void MaybeReload(const Version& version) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Warns once per list when its nextUpdate has passed.
  void LogIfStale() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string crl_path_;
  const std::string ca_bundle_pem_;
  const std::string field_;
  const base::Clock& clock_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const RevocationList> current_ ABSL_GUARDED_BY(mu_);
  Version seen_ ABSL_GUARDED_BY(mu_);  // the last version read, good or not
  bool stale_logged_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace wams::identity

#endif  // WAMS_BROKER_IDENTITY_REVOCATION_LIST_H_
