// test_util.h: temp dirs, keys and receipts for the receipt-log tests.
#ifndef WAMS_TESTS_LEDGER_STORE_TEST_UTIL_H_
#define WAMS_TESTS_LEDGER_STORE_TEST_UTIL_H_

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/note/note.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store::testing {

inline constexpr char kOrigin[] = "wams.test.example/receipts";

// A fresh directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wams-ledger-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    path_ = made != nullptr ? std::string(made) : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A deterministic signing key from a one-byte seed.
inline Ed25519PrivateKey KeyFromSeed(char seed) {
  return *Ed25519PrivateKey::FromSeed(std::string(32, seed));
}
inline NoteSigner SignerFromSeed(char seed) { return NoteSigner(kOrigin, KeyFromSeed(seed)); }

struct ReceiptSpec {
  std::string case_id = "case-1";
  std::string subject;  // raw 32 bytes or empty
  std::string requester = "00000001001234567000";
  std::string target = "00000001009876543000";
  absl::Time time = absl::FromUnixSeconds(1700000000);
};

inline wams::broker::v1::Receipt MakeReceipt(uint64_t n, const ReceiptSpec& spec = {}) {
  wams::broker::v1::Receipt r;
  r.set_receipt_id(absl::StrCat("receipt-", n));
  r.set_kind(wams::broker::v1::RECEIPT_KIND_DECISION);
  r.set_outcome(wams::broker::v1::RECEIPT_OUTCOME_GRANTED);
  r.mutable_time()->set_seconds(absl::ToUnixSeconds(spec.time));
  r.set_case_id(spec.case_id);
  r.set_subject_pseudonym(spec.subject);
  r.set_requester_oin(spec.requester);
  r.set_target_oin(spec.target);
  r.add_categories("school-attendance");
  r.set_request_id(absl::StrCat("req-", n));
  r.set_policy_version("sha256:0123");
  return r;
}

inline Digest ToDigest(const std::string& bytes) {
  Digest d{};
  std::copy(bytes.begin(), bytes.begin() + std::min<size_t>(32, bytes.size()), d.begin());
  return d;
}

}  // namespace wams::ledger::store::testing

#endif  // WAMS_TESTS_LEDGER_STORE_TEST_UTIL_H_
