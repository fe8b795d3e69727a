// test_certificates.h: party certificates and CRLs made at test time with
// the OpenSSL API, signed by the CA of a dev PKI (deploy/dev-pki.sh), for
// the cases the openssl CLI of Debian 12 cannot make freely: expired and
// not-yet-valid certificates, subjects with two serialNumbers or a control
// character in one, and revocation lists.
//
//   IssueCertificate(pki_dir, {.name = "expired-ggz", .oin = kGgzOin,
//                              .not_before = -absl::Hours(48), .not_after = -absl::Hours(24)});
//   auto channel = MutualTlsChannel(pki_dir, "expired-ggz", port);
//   WriteFile(pki_dir / "ca.crl", MakeCrlPem(pki_dir, {.revoked = {"revoked-ggz"}}));
#ifndef WAMS_TESTS_TESTING_TEST_CERTIFICATES_H_
#define WAMS_TESTS_TESTING_TEST_CERTIFICATES_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace wams::testing {

struct CertificateSpec {
  // The files written: `name`.crt and `name`.key (mode 0600) in the PKI dir.
  std::string name;
  // The subject serialNumber (the party's OIN), written as given: it may hold
  // any bytes, a newline included (a UTF8String, as no CA should issue).
  std::string oin;
  // Further subject serialNumber attributes after `oin`. Default: none.
  std::vector<std::string> more_serial_numbers = {};
  // Validity, relative to now. Default: from an hour ago for a day.
  absl::Duration not_before = -absl::Hours(1);
  absl::Duration not_after = absl::Hours(24);
};

// Issues an EC P-256 client and server certificate (SAN localhost and
// 127.0.0.1, as deploy/dev-pki.sh makes them) signed by `pki_dir`/ca.crt
// and ca.key. Aborts the test binary on an OpenSSL failure (a broken
// test environment, not a test outcome).
void IssueCertificate(const std::filesystem::path& pki_dir, const CertificateSpec& spec);

struct CrlSpec {
  // Names of certificates in the PKI dir (`name`.crt) whose serial numbers
  // the CRL lists.
  std::vector<std::string> revoked;
  // thisUpdate and nextUpdate, relative to now. Default: a minute ago, in a day.
  absl::Duration this_update = -absl::Minutes(1);
  absl::Duration next_update = absl::Hours(24);
};

// A PEM X.509 v2 CRL signed by `pki_dir`/ca.key. Aborts like IssueCertificate.
std::string MakeCrlPem(const std::filesystem::path& pki_dir, const CrlSpec& spec);

// The serial number of `pki_dir`/`name`.crt as upper-case hex bytes joined by
// colons (`01:52:9F:...`), as the broker names it in refusals and logs.
std::string SerialHexOf(const std::filesystem::path& pki_dir, const std::string& name);

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_TEST_CERTIFICATES_H_
