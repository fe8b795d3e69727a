#include "policy/internal/case_facts.h"

#include <algorithm>

#include "policy/internal/names.h"
#include "policy/policy.h"

namespace wams::policy {
namespace internal {

bool IsOpen(const v1::Case& c) {
  return c.phase() == v1::CASE_PHASE_AWAITING_DECISION || c.phase() == v1::CASE_PHASE_RESEARCH ||
         c.phase() == v1::CASE_PHASE_COORDINATION;
}

bool IsMunicipalityOf(const v1::Case& c, const v1::Party& party) {
  return party.role() == v1::PARTY_ROLE_MUNICIPALITY && !party.oin().empty() &&
         party.oin() == c.municipality_oin();
}

bool IsDesignatedCoordinator(const v1::Case& c, const v1::Party& party,
                             absl::string_view professional_id) {
  if (!c.coordination().has_designated() || professional_id.empty()) return false;
  const v1::DesignatedCoordinator& designated = c.coordination().designated();
  return designated.party_oin() == party.oin() && designated.professional_id() == professional_id;
}

bool IsInvolved(const v1::Case& c, absl::string_view oin) {
  for (int i = 0; i < c.involved_party_oins_size(); ++i) {
    if (FastEquals(c.involved_party_oins(i), oin)) return true;
  }
  return false;
}

bool Lists(const v1::Party& party, absl::string_view name) {
  for (int i = 0; i < party.data_categories_size(); ++i) {
    if (FastEquals(party.data_categories(i), name)) return true;
  }
  return false;
}

bool ContainsDomain(const google::protobuf::RepeatedField<int>& domains, v1::Domain domain) {
  return std::find(domains.begin(), domains.end(), static_cast<int>(domain)) != domains.end();
}

const v1::CaseClient* FindPerson(const v1::Case& c, absl::string_view bsn) {
  for (const v1::CaseClient& client : c.clients()) {
    if (FastEquals(client.bsn(), bsn)) return &client;
  }
  return nullptr;
}

const v1::CaseClient* PrimaryClient(const v1::Case& c) {
  for (const v1::CaseClient& client : c.clients()) {
    if (client.primary()) return &client;
  }
  return nullptr;
}

bool IsAllowedPurpose(v1::Purpose purpose) {
  return purpose == v1::PURPOSE_RESEARCH || purpose == v1::PURPOSE_COORDINATION ||
         purpose == v1::PURPOSE_CASE_CONFERENCE;
}

Track TrackOf(v1::Purpose purpose, const v1::Case* c) {
  switch (purpose) {
    case v1::PURPOSE_RESEARCH:
      return Track::kResearch;
    case v1::PURPOSE_COORDINATION:
      return Track::kCoordination;
    case v1::PURPOSE_CASE_CONFERENCE:
      return (c != nullptr && c->phase() == v1::CASE_PHASE_COORDINATION) ? Track::kCoordination
                                                                         : Track::kResearch;
    default:
      return Track::kNone;
  }
}

int DistinctSocialLaws(const google::protobuf::RepeatedField<int>& laws) {
  bool seen[v1::SocialLaw_ARRAYSIZE] = {};
  int count = 0;
  for (int law : laws) {
    if (law <= v1::SOCIAL_LAW_UNSPECIFIED || law >= v1::SocialLaw_ARRAYSIZE || seen[law]) continue;
    seen[law] = true;
    ++count;
  }
  return count;
}

bool IsParticipant(const v1::Conference& conference, absl::string_view oin) {
  if (oin.empty()) return false;
  if (conference.convener_oin() == oin) return true;
  return std::any_of(conference.invitations().begin(), conference.invitations().end(),
                     [oin](const v1::Invitation& inv) { return inv.party_oin() == oin; });
}

}  // namespace internal

// The two public readings of the case (declared in policy.h) live with the
// facts they read.

v1::CoordinationGround CoordinationGroundOf(const v1::Case& c) {
  const int laws = internal::DistinctSocialLaws(c.social_laws());
  if (laws >= 2) return v1::COORDINATION_GROUND_DUTY;
  const bool adjacent =
      std::any_of(c.adjacent_domains().begin(), c.adjacent_domains().end(), [](int domain) {
        return domain != v1::DOMAIN_UNSPECIFIED && domain != v1::DOMAIN_SOCIAL &&
               v1::Domain_IsValid(domain);
      });
  if (laws == 1 && adjacent) return v1::COORDINATION_GROUND_POWER;
  return v1::COORDINATION_GROUND_NONE;
}

v1::CoordinatorKind CoordinatorKindOf(const v1::Case& c) {
  if (c.coordination().has_self()) return v1::COORDINATOR_KIND_SELF;
  if (!c.coordination().has_designated()) return v1::COORDINATOR_KIND_UNSPECIFIED;
  return c.coordination().designated().party_oin() == c.municipality_oin()
             ? v1::COORDINATOR_KIND_MUNICIPALITY
             : v1::COORDINATOR_KIND_INVOLVED_PARTY;
}

}  // namespace wams::policy
