// random_world.h: random cases, parties and requests for the property tests.
// Biased towards plausible values so that a fair share of requests is allowed
// and every invariant is exercised both ways. Deterministic for a given seed.
#ifndef WAMS_TESTS_POLICY_RANDOM_WORLD_H_
#define WAMS_TESTS_POLICY_RANDOM_WORLD_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "tests/policy/policy_test_util.h"

namespace wams::policy::testing {

class RandomWorld {
 public:
  explicit RandomWorld(uint64_t seed) : rng_(seed) {
    for (int i = 0; i < 8; ++i) bsns_.push_back(MakeBsn());
    for (const char* oin : {kMunicipalityOin, kGgzOin, kSchoolOin, kPoliceOin, kProbationOin,
                            kYouthCareOin, kHousingOin, kAuditorOin}) {
      parties_.push_back(PartyByOin(oin));
    }
    other_municipality_ = PartyByOin(kMunicipalityOin);
    other_municipality_.set_oin(kOtherMunicipalityOin);
  }

  // Fills `s` with a fresh random case and request.
  void Fill(Scenario& s) {
    s = Scenario();
    s.has_case = Chance(0.92);
    s.case_snapshot = RandomCase();
    const v1::Case& c = s.case_snapshot;

    // Requester: mostly the municipality or the party of the designated coordinator.
    const double who = Uniform();
    if (who < 0.45) {
      s.requester = PartyByOin(kMunicipalityOin);
    } else if (who < 0.75 && c.coordination().has_designated()) {
      s.requester = *Find(c.coordination().designated().party_oin());
    } else if (who < 0.80) {
      s.requester = other_municipality_;
    } else {
      s.requester = Pick(parties_);
    }
    s.has_requester = Chance(0.98);
    const double prof = Uniform();
    if (prof < 0.6) {
      s.professional_id = (c.coordination().has_designated() && Chance(0.6))
                              ? c.coordination().designated().professional_id()
                              : kProfessional;
    } else if (prof < 0.95) {
      s.professional_id = kCoordinator;
    } else {
      s.professional_id.clear();
    }

    s.target = Pick(parties_);
    s.has_target = Chance(0.98);
    s.kind = Chance(0.15) ? RequestKind::kShareData : RequestKind::kDataRequest;

    const double purpose = Uniform();
    s.purpose = purpose < 0.40   ? v1::PURPOSE_RESEARCH
                : purpose < 0.70 ? v1::PURPOSE_COORDINATION
                : purpose < 0.80 ? v1::PURPOSE_CASE_CONFERENCE
                : purpose < 0.88 ? v1::PURPOSE_CRIMINAL_INVESTIGATION
                : purpose < 0.96 ? v1::PURPOSE_FRAUD_CONTROL
                                 : v1::PURPOSE_UNSPECIFIED;

    const double subject = Uniform();
    if (subject < 0.80 && c.clients_size() > 0) {
      s.subject_bsn = c.clients(Index(c.clients_size())).bsn();
    } else if (subject < 0.93) {
      s.subject_bsn = Pick(bsns_);
    } else {
      s.subject_bsn = Chance(0.5) ? "123456789" : "*";
    }

    const v1::Party& offerer = s.kind == RequestKind::kShareData ? s.requester : s.target;
    s.categories.clear();
    const double cats = Uniform();
    if (cats < 0.85 && offerer.data_categories_size() > 0) {
      const int n = 1 + Index(offerer.data_categories_size());
      std::vector<std::string> offered(offerer.data_categories().begin(),
                                       offerer.data_categories().end());
      std::shuffle(offered.begin(), offered.end(), rng_);
      offered.resize(n);
      s.categories = offered;
    } else if (cats < 0.92) {
      s.categories = {"incidents", "attendance"};
    } else if (cats < 0.96) {
      s.categories = {"*"};
    }
    if (Chance(0.04)) s.justification.clear();
    s.language = Chance(0.5) ? v1::LANGUAGE_DUTCH : v1::LANGUAGE_ENGLISH;
  }

  const std::vector<std::string>& bsns() const { return bsns_; }

 private:
  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  bool Chance(double p) { return Uniform() < p; }
  int Index(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Index(static_cast<int>(items.size()))];
  }

  const v1::Party* Find(const std::string& oin) const {
    for (const v1::Party& party : parties_) {
      if (party.oin() == oin) return &party;
    }
    return &parties_.front();
  }

  // A BSN that passes the elfproef: pick eight digits, derive the ninth.
  std::string MakeBsn() {
    while (true) {
      std::string digits;
      int sum = 0;
      for (int i = 0; i < 8; ++i) {
        const int d = std::uniform_int_distribution<int>(i == 0 ? 1 : 0, 9)(rng_);
        digits.push_back(static_cast<char>('0' + d));
        sum += (9 - i) * d;
      }
      const int last = sum % 11;
      if (last == 10 || sum == last) continue;  // no digit fits, or the sum would be 0
      digits.push_back(static_cast<char>('0' + last));
      return digits;
    }
  }

  v1::Case RandomCase() {
    v1::Case c;
    c.set_case_id("case-random");
    c.set_municipality_oin(Chance(0.92) ? kMunicipalityOin : kOtherMunicipalityOin);
    const bool professional = Chance(0.35);
    c.set_origin(professional ? v1::CASE_ORIGIN_PROFESSIONAL_REQUEST
                              : v1::CASE_ORIGIN_CLIENT_REQUEST);
    if (professional) {
      v1::ProfessionalRequest* request = c.mutable_professional_request();
      request->set_requester_oin(kSchoolOin);
      if (Chance(0.85)) request->mutable_decision()->set_accepted(Chance(0.95));
      c.set_client_informed(Chance(0.85));
    }
    const double phase = Uniform();
    c.set_phase(phase < 0.45   ? v1::CASE_PHASE_RESEARCH
                : phase < 0.80 ? v1::CASE_PHASE_COORDINATION
                : phase < 0.87 ? v1::CASE_PHASE_AWAITING_DECISION
                : phase < 0.95 ? v1::CASE_PHASE_CLOSED
                               : v1::CASE_PHASE_DECLINED);
    std::vector<std::string> people = bsns_;
    std::shuffle(people.begin(), people.end(), rng_);
    const int family = Index(4);
    for (int i = 0; i <= family; ++i) AddClient(c, people[i], i == 0, i == 0 || Chance(0.7));
    for (v1::Domain d :
         {v1::DOMAIN_MENTAL_HEALTH, v1::DOMAIN_EDUCATION, v1::DOMAIN_POLICE, v1::DOMAIN_PROBATION,
          v1::DOMAIN_WELFARE, v1::DOMAIN_HOUSING, v1::DOMAIN_SOCIAL}) {
      if (Chance(0.75)) c.mutable_scope()->add_domains_in(d);
      if (Chance(0.12)) c.mutable_scope()->add_domains_out(d);
    }
    const int consents = Index(6);
    for (int i = 0; i < consents; ++i) {
      const v1::Party& provider = Pick(parties_);
      std::vector<std::string> categories(provider.data_categories().begin(),
                                          provider.data_categories().end());
      v1::Consent* consent =
          AddConsent(c, "consent-" + std::to_string(i), c.clients(Index(c.clients_size())).bsn(),
                     provider.oin(), categories);
      if (Chance(0.2)) consent->mutable_withdrawn_at()->set_seconds(1700000500);
    }
    const int laws = Index(4);
    for (int i = 0; i < laws; ++i) c.add_social_laws(static_cast<v1::SocialLaw>(1 + Index(4)));
    if (Chance(0.6)) c.add_adjacent_domains(v1::DOMAIN_MENTAL_HEALTH);
    const double coordination = Uniform();
    if (coordination < 0.75) {
      v1::DesignatedCoordinator* designated = c.mutable_coordination()->mutable_designated();
      const char* oins[] = {kMunicipalityOin, kSchoolOin, kGgzOin};
      designated->set_party_oin(oins[Index(3)]);
      designated->set_professional_id(Chance(0.7) ? kCoordinator : kProfessional);
    } else if (coordination < 0.88) {
      c.mutable_coordination()->mutable_self()->set_by("client");
    }
    for (const v1::Party& party : parties_) {
      if (Chance(0.5)) c.add_involved_party_oins(party.oin());
    }
    return c;
  }

  std::mt19937_64 rng_;
  std::vector<std::string> bsns_;
  std::vector<v1::Party> parties_;
  v1::Party other_municipality_;
};

}  // namespace wams::policy::testing

#endif  // WAMS_TESTS_POLICY_RANDOM_WORLD_H_
