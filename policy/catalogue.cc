#include "policy/catalogue.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/base/oin.h"
#include "policy/internal/names.h"

namespace wams::policy {
namespace {

bool IsKnownDomain(int domain) {
  return v1::Domain_IsValid(domain) && domain != v1::DOMAIN_UNSPECIFIED;
}

// lower_snake_case: starts with a letter; letters, digits and '_' only.
bool IsMachineName(absl::string_view name) {
  if (name.empty() || !absl::ascii_islower(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) ||
           absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

absl::StatusOr<Catalogue> Catalogue::Create(
    const google::protobuf::RepeatedPtrField<v1::CategoryCatalog>& catalogs,
    const google::protobuf::RepeatedPtrField<v1::Party>& parties) {
  Catalogue out;
  std::array<bool, kDomainSlots> seen_domain{};

  for (int i = 0; i < catalogs.size(); ++i) {
    const v1::CategoryCatalog& catalog = catalogs[i];
    const int domain = catalog.domain();
    if (!IsKnownDomain(domain)) {
      return absl::InvalidArgumentError(
          absl::StrCat("catalogs[", i, "].domain: unknown domain ", domain));
    }
    if (seen_domain[domain]) {
      return absl::InvalidArgumentError(
          absl::StrCat("catalogs[", i, "].domain: ", v1::Domain_Name(catalog.domain()),
                       " has more than one catalogue"));
    }
    seen_domain[domain] = true;
    auto& map = out.by_domain_[domain];
    for (int j = 0; j < catalog.categories_size(); ++j) {
      const v1::DataCategory& category = catalog.categories(j);
      const std::string field = absl::StrCat("catalogs[", i, "].categories[", j, "].name");
      if (!IsMachineName(category.name())) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": \"", category.name(),
            "\" is not a lower_snake_case name (a letter, then letters, digits or '_')"));
      }
      if (internal::IsWildcardCategory(category.name())) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": \"", category.name(), "\" reads as a wildcard and cannot name a category"));
      }
      if (!v1::SecrecyRegime_IsValid(category.regime())) {
        return absl::InvalidArgumentError(absl::StrCat("catalogs[", i, "].categories[", j,
                                                       "].regime: unknown regime ",
                                                       static_cast<int>(category.regime())));
      }
      if (!map.emplace(category.name(), category).second) {
        return absl::InvalidArgumentError(absl::StrCat(field, ": \"", category.name(),
                                                       "\" appears twice in the catalogue of ",
                                                       v1::Domain_Name(catalog.domain())));
      }
    }
  }

  for (int i = 0; i < parties.size(); ++i) {
    const v1::Party& party = parties[i];
    const std::string prefix = absl::StrCat("parties[", i, "]");
    absl::StatusOr<base::Oin> oin = base::ParseOin(party.oin(), absl::StrCat(prefix, ".oin"));
    if (!oin.ok()) return oin.status();
    if (!IsKnownDomain(party.domain())) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, ".domain: unknown or unset domain ",
                                                     static_cast<int>(party.domain())));
    }
    if (!v1::PartyRole_IsValid(party.role()) || party.role() == v1::PARTY_ROLE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, ".role: unknown or unset role ", static_cast<int>(party.role())));
    }
    // Unset would make R17/R18 guess; the configuration must say NONE explicitly.
    if (!v1::SecrecyRegime_IsValid(party.secrecy_regime()) ||
        party.secrecy_regime() == v1::SECRECY_REGIME_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, ".secrecy_regime: unknown or unset regime ",
                       static_cast<int>(party.secrecy_regime()), " (use SECRECY_REGIME_NONE)"));
    }
    const auto& map = out.by_domain_[party.domain()];
    for (int j = 0; j < party.data_categories_size(); ++j) {
      const std::string& name = party.data_categories(j);
      if (!map.contains(name)) {
        return absl::InvalidArgumentError(absl::StrCat(prefix, ".data_categories[", j, "]: \"",
                                                       name, "\" is not in the catalogue of ",
                                                       v1::Domain_Name(party.domain())));
      }
      for (int k = 0; k < j; ++k) {
        if (party.data_categories(k) == name) {
          return absl::InvalidArgumentError(
              absl::StrCat(prefix, ".data_categories[", j, "]: \"", name, "\" is listed twice"));
        }
      }
    }
    if (!out.parties_.emplace(party.oin(), party).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, ".oin: another party has the same OIN"));
    }
  }

  // Canonical text: sorted, so configuration order does not change the digest.
  std::string& text = out.canonical_text_;
  for (int domain = 0; domain < kDomainSlots; ++domain) {
    if (!seen_domain[domain]) continue;
    absl::StrAppend(&text, "catalog ", v1::Domain_Name(static_cast<v1::Domain>(domain)), "\n");
    std::vector<const v1::DataCategory*> sorted;
    for (const auto& [name, category] : out.by_domain_[domain]) sorted.push_back(&category);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->name() < b->name(); });
    for (const v1::DataCategory* category : sorted) {
      absl::StrAppend(&text, "  category ", category->name(), " ",
                      v1::SecrecyRegime_Name(category->regime()), "\n");
    }
  }
  std::vector<const v1::Party*> sorted_parties;
  for (const auto& [oin, party] : out.parties_) sorted_parties.push_back(&party);
  std::sort(sorted_parties.begin(), sorted_parties.end(),
            [](const auto* a, const auto* b) { return a->oin() < b->oin(); });
  for (const v1::Party* party : sorted_parties) {
    std::vector<std::string> categories(party->data_categories().begin(),
                                        party->data_categories().end());
    std::sort(categories.begin(), categories.end());
    absl::StrAppend(&text, "party ", party->oin(), " ", v1::Domain_Name(party->domain()), " ",
                    v1::PartyRole_Name(party->role()), " ",
                    v1::SecrecyRegime_Name(party->secrecy_regime()),
                    party->may_process_bsn() ? " bsn" : " no-bsn", "\n");
    for (const std::string& category : categories) {
      absl::StrAppend(&text, "  offers ", category, "\n");
    }
  }
  return out;
}

const v1::DataCategory* Catalogue::Find(v1::Domain domain, absl::string_view name) const {
  const int slot = static_cast<int>(domain);
  if (slot < 0 || slot >= kDomainSlots) return nullptr;
  const auto& map = by_domain_[slot];
  auto it = map.find(name);
  return it == map.end() ? nullptr : &it->second;
}

bool Catalogue::Knows(absl::string_view name) const {
  for (const auto& map : by_domain_) {
    if (map.contains(name)) return true;
  }
  return false;
}

absl::Status Catalogue::CheckKnown(
    absl::string_view field, const google::protobuf::RepeatedPtrField<std::string>& names) const {
  for (int i = 0; i < names.size(); ++i) {
    if (!names[i].empty() && !Knows(names[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "]: \"", names[i], "\" is in no catalogue"));
    }
  }
  return absl::OkStatus();
}

bool Catalogue::Offers(const v1::Party& party, absl::string_view name) const {
  // Index loop: RepeatedPtrField<std::string>::begin() is not inlined, and this
  // runs for every requested category.
  for (int i = 0; i < party.data_categories_size(); ++i) {
    if (internal::FastEquals(party.data_categories(i), name)) {
      return Find(party.domain(), name) != nullptr;
    }
  }
  return false;
}

v1::SecrecyRegime Catalogue::EffectiveRegime(const v1::Party& party,
                                             absl::string_view category) const {
  const v1::DataCategory* found = Find(party.domain(), category);
  if (found != nullptr && found->regime() != v1::SECRECY_REGIME_UNSPECIFIED) {
    return found->regime();
  }
  return party.secrecy_regime();
}

const v1::Party* Catalogue::FindParty(absl::string_view oin) const {
  auto it = parties_.find(oin);
  return it == parties_.end() ? nullptr : &it->second;
}

}  // namespace wams::policy
