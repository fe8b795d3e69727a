#include "policy/internal/consents.h"

#include <cstddef>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "policy/internal/names.h"

namespace wams::policy::internal {

bool NeedsConsentOrGoodCare(v1::SecrecyRegime regime) {
  return regime == v1::SECRECY_REGIME_MEDICAL || regime == v1::SECRECY_REGIME_YOUTH_CARE_SKJ ||
         regime == v1::SECRECY_REGIME_UNSPECIFIED;
}

bool NeedsLegalBasis(v1::SecrecyRegime regime) {
  return regime == v1::SECRECY_REGIME_POLICE_WPG || regime == v1::SECRECY_REGIME_JUSTICE_WJSG;
}

ConsentList ConsentsOf(const v1::Case& c, const SubjectKey& subject,
                       absl::string_view provider_oin) {
  ConsentList out;
  if (subject.empty()) return out;
  for (const v1::Consent& consent : c.consents()) {
    if (consent.has_withdrawn_at()) continue;
    if (!subject.Matches(consent) || !FastEquals(consent.provider_oin(), provider_oin)) {
      continue;
    }
    out.push_back(&consent);
  }
  return out;
}

// Small requests compare directly; larger ones index the requested categories
// once so each covered category costs one hash lookup instead of a scan (a
// case can hold hundreds of consents).
ConsentIds ResolveConsents(const ConsentList& consents, const CategoryList& categories) {
  const std::size_t count = categories.size();
  ConsentIds ids(count, nullptr);
  if (consents.empty() || count == 0) return ids;
  constexpr std::size_t kLinearLimit = 4;
  if (count <= kLinearLimit) {
    for (std::size_t i = 0; i < count; ++i) {
      const absl::string_view category = categories[i];
      for (const v1::Consent* consent : consents) {
        // Index loops: RepeatedPtrField<std::string>::begin() is not inlined.
        for (int j = 0; j < consent->categories_size() && ids[i] == nullptr; ++j) {
          if (FastEquals(consent->categories(j), category)) ids[i] = &consent->consent_id();
        }
        if (ids[i] != nullptr) break;
      }
    }
    return ids;
  }
  absl::flat_hash_map<absl::string_view, std::size_t> index;
  index.reserve(count);
  for (std::size_t i = 0; i < count; ++i) index.try_emplace(categories[i], i);
  // A 64-bit mask over a cheap signature (length, last character) of the
  // categories still unresolved: most covered categories of most consents miss
  // it and skip the hash lookup, and it shrinks as categories resolve.
  auto signature = [](absl::string_view name) -> uint64_t {
    const unsigned mix = static_cast<unsigned>(name.size()) * 31u +
                         (name.empty() ? 0u : static_cast<unsigned char>(name.back()));
    return uint64_t{1} << (mix % 64u);
  };
  auto unresolved_mask = [&] {
    uint64_t mask = 0;
    for (const auto& [name, i] : index) {
      if (ids[i] == nullptr) mask |= signature(name);
    }
    return mask;
  };
  std::size_t unresolved = index.size();
  uint64_t mask = unresolved_mask();
  for (const v1::Consent* consent : consents) {
    for (int j = 0; j < consent->categories_size(); ++j) {
      const absl::string_view covered = consent->categories(j);
      if ((signature(covered) & mask) == 0) continue;
      auto it = index.find(covered);
      if (it == index.end() || ids[it->second] != nullptr) continue;
      ids[it->second] = &consent->consent_id();
      if (--unresolved == 0) break;
      mask = unresolved_mask();
    }
    if (unresolved == 0) break;
  }
  // A category named twice (refused by R06 anyway) reports the same consent.
  for (std::size_t i = 0; i < count; ++i) {
    if (ids[i] == nullptr) ids[i] = ids[index.find(categories[i])->second];
  }
  return ids;
}

}  // namespace wams::policy::internal
