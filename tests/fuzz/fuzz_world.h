// fuzz_world.h: the broker's request-handling parts, wired as in
// broker_server.cc, over a real RocksDB database in a temp dir: the example
// config's party registry and policy, a receipt log signed with the fixed
// fuzz key, the case manager and the exchange core. A few realistic cases
// are opened through the case manager (so they are stored, pseudonymised and
// receipted exactly as in production). The request fuzzer asks the exchange
// core about them (each dry run is receipted, as in the broker); the seed
// generator exports their receipt log.
//
//   absl::StatusOr<std::unique_ptr<FuzzWorld>> world = FuzzWorld::Create();
//   (*world)->exchange().CheckRequest((*world)->callers()[0], request, {},
//                                     [](absl::StatusOr<v1::CheckResponse> r) { ... });
//
// The temp dir is removed when the world is destroyed. Not thread-safe to
// create; the parts are as thread-safe as in the broker.
#ifndef WAMS_TESTS_FUZZ_FUZZ_WORLD_H_
#define WAMS_TESTS_FUZZ_FUZZ_WORLD_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/cases/case_manager.h"
#include "broker/cases/case_store.h"
#include "broker/exchange/exchange_core.h"
#include "broker/identity/caller_identity.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/subjects/subject_key_table.h"
#include "policy/policy.h"
#include "tests/testing/fake_clock.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::fuzz {

namespace v1 = ::wams::broker::v1;

// Parties of deploy/config/broker.example.textproto.
inline constexpr char kMunicipalityOin[] = "00000001001234567000";
inline constexpr char kTeamOin[] = "00000003123456780000";
inline constexpr char kGgzOin[] = "00000003234567890000";
inline constexpr char kSchoolOin[] = "00000003345678900000";
inline constexpr char kPoliceOin[] = "00000001003214345000";
inline constexpr char kProbationOin[] = "00000003456789010000";
inline constexpr char kAuditorOin[] = "00000001004567890000";

// Dev test BSNs (the elfproef holds; nobody's real number).
inline constexpr char kClientBsn[] = "111222333";
inline constexpr char kAgreedFamilyBsn[] = "123456782";
inline constexpr char kRefusedFamilyBsn[] = "999990019";

inline constexpr char kCaseWorker[] = "wmo-consulent-12";
inline constexpr char kCoordinator[] = "regisseur-7";

// The stored cases, by their index in FuzzWorld::case_ids().
enum CaseIndex {
  kResearchCase = 0,      // client request, research, consent for GGZ, two family members,
                          // police out of scope
  kCoordinationCase = 1,  // the same, in coordination by the team's coordinator
  kClosedCase = 2,        // closed
  kAwaitingCase = 3,      // a professional (GGZ) request awaiting the municipality
  kUninformedCase = 4,    // a professional request accepted, client not yet informed
  kCaseCount = 5,
};

class FuzzWorld {
 public:
  // Builds the world in a fresh temp dir. The error names the step that failed.
  static absl::StatusOr<std::unique_ptr<FuzzWorld>> Create();
  ~FuzzWorld();
  FuzzWorld(const FuzzWorld&) = delete;
  FuzzWorld& operator=(const FuzzWorld&) = delete;

  const v1::BrokerConfig& config() const { return config_; }
  const identity::PartyRegistry& registry() const { return *registry_; }
  const policy::Policy& policy() const { return *policy_; }
  ledger::store::Ledger& ledger() { return *ledger_; }
  cases::CaseManager& cases() { return *cases_; }
  exchange::ExchangeCore& exchange() { return *exchange_; }
  const exchange::ExchangeOptions& exchange_options() const { return exchange_options_; }

  // Every registered party as a caller, each with kCaseWorker as professional.
  const std::vector<identity::Caller>& callers() const { return callers_; }
  // The caller for `oin` (must be registered).
  identity::Caller CallerFor(const std::string& oin, const std::string& professional_id) const;
  // Ids of the stored cases, indexed by CaseIndex.
  const std::vector<std::string>& case_ids() const { return case_ids_; }

 private:
  FuzzWorld() = default;
  absl::Status Build();
  absl::Status OpenCases();

  std::string dir_;
  // A fixed time: receipts and cases do not depend on when the fuzzer runs.
  testing::FakeClock clock_{absl::FromUnixSeconds(1'767'225'600)};
  v1::BrokerConfig config_;
  std::optional<identity::PartyRegistry> registry_;
  std::optional<policy::Policy> policy_;
  std::unique_ptr<::wams::storage::RocksDbBackend> storage_;
  std::unique_ptr<ledger::store::Ledger> ledger_;
  std::unique_ptr<subjects::SubjectKeyTable> subject_keys_;
  std::unique_ptr<cases::CaseStore> case_store_;
  std::unique_ptr<cases::CaseManager> cases_;
  exchange::ExchangeOptions exchange_options_;
  std::unique_ptr<exchange::ExchangeCore> exchange_;
  std::vector<identity::Caller> callers_;
  std::vector<std::string> case_ids_;
};

}  // namespace wams::fuzz

#endif  // WAMS_TESTS_FUZZ_FUZZ_WORLD_H_
