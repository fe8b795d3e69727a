// How the SDK takes a share from the municipality (R21) at the Backend seam:
// only categories the party lists for shares reach its Backend, a share with
// any other is refused as a whole with a reason per category, and the
// backend's own answer (accepted, refused, unavailable) decides the rest.
#include "adapters/sdk/share_policy.h"

#include <string>
#include <vector>

#include "adapters/sdk/answer_policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wams::adapters {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

// Answers every share with `answer`; keeps what it received.
class RecordingBackend : public Backend {
 public:
  CategoryAnswer Fetch(const v1::ProviderRequest&, absl::string_view) override {
    return CategoryAnswer::NotHeld();
  }
  ShareAnswer Receive(const v1::ProviderRequest& share) override {
    received.push_back(share);
    return answer;
  }
  ShareAnswer answer = ShareAnswer::Accepted();
  std::vector<v1::ProviderRequest> received;
};

// A backend that does not override Receive.
class FetchOnlyBackend : public Backend {
 public:
  CategoryAnswer Fetch(const v1::ProviderRequest&, absl::string_view) override {
    return CategoryAnswer::NotHeld();
  }
};

PartyPolicy SchoolLikePolicy() {
  PartyPolicy policy;
  policy.party_name = "School Test";
  CategoryPolicy attendance;
  attendance.name = "attendance";
  attendance.regime = v1::SECRECY_REGIME_NONE;
  policy.categories = {attendance};
  policy.share_categories = {"youth_services"};
  return policy;
}

v1::ProviderRequest Share(std::vector<std::string> categories) {
  v1::ProviderRequest share;
  share.set_is_share(true);
  share.set_request_id("share-1");
  share.set_transaction_id("0190a8c0-0000-7000-8000-000000000001");
  share.set_case_id("case-1");
  share.set_subject_bsn("111222333");
  share.set_purpose(v1::PURPOSE_RESEARCH);
  for (const std::string& category : categories) {
    share.add_categories(category);
    v1::CategoryData* data = share.add_shared_data();
    data->set_category(category);
    data->set_content(R"({"since": "2026-01"})");
    data->set_content_type("application/json");
  }
  return share;
}

Answer Respond(const v1::ProviderRequest& share, Backend& backend,
               PartyPolicy party = SchoolLikePolicy()) {
  absl::StatusOr<AnswerPolicy> policy = AnswerPolicy::Create(std::move(party));
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy->Respond(share, backend);
}

TEST(SharePolicyTest, AcceptsAShareInListedCategoriesThroughTheBackend) {
  RecordingBackend backend;
  Answer answer = Respond(Share({"youth_services"}), backend);

  ASSERT_TRUE(answer.status.ok()) << answer.status;
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  EXPECT_THAT(answer.response.refusal_reasons(), IsEmpty());
  ASSERT_EQ(backend.received.size(), 1u);
  EXPECT_EQ(backend.received[0].shared_data(0).content(), R"({"since": "2026-01"})");
  EXPECT_THAT(answer.outcomes, ElementsAre(Pair("youth_services", "accepted")));
}

TEST(SharePolicyTest, RefusesAShareWithAnUnlistedCategoryAsAWholeNamingIt) {
  RecordingBackend backend;
  Answer answer = Respond(Share({"youth_services", "debt_relief_status"}), backend);

  ASSERT_TRUE(answer.status.ok()) << answer.status;
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_THAT(answer.response.withheld_categories(), ElementsAre("debt_relief_status"));
  EXPECT_EQ(answer.response.refusal_reasons(),
            "debt_relief_status: School Test does not accept shares of this category");
  // Nothing of it was taken in, not even the accepted category.
  EXPECT_THAT(backend.received, IsEmpty());
  EXPECT_THAT(answer.outcomes, ElementsAre(Pair("youth_services", "refused"),
                                           Pair("debt_relief_status", "not_accepted")));
}

TEST(SharePolicyTest, APartyListingNoShareCategoriesRefusesEveryShare) {
  RecordingBackend backend;
  PartyPolicy party = SchoolLikePolicy();
  party.share_categories.clear();
  Answer answer = Respond(Share({"youth_services"}), backend, party);

  ASSERT_TRUE(answer.status.ok()) << answer.status;
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_THAT(answer.response.refusal_reasons(), HasSubstr("youth_services: School Test"));
  EXPECT_THAT(backend.received, IsEmpty());
}

TEST(SharePolicyTest, TheBackendsRefusalAndItsReasonReachTheAnswer) {
  RecordingBackend backend;
  backend.answer = ShareAnswer::Refused("the pupil left the school last month");
  Answer answer = Respond(Share({"youth_services"}), backend);

  ASSERT_TRUE(answer.status.ok()) << answer.status;
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_EQ(answer.response.refusal_reasons(), "the pupil left the school last month");
  EXPECT_THAT(answer.outcomes, ElementsAre(Pair("youth_services", "refused")));
}

TEST(SharePolicyTest, ABackendWithoutReceiveRefusesRatherThanAcknowledges) {
  FetchOnlyBackend backend;
  Answer answer = Respond(Share({"youth_services"}), backend);

  ASSERT_TRUE(answer.status.ok()) << answer.status;
  EXPECT_EQ(answer.response.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_THAT(answer.response.refusal_reasons(), HasSubstr("takes no shared data"));
}

TEST(SharePolicyTest, AnOutageIsUnavailableNotARefusal) {
  RecordingBackend backend;
  backend.answer = ShareAnswer::Unavailable("disk full");
  Answer answer = Respond(Share({"youth_services"}), backend);

  EXPECT_EQ(answer.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(answer.status.message(), HasSubstr("disk full"));
  EXPECT_THAT(answer.outcomes, ElementsAre(Pair("youth_services", "unavailable")));
}

TEST(SharePolicyTest, AMalformedShareIsInvalidArgumentNamingTheField) {
  struct Case {
    std::string field;
    v1::ProviderRequest share;
  };
  std::vector<Case> cases;
  cases.push_back({"transaction_id", Share({"youth_services"})});
  cases.back().share.clear_transaction_id();
  cases.push_back({"request_id", Share({"youth_services"})});
  cases.back().share.clear_request_id();
  cases.push_back({"categories", Share({})});
  cases.push_back({"shared_data[0].category", Share({"youth_services"})});
  cases.back().share.mutable_shared_data(0)->set_category("wmo_services");
  cases.push_back({"subject_bsn", Share({"youth_services"})});
  cases.back().share.set_subject_bsn("123456789");

  for (const Case& c : cases) {
    RecordingBackend backend;
    Answer answer = Respond(c.share, backend);
    EXPECT_EQ(answer.status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(answer.status.message(), HasSubstr(c.field + ":"));
    EXPECT_THAT(answer.status.message(), ::testing::Not(HasSubstr("123456789")));
    EXPECT_THAT(backend.received, IsEmpty()) << c.field;
  }
}

TEST(SharePolicyTest, ShareCategoriesMustBeCatalogueNamesListedOnce) {
  for (const std::vector<std::string>& categories :
       {std::vector<std::string>{""}, std::vector<std::string>{"Youth Services"},
        std::vector<std::string>{"youth_services", "youth_services"}}) {
    PartyPolicy party = SchoolLikePolicy();
    party.share_categories = categories;
    absl::StatusOr<AnswerPolicy> policy = AnswerPolicy::Create(party);
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(policy.status().message(), HasSubstr("share_categories["));
  }
}

}  // namespace
}  // namespace wams::adapters
