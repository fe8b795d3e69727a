// pki::CertificateCache, the one cache of peers' certificates the broker
// (callers' identity, call log) and the adapter SDK (the broker calling it)
// keep: each certificate is parsed once and answered with its own OIN, and a
// refused one is refused every time with the reader's code.
#include "broker/base/pki/certificate_cache.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace wams::pki {
namespace {

using ::wams::testing::IsOkAndHolds;
using ::wams::testing::StatusIs;

constexpr char kBrokerOin[] = "00000001001234567100";
constexpr char kSchoolOin[] = "00000003345678900000";

class CertificateCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::TempDir();
    testing::MakeDevPki(pki_->path());
  }
  static void TearDownTestSuite() { delete pki_; }
  static std::string Pem(const std::string& name) {
    return testing::ReadFile(pki_->path() / (name + ".crt"));
  }

  static testing::TempDir* pki_;
};
testing::TempDir* CertificateCacheTest::pki_ = nullptr;

TEST_F(CertificateCacheTest, ParsesEachCertificateOnce) {
  CertificateCache cache;
  absl::StatusOr<std::shared_ptr<const PeerCertificate>> first = cache.Read(Pem("broker"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)->oin, kBrokerOin);
  EXPECT_NE((*first)->certificate, nullptr);
  absl::StatusOr<std::shared_ptr<const PeerCertificate>> again = cache.Read(Pem("broker"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->get(), first->get());  // the same parse, not a new one
}

TEST_F(CertificateCacheTest, AnswersEachCertificateWithItsOwnOinWhenFull) {
  const std::string broker = Pem("broker");
  const std::string school = Pem("school");
  // Capacity 1: every other call starts the cache over.
  CertificateCache cache(/*capacity=*/1);
  for (int round = 0; round < 3; ++round) {
    EXPECT_THAT(cache.OinFromCertificatePem(broker), IsOkAndHolds(std::string(kBrokerOin)));
    EXPECT_THAT(cache.OinFromCertificatePem(broker), IsOkAndHolds(std::string(kBrokerOin)));
    EXPECT_THAT(cache.OinFromCertificatePem(school), IsOkAndHolds(std::string(kSchoolOin)));
  }
}

TEST_F(CertificateCacheTest, RefusesWhatTheReaderRefusesEveryTime) {
  const std::string ca = Pem("ca");  // a CA certificate names no OIN
  CertificateCache cache;
  for (int i = 0; i < 2; ++i) {
    EXPECT_THAT(cache.Read(ca), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_EQ(cache.Read(ca).status(), OinFromCertificatePem(ca).status());
    EXPECT_THAT(cache.OinFromCertificatePem("not a pem"),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
}

}  // namespace
}  // namespace wams::pki
