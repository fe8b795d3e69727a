// The rule catalogue (policy/rules.md) and the rule table (policy/rules.h)
// agree: every rule R01..R29 has one entry; every rule the engine checks has
// its entry with the article its decisions cite and a check; every other
// rule says "Nothing" is checked, so the catalogue claims no check the code
// does not make.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/rules.h"

namespace wams::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct Entry {
  int count = 0;        // headings with this id
  std::string article;  // "- **Article:** ..."
  std::string checks;   // first line of "- **The broker checks:** ..."
};

// Reads "### Rnn Title" headings and the two bullet lines of each entry.
std::map<std::string, Entry> ParseCatalogue(const std::string& text) {
  std::map<std::string, Entry> entries;
  std::istringstream lines(text);
  std::string line;
  Entry* current = nullptr;
  while (std::getline(lines, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "### ")) {
      const std::string id(rest.substr(0, 3));
      current = &entries[id];
      ++current->count;
    } else if (current != nullptr && absl::ConsumePrefix(&rest, "- **Article:** ")) {
      current->article = std::string(rest);
    } else if (current != nullptr && absl::ConsumePrefix(&rest, "- **The broker checks:** ")) {
      current->checks = std::string(rest);
    }
  }
  return entries;
}

// Every disagreement between the catalogue text and RuleTable(), one line each.
std::vector<std::string> CatalogueProblems(const std::string& text) {
  std::vector<std::string> problems;
  const std::map<std::string, Entry> entries = ParseCatalogue(text);
  std::set<std::string> expected;
  for (int n = 1; n <= 29; ++n) expected.insert(absl::StrFormat("R%02d", n));
  for (const std::string& id : expected) {
    auto it = entries.find(id);
    if (it == entries.end()) {
      problems.push_back(absl::StrCat(id, ": no entry"));
    } else if (it->second.count != 1) {
      problems.push_back(absl::StrCat(id, ": ", it->second.count, " entries"));
    }
  }
  for (const auto& [id, entry] : entries) {
    if (expected.count(id) == 0) problems.push_back(absl::StrCat(id, ": not a rule id"));
    const RuleInfo* rule = FindRule(id);
    const bool says_nothing = absl::StartsWith(entry.checks, "Nothing");
    if (entry.article.empty()) problems.push_back(absl::StrCat(id, ": no article"));
    if (entry.checks.empty()) problems.push_back(absl::StrCat(id, ": no check line"));
    if (rule == nullptr) {
      if (!entry.checks.empty() && !says_nothing) {
        problems.push_back(absl::StrCat(id, ": claims a check but is not in RuleTable()"));
      }
      continue;
    }
    if (entry.article != rule->article) {
      problems.push_back(absl::StrCat(id, ": article \"", entry.article, "\", decisions cite \"",
                                      rule->article, "\""));
    }
    if (says_nothing) problems.push_back(absl::StrCat(id, ": checked by the engine, says Nothing"));
  }
  return problems;
}

std::string ReadCatalogue() {
  std::ifstream in(WAMS_RULE_CATALOGUE);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RuleCatalogueTest, AgreesWithTheRuleTable) {
  const std::string text = ReadCatalogue();
  ASSERT_FALSE(text.empty()) << "cannot read " << WAMS_RULE_CATALOGUE;
  EXPECT_THAT(CatalogueProblems(text), IsEmpty());
}

TEST(RuleCatalogueTest, EveryEngineRuleHasAnEntry) {
  const std::map<std::string, Entry> entries = ParseCatalogue(ReadCatalogue());
  for (const RuleInfo& rule : RuleTable()) {
    EXPECT_EQ(entries.count(std::string(rule.id)), 1u) << rule.id;
  }
}

// The check itself can fail: a missing entry, a changed article, a claimed
// check for a rule the engine does not make, a silent engine rule.
TEST(RuleCatalogueTest, ReportsEachKindOfDrift) {
  std::string text;
  for (int n = 1; n <= 29; ++n) {
    const std::string id = absl::StrFormat("R%02d", n);
    if (id == "R05") continue;  // missing
    const RuleInfo* rule = FindRule(id);
    std::string article = rule != nullptr ? std::string(rule->article) : "Wams";
    if (id == "R04") article = "art. 1.1 Wmo 2015";  // changed
    std::string checks = rule != nullptr ? "the engine checks it" : "Nothing.";
    if (id == "R03") checks = "a check the code does not make";
    if (id == "R09") checks = "Nothing.";
    absl::StrAppend(&text, "### ", id, " Title\n- **Article:** ", article,
                    "\n- **The broker checks:** ", checks, "\n");
  }
  EXPECT_THAT(CatalogueProblems(text),
              ElementsAre("R05: no entry", "R03: claims a check but is not in RuleTable()",
                          "R04: article \"art. 1.1 Wmo 2015\", decisions cite \"art. 2.3a.1 Wmo "
                          "2015\"",
                          "R09: checked by the engine, says Nothing"));
}

}  // namespace
}  // namespace wams::policy
