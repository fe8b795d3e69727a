#include "tests/fuzz/fuzz_world.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/config/config_loader.h"
#include "broker/ledger/note/note.h"
#include "tests/fuzz/fuzz_keys.h"

namespace wams::fuzz {
namespace {

absl::Status Step(absl::Status status, absl::string_view what) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("fuzz world: ", what, ": ", status.message()));
}

absl::StatusOr<std::string> ReadSource(const std::string& relative) {
  const std::string path = std::string(WAMS_SOURCE_DIR) + "/" + relative;
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

}  // namespace

absl::StatusOr<std::unique_ptr<FuzzWorld>> FuzzWorld::Create() {
  std::unique_ptr<FuzzWorld> world(new FuzzWorld());
  WAMS_RETURN_IF_ERROR(world->Build());
  return world;
}

FuzzWorld::~FuzzWorld() {
  // Parts before the database they borrow, the database before its files.
  exchange_.reset();
  cases_.reset();
  case_store_.reset();
  ledger_.reset();
  storage_.reset();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

identity::Caller FuzzWorld::CallerFor(const std::string& oin,
                                      const std::string& professional_id) const {
  return identity::Caller{
      .party = registry_->Find(oin), .certificate_oin = oin, .professional_id = professional_id};
}

absl::Status FuzzWorld::Build() {
  std::string pattern = (std::filesystem::temp_directory_path() / "wams-fuzz-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("fuzz world: mkdtemp failed");
  dir_ = pattern;

  WAMS_ASSIGN_OR_RETURN(std::string text, ReadSource("deploy/config/broker.example.textproto"));
  absl::StatusOr<v1::BrokerConfig> config = config::ParseBrokerConfig(text);
  WAMS_RETURN_IF_ERROR(Step(config.status(), "example config"));
  config_ = *std::move(config);
  WAMS_RETURN_IF_ERROR(Step(config::ValidateBrokerConfig(config_), "example config"));
  absl::StatusOr<identity::PartyRegistry> registry = identity::PartyRegistry::Create(config_);
  WAMS_RETURN_IF_ERROR(Step(registry.status(), "registry"));
  registry_.emplace(*std::move(registry));
  absl::StatusOr<policy::Policy> policy = policy::Policy::Create(config_);
  WAMS_RETURN_IF_ERROR(Step(policy.status(), "policy"));
  policy_.emplace(*std::move(policy));

  // Small caches: the database holds a handful of cases.
  ::wams::storage::RocksDbOptions storage_options;
  storage_options.block_cache_bytes = size_t{8} << 20;
  storage_options.write_buffer_bytes = size_t{4} << 20;
  storage_options.background_threads = 1;
  absl::StatusOr<std::unique_ptr<::wams::storage::RocksDbBackend>> storage =
      ::wams::storage::RocksDbBackend::Open(dir_ + "/db", storage_options);
  WAMS_RETURN_IF_ERROR(Step(storage.status(), "storage"));
  storage_ = *std::move(storage);
  ledger::store::LedgerOptions ledger_options;
  ledger_options.origin = kLogOrigin;
  ledger_options.checkpoint_interval = absl::ZeroDuration();  // checkpoints on demand only
  ledger_options.max_commit_delay = absl::ZeroDuration();
  ledger_options.clock = &clock_;
  absl::StatusOr<std::unique_ptr<ledger::store::Ledger>> opened = ledger::store::Ledger::Open(
      *storage_, ledger::NoteSigner(kLogOrigin, FixedKey(kLogKeySeedHex)), ledger_options);
  WAMS_RETURN_IF_ERROR(Step(opened.status(), "ledger"));
  ledger_ = *std::move(opened);
  absl::StatusOr<std::unique_ptr<subjects::SubjectKeyTable>> subject_keys =
      subjects::SubjectKeyTable::Open(*storage_, kPseudonymKey, 0);
  WAMS_RETURN_IF_ERROR(Step(subject_keys.status(), "subject keys"));
  subject_keys_ = *std::move(subject_keys);

  case_store_ = std::make_unique<cases::CaseStore>(*storage_);
  cases_ = std::make_unique<cases::CaseManager>(cases::CaseManagerDeps{
      .store = case_store_.get(),
      .ledger = ledger_.get(),
      .subject_keys = subject_keys_.get(),
      .policy = &*policy_,
      .registry = &*registry_,
      .clock = &clock_,
  });
  // Only CheckRequest is called: it neither forwards nor stores an outcome,
  // so there is no transport and no outcome store.
  exchange_ = std::make_unique<exchange::ExchangeCore>(
      exchange::ExchangeDeps{.cases = cases_.get(),
                             .involvement = cases_.get(),
                             .ledger = ledger_.get(),
                             .subject_keys = subject_keys_.get(),
                             .policy = &*policy_,
                             .registry = &*registry_,
                             .transport = nullptr,
                             .outcomes = nullptr,
                             .clock = &clock_},
      exchange_options_);
  for (const v1::Party& party : config_.parties()) {
    callers_.push_back(CallerFor(party.oin(), kCaseWorker));
  }
  return OpenCases();
}

absl::Status FuzzWorld::OpenCases() {
  const identity::Caller municipality = CallerFor(kMunicipalityOin, kCaseWorker);
  auto open_client_case = [&](absl::string_view request_id) -> absl::StatusOr<std::string> {
    v1::OpenClientCaseRequest open;
    open.set_request_id(std::string(request_id));
    open.set_client_bsn(kClientBsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    open.add_social_laws(v1::SOCIAL_LAW_JEUGDWET);
    for (v1::Domain domain : {v1::DOMAIN_MENTAL_HEALTH, v1::DOMAIN_EDUCATION, v1::DOMAIN_WELFARE,
                              v1::DOMAIN_PROBATION}) {
      open.mutable_scope()->add_domains_in(domain);
    }
    open.mutable_scope()->add_domains_out(v1::DOMAIN_POLICE);
    absl::StatusOr<v1::CaseResponse> opened = cases_->OpenClientCase(municipality, open);
    WAMS_RETURN_IF_ERROR(Step(opened.status(), "open client case"));
    const std::string case_id = opened->case_().case_id();

    v1::RecordConsentRequest consent;
    consent.set_case_id(case_id);
    consent.set_subject_bsn(kClientBsn);
    consent.set_provider_oin(kGgzOin);
    consent.add_categories("treatment_status");
    WAMS_RETURN_IF_ERROR(
        Step(cases_->RecordConsent(municipality, consent).status(), "record consent"));
    for (auto [bsn, agreed] :
         {std::pair(kAgreedFamilyBsn, true), std::pair(kRefusedFamilyBsn, false)}) {
      v1::AddFamilyMemberRequest member;
      member.set_case_id(case_id);
      member.set_bsn(bsn);
      member.set_agreed(agreed);
      WAMS_RETURN_IF_ERROR(
          Step(cases_->AddFamilyMember(municipality, member).status(), "add family member"));
    }
    return case_id;
  };

  case_ids_.resize(kCaseCount);
  WAMS_ASSIGN_OR_RETURN(case_ids_[kResearchCase], open_client_case("fuzz-research"));

  WAMS_ASSIGN_OR_RETURN(case_ids_[kCoordinationCase], open_client_case("fuzz-coordination"));
  // The team became involved by answering a request; then it may coordinate.
  v1::Receipt involving;
  involving.set_receipt_id("fuzz-involving");
  involving.set_kind(v1::RECEIPT_KIND_DECISION);
  involving.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  involving.set_case_id(case_ids_[kCoordinationCase]);
  involving.set_requester_oin(kTeamOin);
  WAMS_RETURN_IF_ERROR(
      Step(cases_->AppendInvolving(case_ids_[kCoordinationCase], kTeamOin, involving).status(),
           "mark involved"));
  v1::StartCoordinationRequest start;
  start.set_case_id(case_ids_[kCoordinationCase]);
  start.mutable_coordination()->mutable_designated()->set_party_oin(kTeamOin);
  start.mutable_coordination()->mutable_designated()->set_professional_id(kCoordinator);
  WAMS_RETURN_IF_ERROR(
      Step(cases_->StartCoordination(municipality, start).status(), "start coordination"));

  WAMS_ASSIGN_OR_RETURN(case_ids_[kClosedCase], open_client_case("fuzz-closed"));
  v1::CloseCaseRequest close;
  close.set_case_id(case_ids_[kClosedCase]);
  close.set_reason("Hulp loopt via de huisarts; geen aanpak nodig.");
  WAMS_RETURN_IF_ERROR(Step(cases_->CloseCase(municipality, close).status(), "close case"));

  const identity::Caller ggz = CallerFor(kGgzOin, "behandelaar-3");
  auto open_professional_case = [&](absl::string_view request_id) -> absl::StatusOr<std::string> {
    v1::OpenProfessionalCaseRequest open;
    open.set_request_id(std::string(request_id));
    open.set_client_bsn(kClientBsn);
    open.set_municipality_oin(kMunicipalityOin);
    open.mutable_grounds()->set_persistent_problems(true);
    open.mutable_grounds()->set_coordinated_approach_expected(true);
    open.mutable_grounds()->set_reasons(
        "Schulden en dreigende huisuitzetting naast de behandeling.");
    absl::StatusOr<v1::CaseResponse> opened = cases_->OpenProfessionalCase(ggz, open);
    WAMS_RETURN_IF_ERROR(Step(opened.status(), "open professional case"));
    return opened->case_().case_id();
  };
  WAMS_ASSIGN_OR_RETURN(case_ids_[kAwaitingCase], open_professional_case("fuzz-awaiting"));
  WAMS_ASSIGN_OR_RETURN(case_ids_[kUninformedCase], open_professional_case("fuzz-uninformed"));
  v1::DecideProfessionalRequestRequest decide;
  decide.set_case_id(case_ids_[kUninformedCase]);
  decide.set_accept(true);
  decide.set_reason("Meervoudige problematiek; onderzoek gestart.");
  decide.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  decide.add_social_laws(v1::SOCIAL_LAW_WGS);
  WAMS_RETURN_IF_ERROR(Step(cases_->DecideProfessionalRequest(municipality, decide).status(),
                            "accept professional request"));
  return absl::OkStatus();
}

}  // namespace wams::fuzz
