// CaseManager (broker/cases/case_manager.h) on its own: the real store,
// ledger, policy and registry over RocksDB in a temp dir, no gRPC. The one
// fake is at the storage seam (FaultyBackend), to make reads and writes fail.
// Covers the lifecycle (open, phase changes, close), consent record and
// withdraw, involvement, idempotent openings, bad input naming its field,
// and the codes of storage trouble.
#include "broker/cases/case_manager.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "broker/base/clock.h"
#include "broker/cases/case_store.h"
#include "broker/config/config_loader.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/ledger/store/pseudonymizer.h"
#include "broker/storage/record_keys.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/subjects/subject_key_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/policy.h"
#include "tests/storage/forwarding_backend.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace wams::cases {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::wams::testing::IsOk;
using ::wams::testing::kClientBsn;
using ::wams::testing::kFamilyBsn;
using ::wams::testing::kGgzOin;
using ::wams::testing::kMunicipalityOin;
using ::wams::testing::kOtherPersonBsn;
using ::wams::testing::kSchoolOin;
using ::wams::testing::StatusIs;

// The storage seam: forwards to RocksDB unless told to fail reads or
// writes, as an I/O error or a lost connection would (Backend: UNAVAILABLE).
// A failing backend is not writable, so the ledger waits in recovery until
// writes are allowed again. Thread-safe.
class FaultyBackend : public storage::testing::ForwardingBackend {
 public:
  using ForwardingBackend::ForwardingBackend;

  void FailReads(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_reads_ = fail;
  }
  void FailWrites(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_writes_ = fail;
  }

  absl::StatusOr<std::optional<std::string>> Get(storage::Family family,
                                                 std::string_view key) const override {
    {
      absl::MutexLock lock(&mu_);
      if (fail_reads_) return absl::UnavailableError("injected read error");
    }
    return inner_.Get(family, key);
  }
  absl::Status Write(const storage::WriteBatch& batch) const override {
    if (absl::Status health = WriteHealth(); !health.ok()) return health;
    return inner_.Write(batch);
  }
  absl::Status WriteHealth() const override {
    absl::MutexLock lock(&mu_);
    if (fail_writes_) return absl::UnavailableError("database unavailable: injected write error");
    return inner_.WriteHealth();
  }
  bool AwaitWritable(absl::Time deadline) const override {
    absl::MutexLock lock(&mu_);
    auto writable = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !fail_writes_; };
    return mu_.AwaitWithDeadline(absl::Condition(&writable), deadline);
  }

 private:
  mutable absl::Mutex mu_;
  bool fail_reads_ ABSL_GUARDED_BY(mu_) = false;
  bool fail_writes_ ABSL_GUARDED_BY(mu_) = false;
};

class CaseManagerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::TempDir();
    testing::MakeDevPki(pki_->path());
  }
  static void TearDownTestSuite() { delete pki_; }

  void SetUp() override {
    absl::StatusOr<v1::BrokerConfig> config = config::ParseBrokerConfig(absl::StrReplaceAll(
        testing::ReadFile(testing::SourcePath("deploy/config/broker.example.textproto")),
        {{"../dev-pki/", (pki_->path() / "").string()}}));
    ASSERT_THAT(config, IsOk());
    auto rocksdb = storage::RocksDbBackend::Open(dir_.File("db"), storage::RocksDbOptions{});
    ASSERT_THAT(rocksdb, IsOk());
    rocksdb_ = *std::move(rocksdb);
    backend_ = std::make_unique<FaultyBackend>(*rocksdb_);
    auto setup = ledger::store::LoadLedgerSetup(config->ledger());
    ASSERT_THAT(setup, IsOk());
    setup->options.checkpoint_interval = absl::ZeroDuration();
    auto ledger =
        ledger::store::Ledger::Open(*backend_, std::move(setup->signer), std::move(setup->options));
    ASSERT_THAT(ledger, IsOk());
    ledger_ = *std::move(ledger);
    legacy_key_ = setup->pseudonym_key;
    // As after an upgrade from the global key: the log had a leaf before
    // subject keys began, so stored legacy pseudonyms must keep matching.
    auto subject_keys = subjects::SubjectKeyTable::Open(*backend_, setup->pseudonym_key, 1);
    ASSERT_THAT(subject_keys, IsOk());
    subject_keys_ = *std::move(subject_keys);
    auto registry = identity::PartyRegistry::Create(*config);
    ASSERT_THAT(registry, IsOk());
    registry_.emplace(*std::move(registry));
    auto policy = policy::Policy::Create(*config);
    ASSERT_THAT(policy, IsOk());
    policy_.emplace(*std::move(policy));
    store_ = std::make_unique<CaseStore>(*backend_);
    cases_ = std::make_unique<CaseManager>(CaseManagerDeps{.store = store_.get(),
                                                           .ledger = ledger_.get(),
                                                           .subject_keys = subject_keys_.get(),
                                                           .policy = &*policy_,
                                                           .registry = &*registry_,
                                                           .clock = &clock_});
  }

  identity::Caller Party(const char* oin, std::string professional_id) const {
    return identity::Caller{.party = registry_->Find(oin),
                            .certificate_oin = oin,
                            .professional_id = std::move(professional_id)};
  }
  identity::Caller Municipality() const { return Party(kMunicipalityOin, "wmo-consulent-12"); }
  identity::Caller Ggz() const { return Party(kGgzOin, "psychiater-7"); }

  // Blocks until the ledger has recovered from a failed write (no sleeps:
  // its health observer says when).
  void AwaitLedgerWritable() {
    absl::Notification writable;
    ledger_->SetHealthObserver([&writable](const absl::Status& health) {
      if (health.ok() && !writable.HasBeenNotified()) writable.Notify();
    });
    writable.WaitForNotification();
    ledger_->SetHealthObserver(nullptr);
  }

  static v1::OpenClientCaseRequest ClientRequest(std::string request_id = "open-1") {
    v1::OpenClientCaseRequest open;
    open.set_request_id(std::move(request_id));
    open.set_client_bsn(kClientBsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
    return open;
  }
  static v1::OpenProfessionalCaseRequest ProfessionalRequest(std::string request_id = "prof-1") {
    v1::OpenProfessionalCaseRequest open;
    open.set_request_id(std::move(request_id));
    open.set_client_bsn(kClientBsn);
    open.set_municipality_oin(kMunicipalityOin);
    open.mutable_grounds()->set_persistent_problems(true);
    open.mutable_grounds()->set_coordinated_approach_expected(true);
    open.mutable_grounds()->set_reasons("missed appointments, rent arrears, school absence");
    return open;
  }

  // A client case opened by the municipality: its id.
  std::string OpenCase() {
    absl::StatusOr<v1::CaseResponse> opened =
        cases_->OpenClientCase(Municipality(), ClientRequest());
    EXPECT_THAT(opened, IsOk());
    return opened.ok() ? opened->case_().case_id() : "";
  }
  std::optional<v1::Case> Stored(const std::string& case_id) const {
    absl::StatusOr<std::optional<v1::Case>> found = store_->Get(case_id);
    EXPECT_THAT(found, IsOk());
    return found.ok() ? *found : std::nullopt;
  }
  absl::StatusOr<v1::CaseResponse> Consent(const std::string& case_id, const char* bsn,
                                           const char* provider, const char* category) {
    v1::RecordConsentRequest consent;
    consent.set_case_id(case_id);
    consent.set_subject_bsn(bsn);
    consent.set_provider_oin(provider);
    if (category != nullptr) consent.add_categories(category);
    return cases_->RecordConsent(Municipality(), consent);
  }
  absl::StatusOr<v1::CaseResponse> Close(const std::string& case_id, std::string reason = "done") {
    v1::CloseCaseRequest close;
    close.set_case_id(case_id);
    close.set_reason(std::move(reason));
    return cases_->CloseCase(Municipality(), close);
  }

  static testing::TempDir* pki_;
  testing::TempDir dir_;
  std::unique_ptr<storage::RocksDbBackend> rocksdb_;
  std::unique_ptr<FaultyBackend> backend_;
  std::string legacy_key_;
  std::unique_ptr<subjects::SubjectKeyTable> subject_keys_;
  std::unique_ptr<ledger::store::Ledger> ledger_;
  std::optional<identity::PartyRegistry> registry_;
  std::optional<policy::Policy> policy_;
  std::unique_ptr<CaseStore> store_;
  base::SystemClock clock_;
  std::unique_ptr<CaseManager> cases_;
};
testing::TempDir* CaseManagerTest::pki_ = nullptr;

// --- Opening.

TEST_F(CaseManagerTest, ClientCaseOpensInResearchWithItsReceiptAndNoBsnStored) {
  absl::StatusOr<v1::CaseResponse> opened = cases_->OpenClientCase(Municipality(), ClientRequest());
  ASSERT_THAT(opened, IsOk());
  const v1::Case& c = opened->case_();
  EXPECT_EQ(c.phase(), v1::CASE_PHASE_RESEARCH);
  EXPECT_EQ(c.origin(), v1::CASE_ORIGIN_CLIENT_REQUEST);
  EXPECT_EQ(c.municipality_oin(), kMunicipalityOin);
  EXPECT_TRUE(c.client_informed());
  EXPECT_EQ(c.version(), 1u);
  ASSERT_EQ(c.clients_size(), 1);
  EXPECT_TRUE(c.clients(0).primary());
  EXPECT_TRUE(c.clients(0).bsn().empty());
  EXPECT_FALSE(c.clients(0).subject_pseudonym().empty());
  EXPECT_TRUE(opened->decision().allowed());
  EXPECT_EQ(opened->receipt().leaf_index(), 0u);
  EXPECT_EQ(ledger_->TreeSize(), 1u);

  std::optional<v1::Case> stored = Stored(c.case_id());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->version(), 1u);
  EXPECT_THAT(stored->SerializeAsString(), Not(HasSubstr(kClientBsn)));
}

TEST_F(CaseManagerTest, RetriedOpeningReturnsTheSameCaseWithoutASecondReceipt) {
  absl::StatusOr<v1::CaseResponse> first = cases_->OpenClientCase(Municipality(), ClientRequest());
  ASSERT_THAT(first, IsOk());
  absl::StatusOr<v1::CaseResponse> retried =
      cases_->OpenClientCase(Municipality(), ClientRequest());
  ASSERT_THAT(retried, IsOk());
  EXPECT_EQ(retried->case_().case_id(), first->case_().case_id());
  EXPECT_EQ(ledger_->TreeSize(), 1u);

  // Another request id is another case.
  absl::StatusOr<v1::CaseResponse> other =
      cases_->OpenClientCase(Municipality(), ClientRequest("open-2"));
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(other->case_().case_id(), first->case_().case_id());
}

TEST_F(CaseManagerTest, RequestIdReusedForAnotherRequestIsRefusedNamingItAndReceipted) {
  ASSERT_THAT(cases_->OpenClientCase(Municipality(), ClientRequest()), IsOk());
  v1::OpenClientCaseRequest other = ClientRequest();
  other.set_client_bsn(kOtherPersonBsn);
  EXPECT_THAT(cases_->OpenClientCase(Municipality(), other),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_EQ(ledger_->TreeSize(), 2u) << "the refusal must be receipted";
}

TEST_F(CaseManagerTest, BadOpeningRequestsAreRefusedNamingTheFieldAndReceipted) {
  struct Case {
    std::string field;
    std::function<void(v1::OpenClientCaseRequest&)> spoil;
  };
  const std::vector<Case> table = {
      {"request_id", [](auto& r) { r.clear_request_id(); }},
      {"client_bsn", [](auto& r) { r.set_client_bsn("123456789"); }},  // fails the elfproef
      {"client_bsn", [](auto& r) { r.clear_client_bsn(); }},
      {"social_laws[1]", [](auto& r) { r.add_social_laws(v1::SOCIAL_LAW_UNSPECIFIED); }},
      {"scope.domains_in[1]",
       [](auto& r) { r.mutable_scope()->add_domains_in(v1::DOMAIN_UNSPECIFIED); }},
      {"scope.domains_out[0]",
       [](auto& r) { r.mutable_scope()->add_domains_out(v1::DOMAIN_UNSPECIFIED); }},
      {"adjacent_domains[0]", [](auto& r) { r.add_adjacent_domains(v1::DOMAIN_UNSPECIFIED); }},
  };
  uint64_t receipts = 0;
  for (const Case& c : table) {
    v1::OpenClientCaseRequest request = ClientRequest();
    c.spoil(request);
    EXPECT_THAT(cases_->OpenClientCase(Municipality(), request),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)))
        << c.field;
    EXPECT_EQ(ledger_->TreeSize(), ++receipts) << c.field << ": refusal not receipted";
  }
}

TEST_F(CaseManagerTest, OnlyAMunicipalityOpensAClientCase) {
  EXPECT_THAT(cases_->OpenClientCase(Ggz(), ClientRequest()),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("R27")));
}

TEST_F(CaseManagerTest, ProfessionalRequestAwaitsTheMunicipalitysDecision) {
  absl::StatusOr<v1::CaseResponse> opened =
      cases_->OpenProfessionalCase(Ggz(), ProfessionalRequest());
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->case_().phase(), v1::CASE_PHASE_AWAITING_DECISION);
  EXPECT_EQ(opened->case_().origin(), v1::CASE_ORIGIN_PROFESSIONAL_REQUEST);
  EXPECT_EQ(opened->case_().professional_request().requester_oin(), kGgzOin);
  const std::string case_id = opened->case_().case_id();

  v1::DecideProfessionalRequestRequest accept;
  accept.set_case_id(case_id);
  accept.set_accept(true);
  accept.set_reason("grounds are met");
  accept.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  // The requester does not decide; to it the case is not there to change.
  EXPECT_THAT(cases_->DecideProfessionalRequest(Ggz(), accept),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("case_id")));
  absl::StatusOr<v1::CaseResponse> accepted =
      cases_->DecideProfessionalRequest(Municipality(), accept);
  ASSERT_THAT(accepted, IsOk());
  EXPECT_EQ(accepted->case_().phase(), v1::CASE_PHASE_RESEARCH);
  EXPECT_TRUE(accepted->case_().professional_request().decision().accepted());
  EXPECT_EQ(accepted->case_().version(), 2u);
  // Decided once: a second decision is refused by R02, a rule of state.
  EXPECT_THAT(cases_->DecideProfessionalRequest(Municipality(), accept),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("R02")));

  // The requester reads the outcome, not the case.
  v1::GetCaseRequest get;
  get.set_case_id(case_id);
  absl::StatusOr<v1::CaseResponse> outcome = cases_->GetCase(Ggz(), get);
  ASSERT_THAT(outcome, IsOk());
  EXPECT_TRUE(outcome->case_().professional_request().decision().accepted());
  EXPECT_EQ(outcome->case_().clients_size(), 0);
}

TEST_F(CaseManagerTest, DeclinedProfessionalRequestTakesNoFurtherChanges) {
  absl::StatusOr<v1::CaseResponse> opened =
      cases_->OpenProfessionalCase(Ggz(), ProfessionalRequest());
  ASSERT_THAT(opened, IsOk());
  v1::DecideProfessionalRequestRequest decline;
  decline.set_case_id(opened->case_().case_id());
  decline.set_accept(false);
  EXPECT_THAT(cases_->DecideProfessionalRequest(Municipality(), decline),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  decline.set_reason("no coordinated approach needed");
  absl::StatusOr<v1::CaseResponse> declined =
      cases_->DecideProfessionalRequest(Municipality(), decline);
  ASSERT_THAT(declined, IsOk());
  EXPECT_EQ(declined->case_().phase(), v1::CASE_PHASE_DECLINED);
  EXPECT_THAT(Close(opened->case_().case_id()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("CASE_PHASE_DECLINED")));
}

TEST_F(CaseManagerTest, ProfessionalRequestNamesAConfiguredMunicipality) {
  v1::OpenProfessionalCaseRequest request = ProfessionalRequest();
  request.set_municipality_oin(kSchoolOin);  // a provider, not a municipality
  EXPECT_THAT(cases_->OpenProfessionalCase(Ggz(), request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("municipality_oin")));
  // Grounds without reasons fail R02, a rule of state in the class table
  // (proto/README.md, "One error model"): FAILED_PRECONDITION, although no
  // change of the case would mend the request.
  request.mutable_grounds()->clear_reasons();
  request.set_municipality_oin(kMunicipalityOin);
  EXPECT_THAT(cases_->OpenProfessionalCase(Ggz(), request),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("R02")));
  EXPECT_EQ(ledger_->TreeSize(), 2u);
}

// --- Changes and closing.

TEST_F(CaseManagerTest, ClosedCaseTakesNoFurtherChanges) {
  const std::string case_id = OpenCase();
  EXPECT_THAT(Close(case_id, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  absl::StatusOr<v1::CaseResponse> closed = Close(case_id);
  ASSERT_THAT(closed, IsOk());
  EXPECT_EQ(closed->case_().phase(), v1::CASE_PHASE_CLOSED);
  EXPECT_TRUE(closed->case_().has_closed_at());
  EXPECT_EQ(Stored(case_id)->phase(), v1::CASE_PHASE_CLOSED);

  EXPECT_THAT(Close(case_id),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("CASE_PHASE_CLOSED")));
  v1::InformClientRequest inform;
  inform.set_case_id(case_id);
  inform.set_how("letter");
  EXPECT_THAT(cases_->InformClient(Municipality(), inform),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(Consent(case_id, kClientBsn, kGgzOin, "treatment_status"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Stored(case_id)->version(), 2u) << "a refused change was stored";
}

TEST_F(CaseManagerTest, CaseIdIsRequiredAndUnknownOrForeignCasesAreAlike) {
  EXPECT_THAT(Close(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("case_id")));
  EXPECT_THAT(Close("no-such-case"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("case_id")));
  const std::string case_id = OpenCase();
  v1::CloseCaseRequest close;
  close.set_case_id(case_id);
  close.set_reason("not mine to close");
  absl::StatusOr<v1::CaseResponse> foreign = cases_->CloseCase(Ggz(), close);
  EXPECT_THAT(foreign, StatusIs(absl::StatusCode::kNotFound, HasSubstr("case_id")));
  // No oracle: the message is that of a case that does not exist.
  close.set_case_id("no-such-case");
  absl::StatusOr<v1::CaseResponse> unknown = cases_->CloseCase(Ggz(), close);
  EXPECT_EQ(absl::StrReplaceAll(foreign.status().message(), {{case_id, "ID"}}),
            absl::StrReplaceAll(unknown.status().message(), {{"no-such-case", "ID"}}));
  EXPECT_EQ(Stored(case_id)->phase(), v1::CASE_PHASE_RESEARCH);
}

TEST_F(CaseManagerTest, ScopeChangesAreValidatedAndStored) {
  const std::string case_id = OpenCase();
  v1::SetClientScopeRequest scope;
  scope.set_case_id(case_id);
  scope.mutable_scope()->add_domains_out(v1::DOMAIN_UNSPECIFIED);
  EXPECT_THAT(cases_->SetClientScope(Municipality(), scope),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scope.domains_out[0]")));
  scope.mutable_scope()->set_domains_out(0, v1::DOMAIN_EDUCATION);
  absl::StatusOr<v1::CaseResponse> set = cases_->SetClientScope(Municipality(), scope);
  ASSERT_THAT(set, IsOk());
  ASSERT_EQ(Stored(case_id)->scope().domains_out_size(), 1);
  EXPECT_EQ(Stored(case_id)->scope().domains_out(0), v1::DOMAIN_EDUCATION);
  EXPECT_THAT(set->receipt().receipt_bytes(), HasSubstr("client scope set"));
}

TEST_F(CaseManagerTest, FamilyMemberJoinsOnceWhenAgreeing) {
  const std::string case_id = OpenCase();
  v1::AddFamilyMemberRequest add;
  add.set_case_id(case_id);
  add.set_bsn(kFamilyBsn);
  add.set_agreed(false);
  absl::StatusOr<v1::CaseResponse> recorded = cases_->AddFamilyMember(Municipality(), add);
  ASSERT_THAT(recorded, IsOk());
  ASSERT_EQ(recorded->case_().clients_size(), 2);
  EXPECT_FALSE(recorded->case_().clients(1).agreed());
  // Not agreeing: not a client, so no consent of them can be recorded (R11).
  EXPECT_THAT(Consent(case_id, kFamilyBsn, kGgzOin, "treatment_status"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("R11")));

  add.set_agreed(true);
  absl::StatusOr<v1::CaseResponse> agreed = cases_->AddFamilyMember(Municipality(), add);
  ASSERT_THAT(agreed, IsOk());
  ASSERT_EQ(agreed->case_().clients_size(), 2) << "the member was added twice";
  EXPECT_TRUE(agreed->case_().clients(1).agreed());
  EXPECT_THAT(cases_->AddFamilyMember(Municipality(), add),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("bsn")));
  add.set_bsn("12345");
  EXPECT_THAT(cases_->AddFamilyMember(Municipality(), add),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bsn")));
}

// --- Consent.

TEST_F(CaseManagerTest, ConsentIsRecordedThenWithdrawnOnce) {
  const std::string case_id = OpenCase();
  absl::StatusOr<v1::CaseResponse> given =
      Consent(case_id, kClientBsn, kGgzOin, "treatment_status");
  ASSERT_THAT(given, IsOk());
  ASSERT_EQ(given->case_().consents_size(), 1);
  const v1::Consent& consent = given->case_().consents(0);
  EXPECT_EQ(consent.provider_oin(), kGgzOin);
  EXPECT_TRUE(consent.subject_bsn().empty());
  EXPECT_EQ(consent.subject_pseudonym(), given->case_().clients(0).subject_pseudonym());
  EXPECT_FALSE(consent.has_withdrawn_at());

  v1::WithdrawConsentRequest withdraw;
  withdraw.set_case_id(case_id);
  withdraw.set_consent_id(consent.consent_id());
  absl::StatusOr<v1::CaseResponse> withdrawn = cases_->WithdrawConsent(Municipality(), withdraw);
  ASSERT_THAT(withdrawn, IsOk());
  EXPECT_TRUE(withdrawn->case_().consents(0).has_withdrawn_at());
  EXPECT_TRUE(Stored(case_id)->consents(0).has_withdrawn_at());
  EXPECT_THAT(cases_->WithdrawConsent(Municipality(), withdraw),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("consent_id")));
  withdraw.set_consent_id("no-such-consent");
  EXPECT_THAT(cases_->WithdrawConsent(Municipality(), withdraw),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("consent_id")));
}

TEST_F(CaseManagerTest, BadConsentsAreRefusedNamingTheField) {
  const std::string case_id = OpenCase();
  EXPECT_THAT(Consent(case_id, "123", kGgzOin, "treatment_status"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("subject_bsn")));
  EXPECT_THAT(Consent(case_id, kClientBsn, kMunicipalityOin, "wmo_services"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("provider_oin")));
  EXPECT_THAT(Consent(case_id, kClientBsn, kGgzOin, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("categories")));
  EXPECT_THAT(Consent(case_id, kClientBsn, kGgzOin, "no_such_category"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("categories")));
  EXPECT_THAT(Consent(case_id, kClientBsn, kGgzOin, "attendance"),  // the school's
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("categories[0]")));
  // A person who is no client of the case (R11).
  EXPECT_THAT(Consent(case_id, kOtherPersonBsn, kGgzOin, "treatment_status"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("R11")));
  EXPECT_EQ(Stored(case_id)->consents_size(), 0);
}

// --- Involvement.

TEST_F(CaseManagerTest, AppendInvolvingNamesThePartyOnceWithTheReceipt) {
  const std::string case_id = OpenCase();
  v1::Receipt decision;
  decision.set_kind(v1::RECEIPT_KIND_DECISION);
  decision.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  decision.set_case_id(case_id);
  absl::StatusOr<v1::SignedReceipt> first = cases_->AppendInvolving(case_id, kGgzOin, decision);
  ASSERT_THAT(first, IsOk());
  std::optional<v1::Case> stored = Stored(case_id);
  ASSERT_EQ(stored->involved_party_oins_size(), 1);
  EXPECT_EQ(stored->involved_party_oins(0), kGgzOin);
  EXPECT_EQ(stored->version(), 2u);

  ASSERT_THAT(cases_->AppendInvolving(case_id, kGgzOin, decision), IsOk());
  EXPECT_EQ(Stored(case_id)->involved_party_oins_size(), 1);
  EXPECT_EQ(Stored(case_id)->version(), 2u) << "an involvement already known changed the case";
  EXPECT_EQ(ledger_->TreeSize(), 3u);

  EXPECT_THAT(cases_->AppendInvolving("no-such-case", kGgzOin, decision),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ledger_->TreeSize(), 3u) << "appended for a case that does not exist";
}

// --- Reading.

TEST_F(CaseManagerTest, ReadingIsReceiptedAndOthersSeeNoCase) {
  const std::string case_id = OpenCase();
  v1::GetCaseRequest get;
  get.set_case_id(case_id);
  absl::StatusOr<v1::CaseResponse> read = cases_->GetCase(Municipality(), get);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->case_().case_id(), case_id);
  EXPECT_EQ(ledger_->TreeSize(), 2u);
  EXPECT_THAT(cases_->GetCase(Ggz(), get),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("case_id")));
  EXPECT_EQ(ledger_->TreeSize(), 3u) << "the refused read must be receipted";
}

TEST_F(CaseManagerTest, SnapshotReidentifiesOnlyTheNamedSubject) {
  const std::string case_id = OpenCase();
  v1::AddFamilyMemberRequest add;
  add.set_case_id(case_id);
  add.set_bsn(kFamilyBsn);
  add.set_agreed(true);
  ASSERT_THAT(cases_->AddFamilyMember(Municipality(), add), IsOk());
  absl::StatusOr<std::optional<v1::Case>> snapshot = cases_->Snapshot(case_id, kClientBsn);
  ASSERT_THAT(snapshot, IsOk());
  ASSERT_TRUE(snapshot->has_value());
  ASSERT_EQ((*snapshot)->clients_size(), 2);
  EXPECT_EQ((*snapshot)->clients(0).bsn(), kClientBsn);
  EXPECT_TRUE((*snapshot)->clients(1).bsn().empty());
  absl::StatusOr<std::optional<v1::Case>> none = cases_->Snapshot("no-such-case", kClientBsn);
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
}

TEST_F(CaseManagerTest, ClientsStoredUnderTheLegacyKeyStillMatchTheirBsn) {
  // A case stored before subject keys: its client under the global key.
  const std::string case_id = OpenCase();
  v1::Case stored = *Stored(case_id);
  const std::string own = stored.clients(0).subject_pseudonym();
  const std::string legacy =
      ledger::store::Pseudonymizer::Create(legacy_key_)->Pseudonymize(kClientBsn);
  ASSERT_NE(own, legacy);
  stored.mutable_clients(0)->set_subject_pseudonym(legacy);
  storage::WriteBatch rewrite;
  rewrite.Put(storage::Family::kCases, storage::CaseKey(case_id), stored.SerializeAsString());
  ASSERT_THAT(backend_->Write(rewrite), IsOk());

  // The snapshot reidentifies the client, a consent is recorded under the
  // pseudonym the client is stored under, and the client does not join twice.
  absl::StatusOr<std::optional<v1::Case>> snapshot = cases_->Snapshot(case_id, kClientBsn);
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_EQ((*snapshot)->clients(0).bsn(), kClientBsn);
  absl::StatusOr<v1::CaseResponse> given =
      Consent(case_id, kClientBsn, kGgzOin, "treatment_status");
  ASSERT_THAT(given, IsOk());
  EXPECT_EQ(given->case_().consents(0).subject_pseudonym(), legacy);
  v1::AddFamilyMemberRequest add;
  add.set_case_id(case_id);
  add.set_bsn(kClientBsn);
  add.set_agreed(true);
  EXPECT_THAT(cases_->AddFamilyMember(Municipality(), add),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

// --- Storage trouble.

TEST_F(CaseManagerTest, ReadErrorIsUnavailable) {
  const std::string case_id = OpenCase();
  backend_->FailReads(true);
  v1::GetCaseRequest get;
  get.set_case_id(case_id);
  EXPECT_THAT(cases_->GetCase(Municipality(), get), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(Close(case_id), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(cases_->OpenClientCase(Municipality(), ClientRequest("open-2")),
              StatusIs(absl::StatusCode::kUnavailable));
  backend_->FailReads(false);
  EXPECT_EQ(Stored(case_id)->phase(), v1::CASE_PHASE_RESEARCH);
}

TEST_F(CaseManagerTest, WriteErrorIsUnavailableAndStoresNeitherCaseNorRequestId) {
  // The client's subject key exists (made by an earlier request), so the
  // failing write is the case's own.
  ASSERT_THAT(subject_keys_->Pseudonymize(kClientBsn), IsOk());
  backend_->FailWrites(true);
  EXPECT_THAT(cases_->OpenClientCase(Municipality(), ClientRequest()),
              StatusIs(absl::StatusCode::kUnavailable));
  absl::StatusOr<std::optional<base::BoundValue>> opened =
      store_->FindOpened(kMunicipalityOin, "open-1");
  ASSERT_THAT(opened, IsOk());
  EXPECT_FALSE(opened->has_value());
  EXPECT_EQ(ledger_->TreeSize(), 0u);

  // Once the store takes writes again (the ledger recovers by itself), the
  // same request opens the case.
  backend_->FailWrites(false);
  AwaitLedgerWritable();
  absl::StatusOr<v1::CaseResponse> retried =
      cases_->OpenClientCase(Municipality(), ClientRequest());
  ASSERT_THAT(retried, IsOk());
  EXPECT_EQ(ledger_->TreeSize(), 1u);
}

TEST_F(CaseManagerTest, DamagedCaseRecordIsDataLoss) {
  const std::string case_id = OpenCase();
  storage::WriteBatch damage;
  damage.Put(storage::Family::kCases, storage::CaseKey(case_id), "\xff\xff not a case");
  ASSERT_THAT(rocksdb_->Write(damage), IsOk());
  EXPECT_THAT(store_->Get(case_id), StatusIs(absl::StatusCode::kDataLoss, HasSubstr(case_id)));
  v1::GetCaseRequest get;
  get.set_case_id(case_id);
  EXPECT_THAT(cases_->GetCase(Municipality(), get), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Close(case_id), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace wams::cases
