// wamsctl's command line without a broker: --help, usage errors (exit 2,
// naming the flag), the flag parser and enum names without their prefix.
#include <sstream>

#include "broker/ctl/flags.h"
#include "broker/ctl/output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ctl/wamsctl_runner.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

CliResult Wamsctl(const std::vector<std::string>& args) { return RunWamsctl(args, {}); }

TEST(WamsctlHelpTest, TopLevelHelpListsEveryCommandGroup) {
  CliResult result = Wamsctl({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out,
              AllOf(HasSubstr("case open "), HasSubstr("case coordinate"), HasSubstr("request "),
                    HasSubstr("check "), HasSubstr("share "), HasSubstr("whoami"),
                    HasSubstr("conference convene"), HasSubstr("conference onward-use"),
                    HasSubstr("WAMS_CERT"), HasSubstr("--json")));
}

TEST(WamsctlHelpTest, CommandHelpShowsItsFlagsAndAnExample) {
  CliResult result = Wamsctl({"case", "open", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, AllOf(HasSubstr("usage: wamsctl case open"), HasSubstr("--bsn BSN"),
                                HasSubstr("(required)"), HasSubstr("--law LAW ..."),
                                HasSubstr("Example:\n  wamsctl case open --bsn")));
  EXPECT_THAT(result.out, Not(HasSubstr("--provider")));
}

TEST(WamsctlHelpTest, GroupHelpListsOnlyItsSubcommands) {
  CliResult result = Wamsctl({"conference", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, AllOf(HasSubstr("conference share-item"), Not(HasSubstr("case open"))));
}

TEST(WamsctlUsageTest, UnknownFlagExitsTwoNamingIt) {
  CliResult result = Wamsctl({"case", "open", "--bsn", "111222333", "--colour", "red"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown flag --colour"));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST(WamsctlUsageTest, MissingRequiredFlagExitsTwoNamingIt) {
  CliResult result = Wamsctl({"request", "--case", "c1", "--bsn", "111222333", "--purpose",
                              "research", "--category", "attendance", "--justification", "j"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("missing required flag --provider"));
}

TEST(WamsctlUsageTest, UnknownEnumValueExitsTwoNamingTheFlagAndTheChoices) {
  CliResult result =
      Wamsctl({"check", "--case", "c1", "--bsn", "111222333", "--provider", "1", "--purpose",
               "shopping", "--category", "attendance", "--justification", "j"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, AllOf(HasSubstr("--purpose"), HasSubstr("shopping"),
                                HasSubstr("RESEARCH"), HasSubstr("CASE_CONFERENCE")));
}

TEST(WamsctlUsageTest, FlagWithoutValueExitsTwo) {
  CliResult result = Wamsctl({"case", "get", "--case"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--case needs a value"));
}

TEST(WamsctlUsageTest, ConflictingChoiceExitsTwo) {
  CliResult result =
      Wamsctl({"case", "decide", "--case", "c1", "--accept", "--decline", "--reason", "r"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, AllOf(HasSubstr("--accept"), HasSubstr("--decline")));
}

TEST(WamsctlUsageTest, UnknownCommandExitsTwo) {
  EXPECT_EQ(Wamsctl({"frobnicate"}).exit_code, 2);
  CliResult result = Wamsctl({"case", "reopen"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              AllOf(HasSubstr("unknown command \"case reopen\""), HasSubstr("case open")));
}

TEST(WamsctlUsageTest, MissingIdentityExitsTwoNamingTheFlagAndVariable) {
  CliResult result = Wamsctl({"whoami"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, AllOf(HasSubstr("--cert"), HasSubstr("WAMS_CERT")));
}

TEST(FlagParserTest, ParsesStringRepeatedAndBoolFlagsInBothForms) {
  const std::vector<ctl::FlagSpec> specs = {
      ctl::StringFlag("case", "ID", "", ctl::kRequired),
      ctl::RepeatedFlag("category", "NAME", ""),
      ctl::BoolFlag("agreed", ""),
      ctl::StringFlag("reason", "TEXT", ""),
  };
  absl::StatusOr<ctl::ParsedFlags> flags = ctl::ParseFlags(
      specs, {"--case=c1", "--category", "a", "--agreed", "--category=b", "--reason", "x=y"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->Get("case"), "c1");
  EXPECT_THAT(flags->GetAll("category"), ElementsAre("a", "b"));
  EXPECT_TRUE(flags->Has("agreed"));
  EXPECT_EQ(flags->Get("reason"), "x=y");
  EXPECT_FALSE(flags->Has("missing"));
}

TEST(FlagParserTest, RejectsARepeatedSingleFlagAndAPositionalArgument) {
  const std::vector<ctl::FlagSpec> specs = {ctl::StringFlag("case", "ID", "")};
  EXPECT_THAT(ctl::ParseFlags(specs, {"--case", "a", "--case", "b"}).status().message(),
              HasSubstr("--case given more than once"));
  EXPECT_THAT(ctl::ParseFlags(specs, {"stray"}).status().message(), HasSubstr("stray"));
}

TEST(EnumNameTest, AcceptsNamesWithoutPrefixInAnyCase) {
  EXPECT_EQ(*ctl::ParseEnum<v1::Domain>("in", "mental_health"), v1::DOMAIN_MENTAL_HEALTH);
  EXPECT_EQ(*ctl::ParseEnum<v1::Domain>("in", "Mental-Health"), v1::DOMAIN_MENTAL_HEALTH);
  EXPECT_EQ(*ctl::ParseEnum<v1::Domain>("in", "DOMAIN_POLICE"), v1::DOMAIN_POLICE);
  EXPECT_EQ(*ctl::ParseEnum<v1::SocialLaw>("law", "wmo_2015"), v1::SOCIAL_LAW_WMO_2015);
  EXPECT_EQ(*ctl::ParseEnum<v1::Purpose>("purpose", "research"), v1::PURPOSE_RESEARCH);
}

TEST(EnumNameTest, RejectsUnspecifiedAndUnknownValues) {
  EXPECT_FALSE(ctl::ParseEnum<v1::Domain>("in", "unspecified").ok());
  EXPECT_FALSE(ctl::ParseEnum<v1::Domain>("in", "GGZ").ok());
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
