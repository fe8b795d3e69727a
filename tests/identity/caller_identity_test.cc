// Authenticator (broker/identity/caller_identity.h) on its own: certificates
// made at test time, presented through a fake grpc::AuthContext (the seam
// where gRPC hands the broker the verified peer), no server. Covers the
// certificate -> party mapping, unknown OINs, ambiguous subjects, the
// professional id header, and revocation (also with a stale CRL and a CRL
// replaced after the certificate was first seen).
#include "broker/identity/caller_identity.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "broker/base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certificates.h"

namespace wams::identity {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::wams::testing::IsOk;
using ::wams::testing::kAuditorOin;
using ::wams::testing::kGgzOin;
using ::wams::testing::kOutsiderOin;
using ::wams::testing::ReadFile;
using ::wams::testing::StatusIs;

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// What gRPC's SecureAuthContext gives the broker after a TLS handshake: the
// peer is authenticated or not, with its certificate as "x509_pem_cert".
class FakeAuthContext : public grpc::AuthContext {
 public:
  FakeAuthContext(bool authenticated, std::vector<std::string> pems)
      : authenticated_(authenticated), pems_(std::move(pems)) {}

  bool IsPeerAuthenticated() const override { return authenticated_; }
  std::vector<grpc::string_ref> GetPeerIdentity() const override { return {}; }
  std::string GetPeerIdentityPropertyName() const override { return ""; }
  std::vector<grpc::string_ref> FindPropertyValues(const std::string& name) const override {
    std::vector<grpc::string_ref> values;
    if (name == "x509_pem_cert") {
      for (const std::string& pem : pems_) values.emplace_back(pem);
    }
    return values;
  }
  // Identify reads properties by name only.
  grpc::AuthPropertyIterator begin() const override { return EmptyIterator(); }
  grpc::AuthPropertyIterator end() const override { return EmptyIterator(); }
  void AddProperty(const std::string&, const grpc::string_ref&) override {}
  bool SetPeerIdentityPropertyName(const std::string&) override { return false; }

 private:
  struct EmptyIterator : grpc::AuthPropertyIterator {};
  bool authenticated_;
  std::vector<std::string> pems_;
};

v1::Party MakeParty(const char* oin, const char* name, v1::PartyRole role) {
  v1::Party party;
  party.set_oin(oin);
  party.set_name(name);
  party.set_role(role);
  return party;
}

// --- PartyRegistry.

TEST(PartyRegistryTest, FindsConfiguredPartiesByOin) {
  v1::BrokerConfig config;
  *config.add_parties() = MakeParty(kGgzOin, "GGZ Voorbeeld", v1::PARTY_ROLE_PROVIDER);
  *config.add_parties() = MakeParty(kAuditorOin, "FG", v1::PARTY_ROLE_AUDITOR);
  absl::StatusOr<PartyRegistry> registry = PartyRegistry::Create(config);
  ASSERT_THAT(registry, IsOk());
  EXPECT_EQ(registry->size(), 2u);
  const v1::Party* ggz = registry->Find(kGgzOin);
  ASSERT_NE(ggz, nullptr);
  EXPECT_EQ(ggz->name(), "GGZ Voorbeeld");
  EXPECT_EQ(ggz->role(), v1::PARTY_ROLE_PROVIDER);
  EXPECT_EQ(registry->Find(kAuditorOin)->role(), v1::PARTY_ROLE_AUDITOR);
  EXPECT_EQ(registry->Find(kOutsiderOin), nullptr);
  EXPECT_EQ(registry->Find(""), nullptr);
  // A prefix of an OIN is no OIN.
  EXPECT_EQ(registry->Find(std::string(kGgzOin).substr(0, 19)), nullptr);
}

TEST(PartyRegistryTest, DuplicateOinIsRefusedNamingTheSecondEntry) {
  v1::BrokerConfig config;
  *config.add_parties() = MakeParty(kGgzOin, "GGZ Voorbeeld", v1::PARTY_ROLE_PROVIDER);
  *config.add_parties() = MakeParty(kAuditorOin, "FG", v1::PARTY_ROLE_AUDITOR);
  *config.add_parties() = MakeParty(kGgzOin, "GGZ again", v1::PARTY_ROLE_MUNICIPALITY);
  EXPECT_THAT(PartyRegistry::Create(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("parties[2].oin"), HasSubstr(kGgzOin))));
}

TEST(PartyRegistryTest, EmptyConfigGivesAnEmptyRegistry) {
  absl::StatusOr<PartyRegistry> registry = PartyRegistry::Create(v1::BrokerConfig());
  ASSERT_THAT(registry, IsOk());
  EXPECT_EQ(registry->size(), 0u);
  EXPECT_EQ(registry->Find(kGgzOin), nullptr);
}

// --- Authenticator.

class AuthenticatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::TempDir();
    testing::MakeDevPki(pki_->path());
    testing::IssueCertificate(pki_->path(), {.name = "revoked-ggz", .oin = kGgzOin});
    testing::IssueCertificate(
        pki_->path(), {.name = "two-oins", .oin = kGgzOin, .more_serial_numbers = {kAuditorOin}});
    testing::IssueCertificate(pki_->path(), {.name = "short-oin", .oin = "12345"});
    v1::BrokerConfig config;
    *config.add_parties() = MakeParty(kGgzOin, "GGZ Voorbeeld", v1::PARTY_ROLE_PROVIDER);
    *config.add_parties() = MakeParty(kAuditorOin, "FG", v1::PARTY_ROLE_AUDITOR);
    registry_ = new PartyRegistry(*PartyRegistry::Create(config));
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete pki_;
  }

  static std::string Pem(const std::string& name) {
    return ReadFile(pki_->path() / (name + ".crt"));
  }
  static FakeAuthContext Peer(const std::string& name) {
    return FakeAuthContext(true, {Pem(name)});
  }
  // The machine's time: the CRLs made here are dated from it.
  static const base::Clock& Clock() {
    static const base::SystemClock* const clock = new base::SystemClock();
    return *clock;
  }
  // A CRL file in `dir` listing `revoked`, loaded.
  static std::unique_ptr<CrlFile> Crl(const testing::TempDir& dir, const testing::CrlSpec& spec) {
    testing::WriteFile(dir.path() / "ca.crl", testing::MakeCrlPem(pki_->path(), spec));
    absl::StatusOr<std::unique_ptr<CrlFile>> crl = CrlFile::Load(
        dir.File("ca.crl"), (pki_->path() / "ca.crt").string(), "server_tls.crl_file", Clock());
    EXPECT_THAT(crl, IsOk());
    return crl.ok() ? *std::move(crl) : nullptr;
  }

  static testing::TempDir* pki_;
  static PartyRegistry* registry_;
  Metadata no_metadata_;
};
testing::TempDir* AuthenticatorTest::pki_ = nullptr;
PartyRegistry* AuthenticatorTest::registry_ = nullptr;

TEST_F(AuthenticatorTest, CertificateOfARegisteredPartyIdentifiesItWithItsRole) {
  Authenticator authenticator(*registry_);
  const std::string professional = "psychiater-7";
  Metadata metadata{{kProfessionalIdHeader, professional}};
  absl::StatusOr<Caller> caller = authenticator.Identify(Peer("ggz"), metadata);
  ASSERT_THAT(caller, IsOk());
  EXPECT_EQ(caller->party, registry_->Find(kGgzOin));
  EXPECT_EQ(caller->certificate_oin, kGgzOin);
  EXPECT_EQ(caller->party->role(), v1::PARTY_ROLE_PROVIDER);
  EXPECT_EQ(caller->professional_id, professional);

  absl::StatusOr<Caller> auditor = authenticator.Identify(Peer("auditor"), no_metadata_);
  ASSERT_THAT(auditor, IsOk());
  EXPECT_EQ(auditor->party->role(), v1::PARTY_ROLE_AUDITOR);
  EXPECT_TRUE(auditor->professional_id.empty());
}

TEST_F(AuthenticatorTest, PeerWithoutAVerifiedCertificateIsUnauthenticated) {
  Authenticator authenticator(*registry_);
  EXPECT_THAT(authenticator.Identify(FakeAuthContext(false, {Pem("ggz")}), no_metadata_),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("no verified")));
  EXPECT_THAT(authenticator.Identify(FakeAuthContext(true, {}), no_metadata_),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("no client certificate")));
  EXPECT_THAT(authenticator.Identify(FakeAuthContext(true, {"not a certificate"}), no_metadata_),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(AuthenticatorTest, UnknownOinIsPermissionDeniedNamingIt) {
  Authenticator authenticator(*registry_);
  // A certificate the CA issued, for a party the broker does not know (and a
  // configured party whose registry entry is missing here: the municipality).
  EXPECT_THAT(authenticator.Identify(Peer("outsider"), no_metadata_),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(HasSubstr(kOutsiderOin), HasSubstr("registry"))));
  EXPECT_THAT(authenticator.Identify(Peer("municipality"), no_metadata_),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(AuthenticatorTest, SubjectWithoutExactlyOneValidOinIsUnauthenticated) {
  Authenticator authenticator(*registry_);
  // The right OIN first and another after it is still ambiguous.
  EXPECT_THAT(authenticator.Identify(Peer("two-oins"), no_metadata_),
              StatusIs(absl::StatusCode::kUnauthenticated));
  absl::StatusOr<Caller> short_oin = authenticator.Identify(Peer("short-oin"), no_metadata_);
  EXPECT_THAT(short_oin, StatusIs(absl::StatusCode::kUnauthenticated, Not(HasSubstr("12345"))));
}

TEST_F(AuthenticatorTest, MalformedProfessionalIdIsInvalidArgumentNamingTheHeader) {
  Authenticator authenticator(*registry_);
  const std::string bad = "psychiater\n7";
  Metadata metadata{{kProfessionalIdHeader, bad}};
  EXPECT_THAT(authenticator.Identify(Peer("ggz"), metadata),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(kProfessionalIdHeader)));
}

TEST_F(AuthenticatorTest, RevokedCertificateIsUnauthenticatedNamingItsSerial) {
  testing::TempDir dir;
  Authenticator authenticator(*registry_, Crl(dir, {.revoked = {"revoked-ggz"}}));
  EXPECT_THAT(authenticator.Identify(Peer("revoked-ggz"), no_metadata_),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr(testing::SerialHexOf(pki_->path(), "revoked-ggz"))));
  // Same party, another certificate: not revoked.
  EXPECT_THAT(authenticator.Identify(Peer("ggz"), no_metadata_), IsOk());
  // Without a CRL the revoked certificate identifies its party: the refusal
  // above is the CRL's.
  EXPECT_THAT(Authenticator(*registry_).Identify(Peer("revoked-ggz"), no_metadata_), IsOk());
}

TEST_F(AuthenticatorTest, StaleCrlIsStillEnforced) {
  testing::TempDir dir;
  std::unique_ptr<CrlFile> crl = Crl(dir, {.revoked = {"revoked-ggz"},
                                           .this_update = -absl::Hours(48),
                                           .next_update = -absl::Hours(24)});
  ASSERT_NE(crl, nullptr) << "a CRL past its nextUpdate must still load";
  EXPECT_LT(crl->Current()->next_update(), absl::Now());
  Authenticator authenticator(*registry_, std::move(crl));
  EXPECT_THAT(authenticator.Identify(Peer("revoked-ggz"), no_metadata_),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(authenticator.Identify(Peer("ggz"), no_metadata_), IsOk());
}

TEST_F(AuthenticatorTest, CertificateRevokedAfterItWasSeenIsRefusedOnItsNextCall) {
  testing::TempDir dir;
  Authenticator authenticator(*registry_, Crl(dir, {}));
  // Seen (and its parse cached) before the revocation.
  ASSERT_THAT(authenticator.Identify(Peer("revoked-ggz"), no_metadata_), IsOk());
  testing::WriteFile(dir.path() / "next.crl",
                     testing::MakeCrlPem(pki_->path(), {.revoked = {"revoked-ggz"}}));
  std::filesystem::rename(dir.path() / "next.crl", dir.path() / "ca.crl");
  EXPECT_THAT(authenticator.Identify(Peer("revoked-ggz"), no_metadata_),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace wams::identity
