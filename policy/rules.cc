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
    {RuleId::kR01, "R01", "art. 2.3a.1 Wmo 2015", "Hulpvraag van de cliënt", "Client request"},
    {RuleId::kR02, "R02", "art. 2.3a.4 Wmo 2015", "Verzoek van een professional",
     "Professional request"},
    {RuleId::kR04, "R04", "art. 2.3a.1 Wmo 2015", "Wens van de cliënt is leidend",
     "Client's wish is leading"},
    {RuleId::kR06, "R06", "art. 5.4.1 Wmo 2015; AVG art. 5 lid 1 sub c", "Stap voor stap",
     "Step by step"},
    {RuleId::kR07, "R07", "art. 5.4.1 Wmo 2015; AVG art. 5 lid 1 sub b", "Toegestane doelen",
     "Allowed purposes"},
    {RuleId::kR08, "R08", "Wams (geen grondslag voor opsporing of oneigenlijk gebruik)",
     "Verboden doelen", "Forbidden purposes"},
    {RuleId::kR09, "R09", "art. 5.4.1 Wmo 2015 (casuïstisch)", "Geen fishing", "No fishing"},
    {RuleId::kR10, "R10", "art. 2.3a.1, 5.4.1 Wmo 2015", "Fase en rol", "Phase and role"},
    {RuleId::kR11, "R11", "art. 2.3a.1 Wmo 2015", "Gezinsleden", "Family members"},
    {RuleId::kR12, "R12", "Wams, gecoördineerde aanpak (Wmo 2015 par. 2.3a)",
     "Plicht of bevoegdheid tot coördinatie", "Duty or power to coordinate"},
    {RuleId::kR13, "R13", "Wams, gecoördineerde aanpak (Wmo 2015 par. 2.3a)", "Coördinator",
     "Coordinator"},
    {RuleId::kR16, "R16", "art. 5.4.2 Wmo 2015", "Geclausuleerde verstrekkingsplicht",
     "Qualified duty to provide"},
    {RuleId::kR17, "R17", "art. 5.4.2 Wmo 2015", "Medisch beroepsgeheim en jeugdhulp",
     "Medical secrecy and youth care"},
    {RuleId::kR18, "R18", "art. 5.4.2 Wmo 2015; Wpg; Wjsg", "Politie- en justitiegegevens",
     "Police and justice data"},
    {RuleId::kR19, "R19", "art. 5.4.1 Wmo 2015", "BSN als identificerend nummer",
     "BSN as identifier"},
    {RuleId::kR21, "R21", "art. 5.4.1 Wmo 2015", "Gemeente aan partij", "Municipality to party"},
    {RuleId::kR22, "R22", "Wams, casusoverleg (Wmo 2015 par. 2.3a)", "Wie roept bijeen",
     "Who convenes"},
    {RuleId::kR23, "R23", "Wams, casusoverleg (Wmo 2015 par. 2.3a)", "Wie neemt deel",
     "Who attends"},
    {RuleId::kR24, "R24", "Wams, casusoverleg; art. 5.4.2 Wmo 2015", "Delen in het casusoverleg",
     "Sharing in the conference"},
    {RuleId::kR25, "R25", "Wams, casusoverleg (Wmo 2015 par. 2.3a)", "Verslag op maat",
     "Minutes on measure"},
    {RuleId::kR26, "R26", "Wams, casusoverleg (Wmo 2015 par. 2.3a)",
     "Verder gebruik alleen met instemming", "Onward use needs the supplier's assent"},
    {RuleId::kR27, "R27", "AVG art. 5 lid 2 en art. 32", "Identificatie en autorisatie",
     "Identification and authorisation"},
}};

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

}  // namespace wams::policy
