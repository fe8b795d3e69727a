// wamsctl end to end: the real binary against a real broker process with
// real provider servers over mTLS. Each test checks what a user sees (the
// readable lines, the JSON, the exit code) and, where it matters, what the
// broker or a provider received.
#include <algorithm>
#include <regex>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/ctl/wamsctl_runner.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/test_provider.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/conference.pb.h"
#include "wams/broker/v1/exchange.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kCaseWorker[] = "wmo-consulent-12";
constexpr char kJustification[] = "Nodig om de samenhang van de problemen in kaart te brengen.";
// A UUIDv7 as wamsctl prints a fresh request id.
constexpr char kUuidV7[] = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}";

template <typename Message>
Message ParseJson(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.message() << "\n" << json;
  return message;
}

class WamsctlBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    team_ = std::make_unique<TestProvider>(broker_.pki_dir(), "neighbourhood-team");
    ggz_ = std::make_unique<TestProvider>(broker_.pki_dir(), "ggz");
    school_ = std::make_unique<TestProvider>(broker_.pki_dir(), "school");
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7451", team_->endpoint()), 1);
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7452", ggz_->endpoint()), 1);
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7453", school_->endpoint()), 1);
    WriteFile(broker_.config_path(),
              ReadFile(broker_.config_path()) + "\nprivacy_officer_ids: \"fg-officer-1\"\n");
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  }

  std::string Pki(const std::string& file) const { return (broker_.pki_dir() / file).string(); }
  std::string Address() const { return absl::StrCat("127.0.0.1:", broker_.port()); }

  // wamsctl with the identity of `cert_name` given as flags.
  CliResult Ctl(const std::vector<std::string>& args, const std::string& cert_name = "municipality",
                const std::string& professional_id = kCaseWorker) {
    std::vector<std::string> argv = {"--broker",       Address(),
                                     "--cert",         Pki(cert_name + ".crt"),
                                     "--key",          Pki(cert_name + ".key"),
                                     "--ca",           Pki("ca.crt"),
                                     "--professional", professional_id};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunWamsctl(argv, {});
  }

  // Opens a client case for kClientBsn with --json; returns it.
  v1::Case OpenCase(const std::vector<std::string>& scope_flags) {
    std::vector<std::string> args = {"--json", "case",     "open",  "--bsn",   kClientBsn,
                                     "--law",  "WMO_2015", "--law", "jeugdwet"};
    args.insert(args.end(), scope_flags.begin(), scope_flags.end());
    CliResult result = Ctl(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return ParseJson<v1::CaseResponse>(result.out).case_();
  }

  std::vector<std::string> RequestArgs(const std::string& case_id, const std::string& provider,
                                       const std::vector<std::string>& categories) {
    std::vector<std::string> args = {"--case",          case_id,        "--bsn",     kClientBsn,
                                     "--provider",      provider,       "--purpose", "research",
                                     "--justification", kJustification, "--lang",    "en"};
    for (const std::string& category : categories) {
      args.push_back("--category");
      args.push_back(category);
    }
    return args;
  }

  std::vector<std::string> Command(std::vector<std::string> words,
                                   const std::vector<std::string>& args) {
    words.insert(words.end(), args.begin(), args.end());
    return words;
  }

  BrokerFixture broker_;
  std::unique_ptr<TestProvider> team_;
  std::unique_ptr<TestProvider> ggz_;
  std::unique_ptr<TestProvider> school_;
};

TEST_F(WamsctlBrokerTest, OpensACaseAndShowsItReadably) {
  CliResult result =
      Ctl({"case", "open", "--bsn", kClientBsn, "--law", "WMO_2015", "--law", "JEUGDWET", "--in",
           "MENTAL_HEALTH", "--in", "education", "--out", "POLICE", "--request-id", "open-1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(
      result.out,
      AllOf(ContainsRegex("case [0-9a-f-]{36}\n"), HasSubstr("phase         RESEARCH"),
            HasSubstr("origin        CLIENT_REQUEST"),
            HasSubstr("laws          WMO_2015, JEUGDWET"),
            HasSubstr("scope in      MENTAL_HEALTH, EDUCATION"), HasSubstr("scope out     POLICE"),
            ContainsRegex("receipt  case event  leaf [0-9]+  id [0-9a-f-]{36}  "
                          "CASE_EVENT GRANTED")));
  // The readable output never echoes the BSN.
  EXPECT_THAT(result.out, Not(HasSubstr(kClientBsn)));
  // An explicit request id is not announced.
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(WamsctlBrokerTest, PrintsAFreshRequestIdThatRetriesTheSameCase) {
  CliResult first = Ctl({"--json", "case", "open", "--bsn", kClientBsn, "--law", "WMO_2015"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::smatch match;
  const std::regex announced(
      absl::StrCat("request id (", kUuidV7, ") \\(retry with --request-id ", kUuidV7, "\\)"));
  ASSERT_TRUE(std::regex_search(first.err, match, announced)) << first.err;
  const std::string request_id = match[1];

  CliResult retry = Ctl({"--json", "case", "open", "--bsn", kClientBsn, "--law", "WMO_2015",
                         "--request-id", request_id});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(ParseJson<v1::CaseResponse>(retry.out).case_().case_id(),
            ParseJson<v1::CaseResponse>(first.out).case_().case_id());
}

TEST_F(WamsctlBrokerTest, GrantedRequestPrintsEveryRuleTheDataAndBothReceipts) {
  v1::Case opened = OpenCase({"--in", "EDUCATION", "--out", "POLICE"});
  CliResult result = Ctl(Command(
      {"request"}, RequestArgs(opened.case_id(), kSchoolOin, {"attendance", "support_needs"})));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              AllOf(ContainsRegex("^GRANTED"), ContainsRegex("\n  R04  PASSED +art\\. "),
                    ContainsRegex("\n  R09  PASSED "), HasSubstr("answer  PROVIDED"),
                    HasSubstr("  attendance  (application/json"),
                    ContainsRegex("receipt  decision  leaf [0-9]+  id [0-9a-f-]{36}  "
                                  "DECISION GRANTED"),
                    ContainsRegex("receipt  answer  leaf [0-9]+  id [0-9a-f-]{36}  "
                                  "PROVIDER_ANSWER DELIVERED"),
                    ContainsRegex("transaction  [0-9a-f-]{36}")));
  EXPECT_THAT(result.err, ContainsRegex(absl::StrCat("request id ", kUuidV7)));
  ASSERT_EQ(school_->Received().size(), 1u);
  EXPECT_EQ(school_->Received()[0].professional_id(), kCaseWorker);
  EXPECT_EQ(school_->Received()[0].requester_oin(), kMunicipalityOin);
}

TEST_F(WamsctlBrokerTest, RefusalPrintsTheFailedRuleAndReceiptAndExitsOne) {
  v1::Case opened = OpenCase({"--in", "EDUCATION", "--out", "POLICE"});
  CliResult result =
      Ctl(Command({"request"}, RequestArgs(opened.case_id(), kPoliceOin, {"police_contacts"})));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("broker answered PERMISSION_DENIED"));
  EXPECT_THAT(result.out, AllOf(ContainsRegex("^REFUSED  failed: [A-Z0-9, ]*R04"),
                                ContainsRegex("\n  R04  FAILED +art\\. [^\n]*[A-Za-z]"),
                                ContainsRegex("receipt  decision  leaf [0-9]+  id [0-9a-f-]{36}  "
                                              "DECISION REFUSED \\[[A-Z0-9, ]*R04")));
}

TEST_F(WamsctlBrokerTest, DisclosureFollowsEveryPageOfTheOverview) {
  v1::Case opened = OpenCase({"--in", "EDUCATION", "--out", "POLICE"});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Ctl(Command({"request"}, RequestArgs(opened.case_id(), kSchoolOin, {"attendance"})))
                  .exit_code,
              0);
  }
  ASSERT_EQ(
      Ctl(Command({"request"}, RequestArgs(opened.case_id(), kPoliceOin, {"police_contacts"})))
          .exit_code,
      1);
  // Two receipts a page: the four exchanges (three granted and answered, one
  // refused) span several pages, numbered on, under one heading.
  CliResult result = Ctl({"disclosures", "--bsn", kClientBsn, "--lang", "en", "--page-size", "2"},
                         "municipality", "fg-officer-1");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, AllOf(HasSubstr("\n1. "), HasSubstr("\n4. "), Not(HasSubstr("\n5. "))));
  EXPECT_EQ(result.out.find("Overview of disclosures"), 0u);
  EXPECT_EQ(result.out.rfind("Overview of disclosures"), 0u) << result.out;

  // Not a privacy officer: refused, exit 1.
  EXPECT_EQ(Ctl({"disclosures", "--bsn", kClientBsn}).exit_code, 1);
}

TEST_F(WamsctlBrokerTest, JsonPrintsTheResponseWithItsFields) {
  v1::Case opened = OpenCase({"--in", "EDUCATION"});
  EXPECT_EQ(opened.phase(), v1::CASE_PHASE_RESEARCH);
  CliResult result = Ctl(Command({"--json", "request", "--request-id", "json-1"},
                                 RequestArgs(opened.case_id(), kSchoolOin, {"attendance"})));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The JSON uses the proto field names and parses back into the response.
  EXPECT_THAT(result.out, AllOf(HasSubstr("\"decision_receipt\""), HasSubstr("\"allowed\"")));
  v1::DataResponse response = ParseJson<v1::DataResponse>(result.out);
  EXPECT_TRUE(response.decision().allowed());
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  ASSERT_EQ(response.data_size(), 1);
  EXPECT_EQ(response.data(0).category(), "attendance");
  v1::Receipt decision_receipt;
  ASSERT_TRUE(decision_receipt.ParseFromString(response.decision_receipt().receipt_bytes()));
  EXPECT_EQ(decision_receipt.request_id(), "json-1");
  EXPECT_EQ(decision_receipt.case_id(), opened.case_id());
  EXPECT_GT(response.answer_receipt().leaf_index(), response.decision_receipt().leaf_index());
}

TEST_F(WamsctlBrokerTest, JsonRefusalPrintsTheCodeAndTheDetails) {
  v1::Case opened = OpenCase({"--in", "EDUCATION", "--out", "POLICE"});
  CliResult result = Ctl(Command({"request", "--json"},
                                 RequestArgs(opened.case_id(), kPoliceOin, {"police_contacts"})));
  EXPECT_EQ(result.exit_code, 1);
  google::protobuf::Struct refusal = ParseJson<google::protobuf::Struct>(result.out);
  EXPECT_EQ(refusal.fields().at("code").string_value(), "PERMISSION_DENIED");
  EXPECT_THAT(refusal.fields().at("message").string_value(), HasSubstr("R04"));
  bool saw_decision = false;
  bool saw_receipt = false;
  for (const google::protobuf::Value& detail :
       refusal.fields().at("details").list_value().values()) {
    const auto& fields = detail.struct_value().fields();
    const std::string& type = fields.at("@type").string_value();
    if (type == "type.googleapis.com/wams.broker.v1.Decision") {
      saw_decision = true;
      const auto& failed = fields.at("failed_rule_ids").list_value().values();
      EXPECT_TRUE(std::any_of(failed.begin(), failed.end(), [](const google::protobuf::Value& v) {
        return v.string_value() == "R04";
      }));
    } else if (type == "type.googleapis.com/wams.broker.v1.SignedReceipt") {
      saw_receipt = true;
      EXPECT_TRUE(fields.contains("receipt_bytes"));
    }
  }
  EXPECT_TRUE(saw_decision) << result.out;
  EXPECT_TRUE(saw_receipt) << result.out;
}

TEST_F(WamsctlBrokerTest, CheckIsADryRunThatForwardsNothing) {
  v1::Case opened = OpenCase({"--in", "EDUCATION", "--out", "POLICE"});
  CliResult granted =
      Ctl(Command({"check"}, RequestArgs(opened.case_id(), kSchoolOin, {"attendance"})));
  EXPECT_EQ(granted.exit_code, 0) << granted.err;
  EXPECT_THAT(granted.out, HasSubstr("dry run: GRANTED"));
  // Receipted as a consultation (R27), but not remembered, so no request id
  // is announced for it.
  EXPECT_THAT(granted.out, ContainsRegex("receipt  consultation  leaf [0-9]+  id [0-9a-f-]{36}"));
  EXPECT_THAT(granted.err, Not(HasSubstr("request id")));

  CliResult refused =
      Ctl(Command({"check"}, RequestArgs(opened.case_id(), kPoliceOin, {"police_contacts"})));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.out + refused.err, HasSubstr("R04"));
  EXPECT_THAT(school_->Received(), IsEmpty());
}

TEST_F(WamsctlBrokerTest, IdentityComesFromTheEnvironment) {
  CliResult result =
      RunWamsctl({"whoami"}, {"WAMS_BROKER=" + Address(), "WAMS_CERT=" + Pki("ggz.crt"),
                              "WAMS_KEY=" + Pki("ggz.key"), "WAMS_CA=" + Pki("ca.crt"),
                              "WAMS_PROFESSIONAL_ID=behandelaar-3"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              AllOf(HasSubstr("GGZ Voorbeeld"), HasSubstr(absl::StrCat("OIN           ", kGgzOin)),
                    HasSubstr("domain        MENTAL_HEALTH"), HasSubstr("role          PROVIDER"),
                    HasSubstr("professional  behandelaar-3")));
}

TEST_F(WamsctlBrokerTest, FlagsOverrideTheEnvironment) {
  CliResult result =
      RunWamsctl({"--json", "whoami", "--cert", Pki("school.crt"), "--key", Pki("school.key")},
                 {"WAMS_BROKER=" + Address(), "WAMS_CERT=" + Pki("ggz.crt"),
                  "WAMS_KEY=" + Pki("ggz.key"), "WAMS_CA=" + Pki("ca.crt")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ParseJson<v1::WhoAmIResponse>(result.out).party().oin(), kSchoolOin);
}

TEST_F(WamsctlBrokerTest, UnreachableBrokerExitsOneWithTheCode) {
  broker_.Stop();
  CliResult result = Ctl({"whoami"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("UNAVAILABLE"));
}

TEST_F(WamsctlBrokerTest, CaseCommandsDriveAProfessionalCaseToItsEnd) {
  // GGZ asks the municipality to investigate (R02).
  CliResult opened =
      Ctl({"--json", "case", "open-professional", "--bsn", kClientBsn, "--municipality",
           kMunicipalityOin, "--persistent-problems", "--coordinated-approach-expected",
           "--reasons", "Herhaalde crises, hulp komt niet van de grond."},
          "ggz", "behandelaar-3");
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  v1::Case c = ParseJson<v1::CaseResponse>(opened.out).case_();
  EXPECT_EQ(c.phase(), v1::CASE_PHASE_AWAITING_DECISION);
  const std::string id = c.case_id();

  CliResult decided = Ctl({"case", "decide", "--case", id, "--accept", "--reason",
                           "Voldoet aan de criteria.", "--law", "WMO_2015"});
  ASSERT_EQ(decided.exit_code, 0) << decided.err;
  EXPECT_THAT(decided.out, AllOf(HasSubstr("phase         RESEARCH"),
                                 HasSubstr("decision      accepted: Voldoet aan de criteria.")));

  CliResult informed = Ctl({"case", "inform", "--case", id, "--how", "brief van 3 maart"});
  ASSERT_EQ(informed.exit_code, 0) << informed.err;
  EXPECT_THAT(informed.out, HasSubstr("informed      yes"));

  CliResult scoped = Ctl({"case", "scope", "--case", id, "--in", "mental_health", "--in",
                          "education", "--out", "police", "--adjacent", "MENTAL_HEALTH"});
  ASSERT_EQ(scoped.exit_code, 0) << scoped.err;
  EXPECT_THAT(scoped.out,
              AllOf(HasSubstr("scope in      MENTAL_HEALTH, EDUCATION"),
                    HasSubstr("scope out     POLICE"), HasSubstr("adjacent      MENTAL_HEALTH")));

  CliResult consented = Ctl({"--json", "case", "consent", "--case", id, "--bsn", kClientBsn,
                             "--provider", kGgzOin, "--category", "treatment_status"});
  ASSERT_EQ(consented.exit_code, 0) << consented.err;
  v1::Case with_consent = ParseJson<v1::CaseResponse>(consented.out).case_();
  ASSERT_EQ(with_consent.consents_size(), 1);
  const std::string consent_id = with_consent.consents(0).consent_id();

  CliResult family = Ctl({"case", "add-family", "--case", id, "--bsn", kFamilyBsn, "--agreed"});
  ASSERT_EQ(family.exit_code, 0) << family.err;
  EXPECT_THAT(family.out, ContainsRegex("family member +pseudonym [0-9a-f]{16}\\.\\.\\.  agreed"));
  EXPECT_THAT(family.out, Not(HasSubstr(kFamilyBsn)));

  CliResult withdrawn = Ctl({"case", "withdraw-consent", "--case", id, "--consent", consent_id});
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn.err;
  EXPECT_THAT(withdrawn.out, ContainsRegex("consent +" + consent_id + ".*withdrawn"));

  CliResult coordinated = Ctl({"case", "coordinate", "--case", id, "--self", "client"});
  ASSERT_EQ(coordinated.exit_code, 0) << coordinated.err;
  EXPECT_THAT(coordinated.out,
              AllOf(ContainsRegex("^GRANTED"), ContainsRegex("\n  R12  PASSED +"),
                    HasSubstr("phase         COORDINATION"), HasSubstr("coordination  POWER (R12)"),
                    HasSubstr("coordinator   self: client  (SELF, R13)")));

  CliResult closed = Ctl({"case", "close", "--case", id, "--reason", "Hulp loopt."});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_THAT(closed.out, HasSubstr("phase         CLOSED"));

  CliResult got = Ctl({"--json", "case", "get", "--case", id});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  v1::Case final_case = ParseJson<v1::CaseResponse>(got.out).case_();
  EXPECT_EQ(final_case.phase(), v1::CASE_PHASE_CLOSED);
  EXPECT_EQ(final_case.clients_size(), 2);
  EXPECT_TRUE(final_case.client_informed());
}

TEST_F(WamsctlBrokerTest, CaseOpenTakesAdjacentDomainsAndNeedsALaw) {
  CliResult opened = Ctl({"case", "open", "--bsn", kClientBsn, "--law", "WGS", "--adjacent",
                          "housing", "--adjacent", "EDUCATION"});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_THAT(opened.out, AllOf(ContainsRegex("^GRANTED"), ContainsRegex("\n  R01  PASSED +"),
                                HasSubstr("adjacent      HOUSING, EDUCATION"),
                                HasSubstr("coordination  POWER (R12)")));

  CliResult refused = Ctl({"case", "open", "--bsn", kClientBsn, "--adjacent", "HOUSING"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(refused.out, AllOf(ContainsRegex("REFUSED  failed: R01"),
                                 ContainsRegex("\n  R01  FAILED +art\\. 2\\.3a\\.1 Wmo 2015"),
                                 HasSubstr("CASE_EVENT REFUSED [R01]")));
}

TEST_F(WamsctlBrokerTest, ClosedCaseRefusesARequestCitingR10) {
  v1::Case opened = OpenCase({"--in", "EDUCATION"});
  ASSERT_EQ(Ctl({"case", "close", "--case", opened.case_id(), "--reason", "Klaar."}).exit_code, 0);
  CliResult result =
      Ctl(Command({"request"}, RequestArgs(opened.case_id(), kSchoolOin, {"attendance"})));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("broker answered PERMISSION_DENIED"));
  EXPECT_THAT(result.out, AllOf(ContainsRegex("^REFUSED  failed: [A-Z0-9, ]*R10"),
                                ContainsRegex("\n  R10  FAILED +art\\. ")));
  EXPECT_THAT(school_->Received(), IsEmpty());
}

TEST_F(WamsctlBrokerTest, SharesMunicipalDataWithAnInvolvedParty) {
  v1::Case opened = OpenCase({"--in", "EDUCATION"});
  ASSERT_EQ(Ctl(Command({"request"}, RequestArgs(opened.case_id(), kSchoolOin, {"attendance"})))
                .exit_code,
            0);
  CliResult shared = Ctl({"share", "--case", opened.case_id(), "--bsn", kClientBsn, "--recipient",
                          kSchoolOin, "--purpose", "research", "--category", "wmo_services",
                          "--justification", "De school stemt de begeleiding af.", "--data",
                          "wmo_services={\"begeleiding\":\"ja\"}"});
  ASSERT_EQ(shared.exit_code, 0) << shared.err << shared.out;
  EXPECT_THAT(shared.out, AllOf(ContainsRegex("^GRANTED"), HasSubstr("acknowledged  yes"),
                                ContainsRegex("receipt  decision  leaf [0-9]+  id "),
                                ContainsRegex("receipt  delivery  leaf [0-9]+  id [0-9a-f-]{36}  "
                                              "PROVIDER_ANSWER DELIVERED")));
  ASSERT_EQ(school_->Received().size(), 2u);
  const v1::ProviderRequest delivery = school_->Received().back();
  EXPECT_TRUE(delivery.is_share());
  ASSERT_EQ(delivery.shared_data_size(), 1);
  EXPECT_EQ(delivery.shared_data(0).content(), "{\"begeleiding\":\"ja\"}");
  EXPECT_EQ(delivery.shared_data(0).content_type(), "application/json");
}

TEST_F(WamsctlBrokerTest, ConferenceCommandsRunAConferenceFromConveneToOnwardUse) {
  v1::Case opened = OpenCase({"--in", "EDUCATION", "--in", "MENTAL_HEALTH"});
  CliResult convened =
      Ctl({"--json", "conference", "convene", "--case", opened.case_id(), "--subject",
           "Afstemming aanpak", "--at", "2027-01-04T10:00:00Z", "--request-id", "conf-1"});
  ASSERT_EQ(convened.exit_code, 0) << convened.err;
  v1::Conference conference = ParseJson<v1::ConferenceResponse>(convened.out).conference();
  EXPECT_EQ(conference.subject(), "Afstemming aanpak");
  EXPECT_EQ(conference.scheduled_at().seconds(), 1799056800);
  const std::string id = conference.conference_id();
  ASSERT_FALSE(id.empty());

  CliResult ggz_invited = Ctl({"conference", "invite", "--conference", id, "--party", kGgzOin,
                               "--reason", "Behandelt de client."});
  ASSERT_EQ(ggz_invited.exit_code, 0) << ggz_invited.err;
  EXPECT_THAT(ggz_invited.out,
              AllOf(HasSubstr(absl::StrCat("conference ", id)),
                    HasSubstr(absl::StrCat("invited       ", kGgzOin, "  Behandelt de client.")),
                    ContainsRegex("receipt  conference event  leaf [0-9]+  id [0-9a-f-]{36}  "
                                  "CONFERENCE_EVENT GRANTED")));
  ASSERT_EQ(Ctl({"conference", "invite", "--conference", id, "--party", kSchoolOin, "--reason",
                 "Signaleert verzuim."})
                .exit_code,
            0);
  CliResult client = Ctl({"conference", "client-invitation", "--conference", id, "--not-invited",
                          "--weighty-interests", "Acuut veiligheidsrisico."});
  ASSERT_EQ(client.exit_code, 0) << client.err;
  EXPECT_THAT(client.out, HasSubstr("client        not invited: Acuut veiligheidsrisico."));

  // The school shares an item addressed to GGZ only.
  CliResult shared =
      Ctl({"--json", "conference", "share-item", "--conference", id, "--audience", kGgzOin,
           "--title", "Verzuim", "--content", "Drie weken afwezig.", "--category", "attendance"},
          "school", "mentor-4");
  ASSERT_EQ(shared.exit_code, 0) << shared.err;
  v1::ShareItemResponse item = ParseJson<v1::ShareItemResponse>(shared.out);
  EXPECT_TRUE(item.decision().allowed());
  const std::string item_id = item.item_id();
  ASSERT_FALSE(item_id.empty());

  CliResult ggz_fetch = Ctl({"conference", "fetch", "--conference", id}, "ggz", "behandelaar-3");
  ASSERT_EQ(ggz_fetch.exit_code, 0) << ggz_fetch.err;
  EXPECT_THAT(ggz_fetch.out, AllOf(HasSubstr("1 item addressed to you"),
                                   HasSubstr(absl::StrCat("item ", item_id, "  \"Verzuim\"")),
                                   HasSubstr(absl::StrCat("supplier      ", kSchoolOin)),
                                   HasSubstr("(text/plain, 19 bytes)  Drie weken afwezig."),
                                   ContainsRegex("receipt  fetch  leaf [0-9]+")));
  CliResult municipality_fetch = Ctl({"conference", "fetch", "--conference", id});
  ASSERT_EQ(municipality_fetch.exit_code, 0) << municipality_fetch.err;
  EXPECT_THAT(municipality_fetch.out, HasSubstr("0 items addressed to you"));

  // Onward use needs the supplier's assent (R26).
  CliResult before = Ctl({"conference", "onward-use", "--conference", id, "--item", item_id}, "ggz",
                         "behandelaar-3");
  EXPECT_EQ(before.exit_code, 1);
  EXPECT_THAT(before.err, HasSubstr("broker answered PERMISSION_DENIED"));
  EXPECT_THAT(before.out, AllOf(ContainsRegex("  R26  FAILED "),
                                ContainsRegex("CONFERENCE_EVENT REFUSED \\[R26\\]")));
  CliResult assent =
      Ctl({"conference", "assent", "--conference", id, "--item", item_id, "--party", kGgzOin},
          "school", "mentor-4");
  ASSERT_EQ(assent.exit_code, 0) << assent.err << assent.out;
  CliResult after = Ctl({"conference", "onward-use", "--conference", id, "--item", item_id}, "ggz",
                        "behandelaar-3");
  EXPECT_EQ(after.exit_code, 0) << after.err << after.out;
  EXPECT_THAT(after.out, HasSubstr("onward use  ALLOWED"));
}

}  // namespace
}  // namespace wams::testing
