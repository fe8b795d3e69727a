// Property tests over many random requests: the invariants that must never be
// broken whatever else holds, and byte-for-byte determinism.
#include <algorithm>
#include <string>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "policy/policy.h"
#include "tests/policy/policy_test_util.h"
#include "tests/policy/random_world.h"

namespace wams::policy {
namespace {

using testing::RandomWorld;
using testing::Scenario;
namespace t = ::wams::policy::testing;

constexpr uint64_t kSeed = 0x5741'4d53'2026;  // "WAMS" 2026
constexpr int kRequests = 20000;

bool Contains(const google::protobuf::RepeatedField<int>& values, int value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// The facts that must make a request fail, computed independently of the policy.
struct Violations {
  bool no_open_case = false;
  bool subject_not_client = false;
  bool forbidden_purpose = false;
  bool outside_client_scope = false;
  bool case_closed = false;
  bool coordination_not_by_coordinator = false;
  bool auditor_involved = false;

  bool any() const {
    return no_open_case || subject_not_client || forbidden_purpose || outside_client_scope ||
           case_closed || coordination_not_by_coordinator || auditor_involved;
  }
};

Violations Judge(const Scenario& s) {
  Violations v;
  const v1::Case& c = s.case_snapshot;
  v.no_open_case = !s.has_case || (c.phase() != v1::CASE_PHASE_RESEARCH &&
                                   c.phase() != v1::CASE_PHASE_COORDINATION);
  v.case_closed = s.has_case && c.phase() == v1::CASE_PHASE_CLOSED;
  v.forbidden_purpose = s.purpose == v1::PURPOSE_CRIMINAL_INVESTIGATION ||
                        s.purpose == v1::PURPOSE_FRAUD_CONTROL ||
                        s.purpose == v1::PURPOSE_UNSPECIFIED;
  bool is_client = false;
  if (s.has_case) {
    for (const v1::CaseClient& client : c.clients()) {
      if (client.bsn() == s.subject_bsn && (client.primary() || client.agreed())) is_client = true;
    }
  }
  v.subject_not_client = !is_client;
  if (s.has_case && s.has_target && c.origin() == v1::CASE_ORIGIN_CLIENT_REQUEST) {
    const int domain = s.target.domain();
    v.outside_client_scope =
        Contains(c.scope().domains_out(), domain) ||
        (domain != v1::DOMAIN_SOCIAL && !Contains(c.scope().domains_in(), domain));
  }
  const bool coordination_request = s.kind == RequestKind::kDataRequest &&
                                    (s.purpose == v1::PURPOSE_COORDINATION ||
                                     (s.purpose == v1::PURPOSE_CASE_CONFERENCE && s.has_case &&
                                      c.phase() == v1::CASE_PHASE_COORDINATION));
  if (coordination_request) {
    const bool is_coordinator =
        s.has_case && s.has_requester && c.coordination().has_designated() &&
        c.coordination().designated().party_oin() == s.requester.oin() &&
        c.coordination().designated().professional_id() == s.professional_id &&
        !s.professional_id.empty();
    v.coordination_not_by_coordinator = !is_coordinator;
  }
  v.auditor_involved = (s.has_requester && s.requester.role() == v1::PARTY_ROLE_AUDITOR) ||
                       (s.has_target && s.target.role() == v1::PARTY_ROLE_AUDITOR);
  return v;
}

TEST(PropertyTest, NeverAllowsWhatTheRulesForbid) {
  RandomWorld world(kSeed);
  const Policy& policy = t::TestPolicy();
  int allowed = 0;
  int refused_by_invariant = 0;
  for (int i = 0; i < kRequests; ++i) {
    Scenario s;
    world.Fill(s);
    const v1::Decision decision = policy.Decide(s.Input());
    const Violations v = Judge(s);
    if (v.any()) {
      ++refused_by_invariant;
      ASSERT_FALSE(decision.allowed())
          << "request " << i << " violates an invariant but was allowed:\n"
          << s.case_snapshot.DebugString() << "\npurpose " << s.purpose << " requester "
          << s.requester.oin() << "/" << s.professional_id << " target " << s.target.oin() << "\n"
          << decision.DebugString();
    }
    // Deny by default: allowed exactly when no rule failed.
    const bool any_failed =
        std::any_of(decision.rules().begin(), decision.rules().end(),
                    [](const auto& rule) { return rule.outcome() == v1::RULE_OUTCOME_FAILED; });
    ASSERT_EQ(decision.allowed(), !any_failed);
    ASSERT_EQ(decision.failed_rule_ids_size() == 0, !any_failed);
    ASSERT_EQ(decision.rules_size(), 16);
    if (decision.allowed()) ++allowed;
  }
  // The test can only fail if some requests pass and some are refused.
  EXPECT_GT(allowed, kRequests / 100) << "too few allowed requests to mean anything";
  EXPECT_GT(refused_by_invariant, kRequests / 2);
  std::cout << "[ property ] " << kRequests << " requests: " << allowed << " allowed, "
            << refused_by_invariant << " violating an invariant (all refused)\n";
}

std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

TEST(DeterminismTest, SameInputGivesByteIdenticalDecision) {
  absl::StatusOr<Policy> second = Policy::Create(t::MakeConfig());
  ASSERT_TRUE(second.ok());
  RandomWorld world(kSeed + 1);
  for (int i = 0; i < 2000; ++i) {
    Scenario s;
    world.Fill(s);
    const std::string first = DeterministicBytes(t::TestPolicy().Decide(s.Input()));
    ASSERT_EQ(first, DeterministicBytes(t::TestPolicy().Decide(s.Input()))) << "request " << i;
    ASSERT_EQ(first, DeterministicBytes(second->Decide(s.Input()))) << "request " << i;
  }
}

TEST(DeterminismTest, SameAnswerGivesByteIdenticalVerdict) {
  Scenario s;
  const v1::Decision decision = t::TestPolicy().Decide(s.Input());
  v1::ProviderResponse answer;
  answer.set_status(v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  answer.add_data()->set_category("treatment_summary");
  EXPECT_EQ(DeterministicBytes(t::TestPolicy().CheckAnswer(decision, answer, s.language)),
            DeterministicBytes(t::TestPolicy().CheckAnswer(decision, answer, s.language)));
}

}  // namespace
}  // namespace wams::policy
