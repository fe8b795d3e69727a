// wamsctl's command line without a broker: --help on stdout (exit 0), usage
// errors on stderr (exit 2, naming the flag; CLI11's through wams::cli),
// global options anywhere, and enum names without their prefix.
#include <sstream>

#include "broker/tools/ctl/enum_names.h"
#include "broker/tools/ctl/output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ctl/wamsctl_runner.h"
#include "tests/testing/status_matchers.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::wams::testing::StatusIs;

CliResult Wamsctl(const std::vector<std::string>& args) { return RunWamsctl(args, {}); }

// Help asked for is the output: stdout, exit 0, nothing on stderr.
void ExpectHelp(const CliResult& result) {
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, IsEmpty());
}

// A bad command line: stderr only, exit 2 (wams::cli::kExitUsage).
void ExpectUsageError(const CliResult& result) {
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_THAT(result.out, IsEmpty());
}

TEST(WamsctlHelpTest, TopLevelHelpListsEveryCommandAndTheGlobalOptions) {
  CliResult result = Wamsctl({"--help"});
  ExpectHelp(result);
  EXPECT_THAT(result.out,
              AllOf(HasSubstr("Usage: wamsctl"), HasSubstr("request "), HasSubstr("check "),
                    HasSubstr("share "), HasSubstr("whoami"), HasSubstr("disclosures"),
                    HasSubstr("case "), HasSubstr("open-professional"), HasSubstr("coordinate"),
                    HasSubstr("conference "), HasSubstr("onward-use"), HasSubstr("--cert FILE"),
                    HasSubstr("WAMS_CERT"), HasSubstr("--json"), HasSubstr("--version"),
                    HasSubstr("Exit codes: 0 success, 1 refused or failed")));
  EXPECT_EQ(Wamsctl({"-h"}).out, result.out);
}

TEST(WamsctlHelpTest, GroupHelpListsOnlyItsSubcommands) {
  CliResult result = Wamsctl({"case", "--help"});
  ExpectHelp(result);
  EXPECT_THAT(result.out, AllOf(HasSubstr("Usage: wamsctl case"), HasSubstr("open-professional"),
                                HasSubstr("withdraw-consent"), Not(HasSubstr("convene")),
                                Not(HasSubstr("--bsn"))));
  result = Wamsctl({"conference", "-h"});
  ExpectHelp(result);
  EXPECT_THAT(result.out, AllOf(HasSubstr("share-item"), Not(HasSubstr("open-professional"))));
}

TEST(WamsctlHelpTest, CommandHelpShowsItsFlagsAndAnExampleThoughRequiredFlagsAreMissing) {
  CliResult result = Wamsctl({"case", "open", "--help"});
  ExpectHelp(result);
  EXPECT_THAT(result.out, AllOf(HasSubstr("Usage: wamsctl case open"),
                                HasSubstr("--bsn BSN REQUIRED"), HasSubstr("--request-id ID"),
                                ContainsRegex("--law LAW +social-domain law: .* \\(repeatable\\)"),
                                HasSubstr("Example:\n  wamsctl case open --bsn")));
  EXPECT_THAT(result.out, Not(HasSubstr("--provider")));
}

TEST(WamsctlHelpTest, HelpAfterFlagsAndForACommandWithoutAGroup) {
  CliResult result = Wamsctl({"request", "--case", "c1", "-h"});
  ExpectHelp(result);
  EXPECT_THAT(result.out,
              AllOf(HasSubstr("Usage: wamsctl request"), HasSubstr("--provider OIN REQUIRED"),
                    ContainsRegex("--category NAME REQUIRED .*\\(repeatable\\)"),
                    HasSubstr("--family-name")));
}

TEST(WamsctlUsageTest, UnknownCommandExitsTwoNamingIt) {
  CliResult result = Wamsctl({"frobnicate"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, HasSubstr("frobnicate"));
  result = Wamsctl({"case", "reopen", "--case", "c1"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, AllOf(HasSubstr("reopen"), HasSubstr("--help")));
}

TEST(WamsctlUsageTest, MissingCommandExitsTwo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"case"}}) {
    CliResult result = Wamsctl(args);
    ExpectUsageError(result);
    EXPECT_THAT(result.err, HasSubstr("subcommand is required"));
  }
}

TEST(WamsctlUsageTest, UnknownFlagExitsTwoNamingIt) {
  CliResult result = Wamsctl({"case", "open", "--bsn", "111222333", "--colour", "red"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, HasSubstr("--colour"));
}

TEST(WamsctlUsageTest, MissingRequiredFlagExitsTwoNamingIt) {
  CliResult result = Wamsctl({"request", "--case", "c1", "--bsn", "111222333", "--purpose",
                              "research", "--category", "attendance", "--justification", "j"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, HasSubstr("--provider is required"));
}

TEST(WamsctlUsageTest, UnknownEnumValueExitsTwoNamingTheFlagAndTheChoices) {
  CliResult result =
      Wamsctl({"check", "--case", "c1", "--bsn", "111222333", "--provider", "1", "--purpose",
               "shopping", "--category", "attendance", "--justification", "j"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, AllOf(HasSubstr("--purpose: unknown value \"shopping\""),
                                HasSubstr("RESEARCH"), HasSubstr("CASE_CONFERENCE")));
  // A repeated enum flag checks each value.
  result = Wamsctl({"case", "open", "--bsn", "111222333", "--in", "education", "--in", "ggz"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, AllOf(HasSubstr("--in: unknown value \"ggz\""),
                                HasSubstr("MENTAL_HEALTH"), Not(HasSubstr("\"education\""))));
}

TEST(WamsctlUsageTest, EraseNeedsBsnBasisAndJustificationAndAKnownBasis) {
  CliResult result = Wamsctl({"erase", "--bsn", "111222333", "--justification", "Verzoek 42"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, HasSubstr("--basis is required"));
  result = Wamsctl({"erase", "--bsn", "111222333", "--basis", "data_subject_request"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, HasSubstr("--justification is required"));
  result = Wamsctl({"erase", "--bsn", "111222333", "--basis", "because", "--justification", "j"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, AllOf(HasSubstr("--basis: unknown value \"because\""),
                                HasSubstr("DATA_SUBJECT_REQUEST"), HasSubstr("LEGAL_OBLIGATION")));
  // Accepted: the line parses, and what is missing next is the identity.
  result = Wamsctl(
      {"erase", "--bsn", "111222333", "--basis", "unlawful_processing", "--justification", "j"});
  EXPECT_THAT(result.err, AllOf(HasSubstr("--cert"), Not(HasSubstr("--basis"))));
}

TEST(WamsctlUsageTest, LanguageIsEnOrNlOrALanguageName) {
  CliResult result = Wamsctl({"disclosures", "--bsn", "111222333", "--lang", "fr"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, AllOf(HasSubstr("--lang: unknown value \"fr\""), HasSubstr("ENGLISH"),
                                HasSubstr("en, nl")));
  // Accepted: the line parses, and what is missing next is the identity.
  for (const char* lang : {"en", "nl", "english", "LANGUAGE_DUTCH"}) {
    result = Wamsctl({"disclosures", "--bsn", "111222333", "--lang", lang});
    EXPECT_THAT(result.err, AllOf(HasSubstr("--cert"), Not(HasSubstr("--lang")))) << lang;
  }
}

TEST(WamsctlUsageTest, FlagWithoutValueExitsTwoNamingIt) {
  CliResult result = Wamsctl({"case", "get", "--case"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, HasSubstr("--case"));
}

TEST(WamsctlUsageTest, SingleFlagGivenTwiceExitsTwoNamingIt) {
  CliResult result = Wamsctl({"case", "get", "--case", "a", "--case=b"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, HasSubstr("--case"));
}

TEST(WamsctlUsageTest, SwitchTakesNoValue) {
  CliResult result =
      Wamsctl({"case", "add-family", "--case", "c1", "--bsn", "111222333", "--agreed=no"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, HasSubstr("agreed"));
}

TEST(WamsctlUsageTest, ConflictingChoiceExitsTwo) {
  CliResult result =
      Wamsctl({"case", "decide", "--case", "c1", "--accept", "--decline", "--reason", "r"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, AllOf(HasSubstr("--accept"), HasSubstr("--decline")));
}

TEST(WamsctlUsageTest, MissingIdentityExitsTwoNamingTheFlagAndVariable) {
  CliResult result = Wamsctl({"whoami"});
  ExpectUsageError(result);
  EXPECT_THAT(result.err, AllOf(HasSubstr("--cert"), HasSubstr("WAMS_CERT")));
}

// Global options before the command, between group and command, and after
// the command's flags all reach the connection: the CA file is the one
// read (and missing), so this is a failure (1), not a usage error (2).
TEST(WamsctlUsageTest, GlobalOptionsMayAppearAnywhere) {
  for (const std::vector<std::string>& args : {
           std::vector<std::string>{"--ca", "no-such-ca.crt", "--cert", "c", "--key", "k", "--json",
                                    "case", "get", "--case", "c1"},
           std::vector<std::string>{"case", "--json", "--ca=no-such-ca.crt", "get", "--case", "c1",
                                    "--cert", "c", "--key", "k"},
           std::vector<std::string>{"case", "get", "--case", "c1", "--cert", "c", "--key", "k",
                                    "--ca", "no-such-ca.crt", "--json", "--professional", "p1",
                                    "--broker", "127.0.0.1:1"},
       }) {
    CliResult result = Wamsctl(args);
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_THAT(result.err, HasSubstr("no-such-ca.crt"));
  }
}

TEST(EnumNameTest, AcceptsNamesWithoutPrefixInAnyCase) {
  EXPECT_EQ(*ctl::ParseEnum<v1::Domain>("in", "mental_health"), v1::DOMAIN_MENTAL_HEALTH);
  EXPECT_EQ(*ctl::ParseEnum<v1::Domain>("in", "Mental-Health"), v1::DOMAIN_MENTAL_HEALTH);
  EXPECT_EQ(*ctl::ParseEnum<v1::Domain>("in", "DOMAIN_POLICE"), v1::DOMAIN_POLICE);
  EXPECT_EQ(*ctl::ParseEnum<v1::SocialLaw>("law", "wmo_2015"), v1::SOCIAL_LAW_WMO_2015);
  EXPECT_EQ(*ctl::ParseEnum<v1::Purpose>("purpose", "research"), v1::PURPOSE_RESEARCH);
}

TEST(EnumNameTest, RejectsUnspecifiedAndUnknownValuesNamingTheFlagAndTheChoices) {
  EXPECT_THAT(ctl::ParseEnum<v1::Domain>("in", "unspecified"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ctl::ParseEnum<v1::Domain>("in", "GGZ"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("flag --in: unknown value \"GGZ\""),
                             HasSubstr("MENTAL_HEALTH"), Not(HasSubstr("UNSPECIFIED")))));
  EXPECT_EQ(ctl::EnumLabel(v1::RULE_OUTCOME_NOT_APPLICABLE), "NOT_APPLICABLE");
}

TEST(DecisionOutputTest, PrintsOneAlignedLinePerRuleCountingCharactersNotBytes) {
  v1::Decision decision;
  decision.add_failed_rule_ids("R04");
  v1::RuleResult* scope = decision.add_rules();
  scope->set_rule_id("R04");
  scope->set_article("art. 2.3a.1 Wmo 2015");
  scope->set_outcome(v1::RULE_OUTCOME_FAILED);
  scope->set_message("The client excluded this domain.");
  v1::RuleResult* single = decision.add_rules();
  single->set_rule_id("R09");
  single->set_article("art. 5.4.1 (casuïstisch)");
  single->set_outcome(v1::RULE_OUTCOME_NOT_APPLICABLE);
  single->set_message("One person.");
  std::ostringstream out;
  ctl::PrintDecision(decision, out);
  EXPECT_EQ(out.str(),
            "REFUSED  failed: R04\n"
            "  R04  FAILED          art. 2.3a.1 Wmo 2015      The client excluded this domain.\n"
            "  R09  NOT_APPLICABLE  art. 5.4.1 (casuïstisch)  One person.\n");
}

}  // namespace
}  // namespace wams::testing
