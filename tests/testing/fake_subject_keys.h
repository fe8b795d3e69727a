// fake_subject_keys.h: a SubjectKeys (broker/subjects/subject_keys.h) for
// unit tests of the retention job and the erasure, over the one global
// Pseudonymizer the rooms use: a subject's pseudonym is the rooms' own, so
// cases opened through the CaseManager are found under it; Shred remembers
// the pseudonym, after which Find no longer returns it and Pseudonymize
// gives a fresh, unrelated one, as the real key table does. Test-only.
//
//   FakeSubjectKeys keys(*parts.pseudonymizer);
//   keys.Shred(pseudonym);
//   EXPECT_TRUE(keys.shredded().contains(pseudonym));
#ifndef WAMS_TESTS_TESTING_FAKE_SUBJECT_KEYS_H_
#define WAMS_TESTS_TESTING_FAKE_SUBJECT_KEYS_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/ledger/store/pseudonymizer.h"
#include "broker/subjects/subject_keys.h"

namespace wams::testing {

// Thread-safe; borrows the pseudonymizer.
class FakeSubjectKeys final : public subjects::SubjectKeys {
 public:
  explicit FakeSubjectKeys(const ledger::store::Pseudonymizer& pseudonymizer)
      : pseudonymizer_(pseudonymizer) {}

  absl::StatusOr<std::string> Pseudonymize(std::string_view bsn) override {
    absl::MutexLock lock(&mu_);
    return Current(bsn);
  }
  absl::StatusOr<std::string> Keyed(std::string_view bsn, std::string_view text) override {
    absl::MutexLock lock(&mu_);
    return pseudonymizer_.Pseudonymize(absl::StrCat(Current(bsn), std::string(text)));
  }
  absl::StatusOr<std::vector<std::string>> Find(std::string_view bsn) const override {
    absl::MutexLock lock(&mu_);
    std::string own = pseudonymizer_.Pseudonymize(bsn);
    if (shredded_.contains(own)) return std::vector<std::string>{};
    return std::vector<std::string>{own};
  }
  absl::Status Shred(std::string_view pseudonym) override {
    absl::MutexLock lock(&mu_);
    shredded_.insert(std::string(pseudonym));
    return absl::OkStatus();
  }

  std::set<std::string> shredded() const {
    absl::MutexLock lock(&mu_);
    return shredded_;
  }

 private:
  // A shredded subject's next pseudonym is unrelated to the old one.
  std::string Current(std::string_view bsn) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::string own = pseudonymizer_.Pseudonymize(bsn);
    return shredded_.contains(own)
               ? pseudonymizer_.Pseudonymize(absl::StrCat("fresh/", std::string(bsn)))
               : own;
  }

  const ledger::store::Pseudonymizer& pseudonymizer_;
  mutable absl::Mutex mu_;
  std::set<std::string> shredded_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_FAKE_SUBJECT_KEYS_H_
