// dev_pki_suite.h: a test suite that shares one dev PKI (deploy/dev-pki.sh's
// parties, made by MakeDevPki) across its tests. Making it is the slow part,
// and no test changes it.
//
//   class ReferenceAdapterTest : public wams::testing::DevPkiSuite { ... };
//   ... ReferenceAdapter(pki_dir(), "school") ...
//
// Suites run one after another, so one static directory serves them all.
#ifndef WAMS_TESTS_TESTING_DEV_PKI_SUITE_H_
#define WAMS_TESTS_TESTING_DEV_PKI_SUITE_H_

#include <filesystem>

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"

namespace wams::testing {

class DevPkiSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir();
    MakeDevPki(pki_->path());
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static const std::filesystem::path& pki_dir() { return pki_->path(); }

 private:
  static inline TempDir* pki_ = nullptr;
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_DEV_PKI_SUITE_H_
