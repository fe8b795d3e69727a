#include "policy/rules.h"

#include <array>
#include <cstddef>

namespace wams::policy {
namespace {

// Articles: the seed names art. 2.3a.1, 2.3a.4, 5.4.1 and 5.4.2 Wmo 2015 (as
// amended by the Wams). Rules the seed gives no article for cite the Wams
// chapter they come from, or the AVG principle they apply; we do not invent
// article numbers.
constexpr std::array<RuleInfo, static_cast<std::size_t>(RuleId::kCount)> kRules = {{
    {RuleId::kR01, "R01", "art. 2.3a.1 Wmo 2015", "Hulpvraag van de cliënt", "Client request",
     RefusalClass::kAuthority},
    {RuleId::kR02, "R02", "art. 2.3a.4 Wmo 2015", "Verzoek van een professional",
     "Professional request", RefusalClass::kState},
    {RuleId::kR04, "R04", "art. 2.3a.1 Wmo 2015", "Wens van de cliënt is leidend",
     "Client's wish is leading", RefusalClass::kAuthority},
    {RuleId::kR06, "R06", "art. 5.4.1 Wmo 2015; AVG art. 5 lid 1 sub c", "Stap voor stap",
     "Step by step", RefusalClass::kAuthority},
    {RuleId::kR07, "R07", "art. 5.4.1 Wmo 2015; AVG art. 5 lid 1 sub b", "Toegestane doelen",
     "Allowed purposes", RefusalClass::kAuthority},
    {RuleId::kR08, "R08", "Wams (geen grondslag voor opsporing of oneigenlijk gebruik)",
     "Verboden doelen", "Forbidden purposes", RefusalClass::kAuthority},
    {RuleId::kR09, "R09", "art. 5.4.1 Wmo 2015 (casuïstisch)", "Geen fishing", "No fishing",
     RefusalClass::kAuthority},
    {RuleId::kR10, "R10", "art. 2.3a.1, 5.4.1 Wmo 2015", "Fase en rol", "Phase and role",
     RefusalClass::kState},
    {RuleId::kR11, "R11", "art. 2.3a.1 Wmo 2015", "Gezinsleden", "Family members",
     RefusalClass::kAuthority},
    {RuleId::kR12, "R12", "Wams, gecoördineerde aanpak (Wmo 2015 par. 2.3a)",
     "Plicht of bevoegdheid tot coördinatie", "Duty or power to coordinate",
     RefusalClass::kAuthority},
    {RuleId::kR13, "R13", "Wams, gecoördineerde aanpak (Wmo 2015 par. 2.3a)", "Coördinator",
     "Coordinator", RefusalClass::kState},
    {RuleId::kR16, "R16", "art. 5.4.2 Wmo 2015", "Geclausuleerde verstrekkingsplicht",
     "Qualified duty to provide", RefusalClass::kAuthority},
    {RuleId::kR17, "R17", "art. 5.4.2 Wmo 2015", "Medisch beroepsgeheim en jeugdhulp",
     "Medical secrecy and youth care", RefusalClass::kAuthority},
    {RuleId::kR18, "R18", "art. 5.4.2 Wmo 2015; Wpg; Wjsg", "Politie- en justitiegegevens",
     "Police and justice data", RefusalClass::kAuthority},
    {RuleId::kR19, "R19", "art. 5.4.1 Wmo 2015", "BSN als identificerend nummer",
     "BSN as identifier", RefusalClass::kAuthority},
    {RuleId::kR21, "R21", "art. 5.4.1 Wmo 2015", "Gemeente aan partij", "Municipality to party",
     RefusalClass::kAuthority},
    {RuleId::kR22, "R22", "Wams, casusoverleg (Wmo 2015 par. 2.3a)", "Wie roept bijeen",
     "Who convenes", RefusalClass::kAuthority},
    {RuleId::kR23, "R23", "Wams, casusoverleg (Wmo 2015 par. 2.3a)", "Wie neemt deel",
     "Who attends", RefusalClass::kAuthority},
    {RuleId::kR24, "R24", "Wams, casusoverleg; art. 5.4.2 Wmo 2015", "Delen in het casusoverleg",
     "Sharing in the conference", RefusalClass::kAuthority},
    {RuleId::kR25, "R25", "Wams, casusoverleg (Wmo 2015 par. 2.3a)", "Verslag op maat",
     "Minutes on measure", RefusalClass::kAuthority},
    {RuleId::kR26, "R26", "Wams, casusoverleg (Wmo 2015 par. 2.3a)",
     "Verder gebruik alleen met instemming", "Onward use needs the supplier's assent",
     RefusalClass::kAuthority},
    {RuleId::kR27, "R27", "AVG art. 5 lid 2 en art. 32", "Identificatie en autorisatie",
     "Identification and authorisation", RefusalClass::kAuthority},
}};

// Refusal classes: R02 (accepted, client informed), R10 (phase) and R13
// (coordination designated) are state, phase and order; every other rule is
// role and authority. R09 is authority although it fails for a closed case:
// a closed case never reopens, so no change of state helps.

// The table is indexed by RuleId; keep the order in step with the enum.
constexpr bool TableInEnumOrder() {
  for (std::size_t i = 0; i < kRules.size(); ++i) {
    if (static_cast<std::size_t>(kRules[i].rule) != i) return false;
  }
  return true;
}
static_assert(TableInEnumOrder(), "kRules must list the rules in RuleId order");

}  // namespace

absl::Span<const RuleInfo> RuleTable() { return kRules; }

const RuleInfo& GetRule(RuleId rule) { return kRules[static_cast<std::size_t>(rule)]; }

const RuleInfo* FindRule(absl::string_view id) {
  for (const RuleInfo& rule : kRules) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

}  // namespace wams::policy
