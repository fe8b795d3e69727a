// The party's policy around its Backend: unknown categories, consent (R17),
// legal basis (R18), conditions and weighty reasons (R16), outages.
#include "adapters/sdk/answer_policy.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wams::adapters {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr char kBsn[] = "111222333";

// Answers from a table; counts calls so tests can see what was asked.
class TableBackend : public Backend {
 public:
  CategoryAnswer Fetch(const v1::ProviderRequest&, absl::string_view category) override {
    ++calls[std::string(category)];
    auto it = answers.find(category);
    return it == answers.end() ? CategoryAnswer::NotHeld() : it->second;
  }
  absl::flat_hash_map<std::string, CategoryAnswer> answers;
  absl::flat_hash_map<std::string, int> calls;
};

// A rule; designated initializers would trip -Wmissing-field-initializers.
CategoryPolicy Rule(std::string name, v1::SecrecyRegime regime,
                    WithoutConsent without_consent = WithoutConsent::kNotSet,
                    std::string good_care_statement = "", std::string legal_basis = "",
                    std::vector<std::string> conditions = {}) {
  CategoryPolicy rule;
  rule.name = std::move(name);
  rule.regime = regime;
  rule.without_consent = without_consent;
  rule.good_care_statement = std::move(good_care_statement);
  rule.legal_basis = std::move(legal_basis);
  rule.conditions = std::move(conditions);
  return rule;
}

PartyPolicy GgzLikePolicy() {
  PartyPolicy policy;
  policy.party_name = "GGZ Test";
  policy.categories = {
      Rule("treatment_status", v1::SECRECY_REGIME_MEDICAL,
           WithoutConsent::kProvideWithGoodCareStatement, "needed for good care", "",
           {"use only for this case"}),
      Rule("crisis_plan", v1::SECRECY_REGIME_MEDICAL, WithoutConsent::kRefuse),
      Rule("police_contacts", v1::SECRECY_REGIME_POLICE_WPG, WithoutConsent::kNotSet, "",
           "art. 19 Wpg (example)"),
      Rule("attendance", v1::SECRECY_REGIME_NONE),
  };
  return policy;
}

v1::ProviderRequest Request(std::vector<std::string> categories) {
  v1::ProviderRequest request;
  request.set_request_id("req-1");
  request.set_subject_bsn(kBsn);
  request.set_purpose(v1::PURPOSE_RESEARCH);
  for (const std::string& category : categories) request.add_categories(category);
  return request;
}

void Consent(v1::ProviderRequest& request, const std::string& category) {
  v1::ConsentBasis* consent = request.add_consent_basis();
  consent->set_category(category);
  consent->set_explicit_consent(true);
}

void Oblige(v1::ProviderRequest& request, v1::ObligationKind kind,
            std::vector<std::string> categories = {}) {
  v1::Obligation* obligation = request.add_obligations();
  obligation->set_kind(kind);
  for (const std::string& category : categories) obligation->add_categories(category);
}

class AnswerPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_.answers["treatment_status"] = CategoryAnswer::Data(R"({"in_treatment":true})");
    backend_.answers["crisis_plan"] = CategoryAnswer::Data(R"({"exists":true})");
    backend_.answers["police_contacts"] = CategoryAnswer::Data(R"({"count":2})");
    backend_.answers["attendance"] = CategoryAnswer::Data(R"({"absent_days":4})");
  }
  Answer Respond(const v1::ProviderRequest& request) {
    absl::StatusOr<AnswerPolicy> policy = AnswerPolicy::Create(GgzLikePolicy());
    EXPECT_TRUE(policy.ok()) << policy.status();
    return policy->Respond(request, backend_);
  }
  TableBackend backend_;
};

TEST_F(AnswerPolicyTest, ProvidesWithConsentWithoutGoodCareStatement) {
  v1::ProviderRequest request = Request({"treatment_status", "crisis_plan"});
  Consent(request, "treatment_status");
  Consent(request, "crisis_plan");
  Answer answer = Respond(request);
  ASSERT_TRUE(answer.status.ok()) << answer.status;
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  ASSERT_EQ(answer.response.data_size(), 2);
  EXPECT_EQ(answer.response.data(0).content(), R"({"in_treatment":true})");
  EXPECT_EQ(answer.response.data(0).content_type(), "application/json");
  EXPECT_THAT(answer.response.good_care_statement(), IsEmpty());
  EXPECT_THAT(answer.response.withheld_categories(), IsEmpty());
}

TEST_F(AnswerPolicyTest, RefusesUnknownCategoryByName) {
  Answer answer = Respond(Request({"attendance", "diagnosis"}));
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
  EXPECT_THAT(answer.response.withheld_categories(), ElementsAre("diagnosis"));
  EXPECT_THAT(answer.response.refusal_reasons(),
              HasSubstr("diagnosis: not a category GGZ Test offers"));
  EXPECT_FALSE(backend_.calls.contains("diagnosis"));
}

TEST_F(AnswerPolicyTest, GoodCareObligationWithRefuseRuleWithholdsCategory) {
  v1::ProviderRequest request = Request({"treatment_status", "crisis_plan"});
  Oblige(request, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT);
  Answer answer = Respond(request);
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
  EXPECT_THAT(answer.response.withheld_categories(), ElementsAre("crisis_plan"));
  EXPECT_THAT(answer.response.refusal_reasons(), HasSubstr("explicit consent"));
  EXPECT_THAT(answer.response.refusal_reasons(), HasSubstr("(R17)"));
  EXPECT_FALSE(backend_.calls.contains("crisis_plan")) << "refused data must not be fetched";
  EXPECT_EQ(answer.response.good_care_statement(), "treatment_status: needed for good care");
}

TEST_F(AnswerPolicyTest, MissingConsentUnderMedicalSecrecyCountsEvenWithoutObligation) {
  // The broker placed no obligation, but no consent is on record: the party
  // applies its own rule rather than trusting the broker to have done so.
  Answer answer = Respond(Request({"crisis_plan"}));
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_THAT(answer.response.withheld_categories(), ElementsAre("crisis_plan"));
}

TEST_F(AnswerPolicyTest, GoodCareObligationOnCategoryWithoutRuleWithholdsIt) {
  v1::ProviderRequest request = Request({"attendance"});
  Oblige(request, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, {"attendance"});
  Answer answer = Respond(request);
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_THAT(answer.outcomes, ElementsAre(Pair("attendance", "no_good_care_judgement")));
}

TEST_F(AnswerPolicyTest, ObligationListingOtherCategoriesDoesNotApply) {
  v1::ProviderRequest request = Request({"attendance"});
  Oblige(request, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, {"treatment_status"});
  Answer answer = Respond(request);
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
}

TEST_F(AnswerPolicyTest, LegalBasisStatedForWpgData) {
  v1::ProviderRequest request = Request({"police_contacts"});
  Oblige(request, v1::OBLIGATION_KIND_LEGAL_BASIS, {"police_contacts"});
  Answer answer = Respond(request);
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  EXPECT_EQ(answer.response.legal_basis(), "police_contacts: art. 19 Wpg (example)");
}

TEST_F(AnswerPolicyTest, LegalBasisObligationWithoutConfiguredBasisWithholds) {
  v1::ProviderRequest request = Request({"attendance", "police_contacts"});
  Oblige(request, v1::OBLIGATION_KIND_LEGAL_BASIS);
  Answer answer = Respond(request);
  ASSERT_TRUE(answer.status.ok());
  EXPECT_THAT(answer.response.withheld_categories(), ElementsAre("attendance"));
  EXPECT_THAT(answer.response.refusal_reasons(), HasSubstr("(R18)"));
  EXPECT_FALSE(backend_.calls.contains("attendance"));
}

TEST_F(AnswerPolicyTest, ConditionsTravelWithProvidedCategoryOnly) {
  v1::ProviderRequest request = Request({"treatment_status", "attendance"});
  Consent(request, "treatment_status");
  Oblige(request, v1::OBLIGATION_KIND_CONDITIONS_ALLOWED);
  Answer answer = Respond(request);
  ASSERT_TRUE(answer.status.ok());
  EXPECT_THAT(answer.response.conditions(),
              ElementsAre("treatment_status: use only for this case"));
}

TEST_F(AnswerPolicyTest, BackendWithholdingStatesWeightyReasons) {
  backend_.answers["attendance"] = CategoryAnswer::Withheld("the file is under review");
  Answer answer = Respond(Request({"attendance"}));
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_EQ(answer.response.refusal_reasons(), "attendance: the file is under review");
}

TEST_F(AnswerPolicyTest, NotHeldIsWithheldWithPlainReason) {
  backend_.answers.erase("attendance");
  Answer answer = Respond(Request({"attendance"}));
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_THAT(answer.response.refusal_reasons(), HasSubstr("holds none for this person"));
}

TEST_F(AnswerPolicyTest, OutageOfEveryCategoryIsUnavailableNotRefusal) {
  backend_.answers["attendance"] = CategoryAnswer::Unavailable("connection refused");
  Answer answer = Respond(Request({"attendance"}));
  EXPECT_EQ(answer.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(answer.status.message(), HasSubstr("connection refused"));
}

TEST_F(AnswerPolicyTest, PartialOutageIsPartlyProvided) {
  backend_.answers["police_contacts"] = CategoryAnswer::Unavailable("HTTP 503");
  Answer answer = Respond(Request({"attendance", "police_contacts"}));
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
  EXPECT_THAT(answer.response.refusal_reasons(), HasSubstr("could not answer (HTTP 503)"));
}

TEST_F(AnswerPolicyTest, CategoryAskedTwiceIsAnsweredOnce) {
  Answer answer = Respond(Request({"attendance", "attendance"}));
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  EXPECT_EQ(answer.response.data_size(), 1);
}

TEST_F(AnswerPolicyTest, RejectsMalformedRequests) {
  v1::ProviderRequest no_categories = Request({});
  EXPECT_EQ(Respond(no_categories).status.code(), absl::StatusCode::kInvalidArgument);
  v1::ProviderRequest no_id = Request({"attendance"});
  no_id.clear_request_id();
  EXPECT_EQ(Respond(no_id).status.code(), absl::StatusCode::kInvalidArgument);
  v1::ProviderRequest bad_bsn = Request({"attendance"});
  bad_bsn.set_subject_bsn("123456789");
  Answer answer = Respond(bad_bsn);
  EXPECT_EQ(answer.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(answer.status.message(), ::testing::Not(HasSubstr("123456789")));
  // A share without the transaction id it is filed under (share_policy_test.cc).
  v1::ProviderRequest share = Request({"attendance"});
  share.set_is_share(true);
  Answer share_answer = Respond(share);
  EXPECT_EQ(share_answer.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(share_answer.status.message(), HasSubstr("transaction_id"));
}

TEST(AnswerPolicyCreateTest, RejectsIncompleteRules) {
  struct Case {
    std::string name;
    CategoryPolicy category;
    std::string field;
  };
  std::vector<Case> cases = {
      {"no name", Rule("", v1::SECRECY_REGIME_NONE), "categories[0].name"},
      {"no regime", Rule("x", v1::SECRECY_REGIME_UNSPECIFIED), "categories[0].regime"},
      {"medical without consent rule", Rule("x", v1::SECRECY_REGIME_MEDICAL),
       "categories[0].without_consent"},
      {"good care without statement",
       Rule("x", v1::SECRECY_REGIME_YOUTH_CARE_SKJ, WithoutConsent::kProvideWithGoodCareStatement),
       "categories[0].good_care_statement"},
      {"wjsg without basis", Rule("x", v1::SECRECY_REGIME_JUSTICE_WJSG),
       "categories[0].legal_basis"},
  };
  for (const Case& c : cases) {
    PartyPolicy policy;
    policy.party_name = "P";
    policy.categories = {c.category};
    absl::StatusOr<AnswerPolicy> created = AnswerPolicy::Create(policy);
    EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(created.status().message(), HasSubstr(c.field)) << c.name;
  }
  PartyPolicy twice;
  twice.party_name = "P";
  twice.categories = {Rule("x", v1::SECRECY_REGIME_NONE), Rule("x", v1::SECRECY_REGIME_NONE)};
  EXPECT_THAT(AnswerPolicy::Create(twice).status().message(), HasSubstr("listed twice"));
}

}  // namespace
}  // namespace wams::adapters
