// policy_test_util.h: a small, fixed world for the policy tests: a
// municipality, providers in several domains and regimes, an auditor, their
// catalogue, and cases in each phase. Tests start from these and change one
// thing, so each test shows exactly which fact decides.
#ifndef WAMS_TESTS_POLICY_POLICY_TEST_UTIL_H_
#define WAMS_TESTS_POLICY_POLICY_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "policy/policy.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::policy::testing {

namespace v1 = ::wams::broker::v1;

inline constexpr char kMunicipalityOin[] = "00000001001234567000";
inline constexpr char kOtherMunicipalityOin[] = "00000001009999999000";
inline constexpr char kGgzOin[] = "00000003271234560000";
inline constexpr char kSchoolOin[] = "00000004111111110000";
inline constexpr char kPoliceOin[] = "00000001003214345000";
inline constexpr char kProbationOin[] = "00000003123456780000";
inline constexpr char kYouthCareOin[] = "00000003555555550000";
inline constexpr char kHousingOin[] = "00000005123123120000";
inline constexpr char kAuditorOin[] = "00000001800000000000";

// Valid BSNs (elfproef holds).
inline constexpr char kClientBsn[] = "111222333";         // primary client
inline constexpr char kAgreedFamilyBsn[] = "123456782";   // family member who agreed
inline constexpr char kRefusedFamilyBsn[] = "799642630";  // family member who did not agree
inline constexpr char kStrangerBsn[] = "578230859";       // not in the case

inline constexpr char kProfessional[] = "prof-1";
inline constexpr char kCoordinator[] = "coord-7";

inline v1::Party MakeParty(absl::string_view oin, absl::string_view name, v1::Domain domain,
                           v1::PartyRole role, v1::SecrecyRegime regime, bool may_process_bsn,
                           std::vector<std::string> categories) {
  v1::Party party;
  party.set_oin(std::string(oin));
  party.set_name(std::string(name));
  party.set_domain(domain);
  party.set_role(role);
  party.set_secrecy_regime(regime);
  party.set_may_process_bsn(may_process_bsn);
  for (std::string& category : categories) party.add_data_categories(std::move(category));
  return party;
}

inline void AddCatalog(v1::BrokerConfig& config, v1::Domain domain,
                       std::vector<std::pair<std::string, v1::SecrecyRegime>> categories) {
  v1::CategoryCatalog* catalog = config.add_catalogs();
  catalog->set_domain(domain);
  for (auto& [name, regime] : categories) {
    v1::DataCategory* category = catalog->add_categories();
    category->set_name(name);
    category->set_description("test category " + name);
    category->set_regime(regime);
  }
}

// The registry and catalogue every policy test uses.
inline v1::BrokerConfig MakeConfig() {
  v1::BrokerConfig config;
  AddCatalog(config, v1::DOMAIN_SOCIAL,
             {{"benefits_history", v1::SECRECY_REGIME_UNSPECIFIED},
              {"wmo_services", v1::SECRECY_REGIME_UNSPECIFIED}});
  AddCatalog(config, v1::DOMAIN_MENTAL_HEALTH,
             {{"treatment_summary", v1::SECRECY_REGIME_UNSPECIFIED},  // party regime: medical
              {"appointments", v1::SECRECY_REGIME_NONE}});
  AddCatalog(config, v1::DOMAIN_EDUCATION,
             {{"attendance", v1::SECRECY_REGIME_UNSPECIFIED},
              {"care_plan", v1::SECRECY_REGIME_YOUTH_CARE_SKJ}});
  AddCatalog(config, v1::DOMAIN_POLICE, {{"incidents", v1::SECRECY_REGIME_UNSPECIFIED}});
  AddCatalog(config, v1::DOMAIN_PROBATION, {{"supervision", v1::SECRECY_REGIME_UNSPECIFIED}});
  AddCatalog(config, v1::DOMAIN_WELFARE, {{"youth_care_plan", v1::SECRECY_REGIME_UNSPECIFIED}});
  AddCatalog(config, v1::DOMAIN_HOUSING, {{"rent_arrears", v1::SECRECY_REGIME_UNSPECIFIED}});
  *config.add_parties() = MakeParty(kMunicipalityOin, "Gemeente Utrecht", v1::DOMAIN_SOCIAL,
                                    v1::PARTY_ROLE_MUNICIPALITY, v1::SECRECY_REGIME_NONE, true,
                                    {"benefits_history", "wmo_services"});
  *config.add_parties() =
      MakeParty(kGgzOin, "GGZ Noord", v1::DOMAIN_MENTAL_HEALTH, v1::PARTY_ROLE_PROVIDER,
                v1::SECRECY_REGIME_MEDICAL, true, {"treatment_summary", "appointments"});
  *config.add_parties() =
      MakeParty(kSchoolOin, "Het Lyceum", v1::DOMAIN_EDUCATION, v1::PARTY_ROLE_PROVIDER,
                v1::SECRECY_REGIME_NONE, false, {"attendance", "care_plan"});
  *config.add_parties() =
      MakeParty(kPoliceOin, "Politie Midden-Nederland", v1::DOMAIN_POLICE, v1::PARTY_ROLE_PROVIDER,
                v1::SECRECY_REGIME_POLICE_WPG, true, {"incidents"});
  *config.add_parties() =
      MakeParty(kProbationOin, "Reclassering", v1::DOMAIN_PROBATION, v1::PARTY_ROLE_PROVIDER,
                v1::SECRECY_REGIME_JUSTICE_WJSG, true, {"supervision"});
  *config.add_parties() =
      MakeParty(kYouthCareOin, "Jeugdhulp West", v1::DOMAIN_WELFARE, v1::PARTY_ROLE_PROVIDER,
                v1::SECRECY_REGIME_YOUTH_CARE_SKJ, true, {"youth_care_plan"});
  *config.add_parties() =
      MakeParty(kHousingOin, "Woningcorporatie", v1::DOMAIN_HOUSING, v1::PARTY_ROLE_PROVIDER,
                v1::SECRECY_REGIME_NONE, false, {"rent_arrears"});
  *config.add_parties() =
      MakeParty(kAuditorOin, "Functionaris gegevensbescherming", v1::DOMAIN_SOCIAL,
                v1::PARTY_ROLE_AUDITOR, v1::SECRECY_REGIME_NONE, false, {});
  return config;
}

inline const Policy& TestPolicy() {
  static const Policy* const policy = [] {
    absl::StatusOr<Policy> created = Policy::Create(MakeConfig());
    if (!created.ok()) {
      ADD_FAILURE() << created.status();
      std::abort();
    }
    return new Policy(*std::move(created));
  }();
  return *policy;
}

inline const v1::Party& PartyByOin(absl::string_view oin) {
  const v1::Party* party = TestPolicy().catalogue().FindParty(oin);
  if (party == nullptr) {
    ADD_FAILURE() << "no test party " << oin;
    std::abort();
  }
  return *party;
}

inline void AddClient(v1::Case& c, absl::string_view bsn, bool primary, bool agreed) {
  v1::CaseClient* client = c.add_clients();
  client->set_bsn(std::string(bsn));
  client->set_primary(primary);
  client->set_agreed(agreed);
}

inline v1::Consent* AddConsent(v1::Case& c, absl::string_view id, absl::string_view bsn,
                               absl::string_view provider, std::vector<std::string> categories) {
  v1::Consent* consent = c.add_consents();
  consent->set_consent_id(std::string(id));
  consent->set_subject_bsn(std::string(bsn));
  consent->set_provider_oin(std::string(provider));
  for (std::string& category : categories) consent->add_categories(std::move(category));
  consent->mutable_given_at()->set_seconds(1700000000);
  return consent;
}

// A client-initiated case in research: primary client, one family member who
// agreed and one who did not; GGZ, education, police, probation and welfare in
// scope, housing excluded; consent of the client for GGZ treatment summaries;
// two social-domain laws (coordination is a duty).
inline v1::Case ResearchCase() {
  v1::Case c;
  c.set_case_id("0190c5a0-0000-7000-8000-000000000001");
  c.set_municipality_oin(kMunicipalityOin);
  c.set_origin(v1::CASE_ORIGIN_CLIENT_REQUEST);
  c.set_phase(v1::CASE_PHASE_RESEARCH);
  AddClient(c, kClientBsn, true, true);
  AddClient(c, kAgreedFamilyBsn, false, true);
  AddClient(c, kRefusedFamilyBsn, false, false);
  for (v1::Domain d : {v1::DOMAIN_MENTAL_HEALTH, v1::DOMAIN_EDUCATION, v1::DOMAIN_POLICE,
                       v1::DOMAIN_PROBATION, v1::DOMAIN_WELFARE}) {
    c.mutable_scope()->add_domains_in(d);
  }
  c.mutable_scope()->add_domains_out(v1::DOMAIN_HOUSING);
  AddConsent(c, "consent-1", kClientBsn, kGgzOin, {"treatment_summary"});
  c.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  c.add_social_laws(v1::SOCIAL_LAW_JEUGDWET);
  c.add_adjacent_domains(v1::DOMAIN_MENTAL_HEALTH);
  c.add_involved_party_oins(kGgzOin);
  c.add_involved_party_oins(kSchoolOin);
  c.set_version(7);
  return c;
}

// The same case in coordination, with a professional of the school designated
// as coordinator.
inline v1::Case CoordinationCase() {
  v1::Case c = ResearchCase();
  c.set_phase(v1::CASE_PHASE_COORDINATION);
  v1::DesignatedCoordinator* designated = c.mutable_coordination()->mutable_designated();
  designated->set_party_oin(kSchoolOin);
  designated->set_professional_id(kCoordinator);
  return c;
}

// What identifies the client to a party that may not process the BSN (R19):
// the party's own client number. Every Scenario carries it, so that requests
// to the school (which may not process the BSN here) pass R19 unless a test
// takes it away.
inline v1::SubjectDetails ClientNumberDetails() {
  v1::SubjectDetails details;
  details.set_party_client_number("LYC-4471");
  return details;
}

// The other way (R19): family name, date of birth, postal code and house
// number (given names are optional).
inline v1::SubjectDetails NameAndAddressDetails() {
  v1::SubjectDetails details;
  details.set_family_name("de Vries");
  details.set_given_names("Anna");
  details.set_date_of_birth("1984-06-02");
  details.set_postal_code("3511 AB");
  details.set_house_number("12");
  return details;
}

// A request as the tests vary it; Input() views into it, so keep it alive.
struct Scenario {
  bool has_case = true;
  v1::Case case_snapshot = ResearchCase();
  bool has_requester = true;
  v1::Party requester = PartyByOin(kMunicipalityOin);
  std::string professional_id = kProfessional;
  bool has_target = true;
  v1::Party target = PartyByOin(kGgzOin);
  RequestKind kind = RequestKind::kDataRequest;
  v1::Purpose purpose = v1::PURPOSE_RESEARCH;
  std::string subject_bsn = kClientBsn;
  v1::SubjectDetails subject_details = ClientNumberDetails();
  std::vector<std::string> categories = {"treatment_summary"};
  std::string justification = "Welke behandeling loopt er en hangt die samen met de schulden?";
  v1::Language language = v1::LANGUAGE_ENGLISH;

  DecisionInput Input() const {
    DecisionInput in;
    in.case_snapshot = has_case ? &case_snapshot : nullptr;
    in.requester = has_requester ? &requester : nullptr;
    in.professional_id = professional_id;
    in.target = has_target ? &target : nullptr;
    in.kind = kind;
    in.purpose = purpose;
    in.subject_bsn = subject_bsn;
    in.subject_details = &subject_details;
    in.categories = categories;
    in.justification = justification;
    in.language = language;
    return in;
  }

  // Turns this into a coordination request by the designated coordinator.
  void MakeCoordination() {
    case_snapshot = CoordinationCase();
    requester = PartyByOin(kSchoolOin);
    professional_id = kCoordinator;
    purpose = v1::PURPOSE_COORDINATION;
  }
};

// The result for `rule_id`, or nullptr.
inline const v1::RuleResult* FindRule(const v1::Decision& decision, absl::string_view rule_id) {
  for (const v1::RuleResult& rule : decision.rules()) {
    if (rule.rule_id() == rule_id) return &rule;
  }
  return nullptr;
}

inline const v1::Obligation* FindObligation(const v1::Decision& decision, v1::ObligationKind kind) {
  for (const v1::Obligation& obligation : decision.obligations()) {
    if (obligation.kind() == kind) return &obligation;
  }
  return nullptr;
}

inline bool HasFailed(const v1::Decision& decision, absl::string_view rule_id) {
  for (const std::string& id : decision.failed_rule_ids()) {
    if (id == rule_id) return true;
  }
  return false;
}

}  // namespace wams::policy::testing

#endif  // WAMS_TESTS_POLICY_POLICY_TEST_UTIL_H_
