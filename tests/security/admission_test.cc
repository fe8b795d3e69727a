// Admission (broker/services/admission.h) with a fake clock: the token
// bucket's arithmetic, the concurrency slots, and that parties do not share
// either.
#include "broker/services/admission.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace wams::services {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::wams::testing::FakeClock;
using ::wams::testing::StatusIs;

v1::Party MakeParty(const std::string& oin, const std::string& name) {
  v1::Party party;
  party.set_oin(oin);
  party.set_name(name);
  return party;
}

class AdmissionTest : public ::testing::Test {
 protected:
  AdmissionOptions Options(uint32_t rate, uint32_t burst, uint32_t concurrency) {
    return AdmissionOptions{.rate = rate, .burst = burst, .concurrency = concurrency};
  }

  FakeClock clock_{absl::FromUnixSeconds(1'767'225'600)};
  const v1::Party ggz_ = MakeParty("00000003234567890000", "GGZ Voorbeeld");
  const v1::Party school_ = MakeParty("00000003345678900000", "Voorbeeldcollege");
};

TEST_F(AdmissionTest, WithoutLimitsEveryCallIsAdmitted) {
  Admission admission(Options(0, 0, 0), clock_);
  EXPECT_FALSE(admission.enabled());
  std::vector<Admission::Ticket> held;
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<Admission::Ticket> ticket = admission.Admit(ggz_);
    ASSERT_TRUE(ticket.ok());
    held.push_back(*std::move(ticket));
  }
}

TEST_F(AdmissionTest, BurstIsAdmittedThenTheRateRefills) {
  Admission admission(Options(/*rate=*/2, /*burst=*/4, 0), clock_);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(admission.Admit(ggz_).ok()) << i;
  absl::Status refused = admission.Admit(ggz_).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), AllOf(HasSubstr("limits.per_party_rate"), HasSubstr(ggz_.oin()),
                                       HasSubstr("GGZ Voorbeeld"), HasSubstr("retry in 500 ms")));

  clock_.Advance(absl::Milliseconds(250));  // half a token
  EXPECT_THAT(admission.Admit(ggz_), StatusIs(absl::StatusCode::kResourceExhausted));
  clock_.Advance(absl::Milliseconds(250));
  EXPECT_TRUE(admission.Admit(ggz_).ok());
  EXPECT_THAT(admission.Admit(ggz_), StatusIs(absl::StatusCode::kResourceExhausted));

  // Idle for long: the bucket holds no more than its size.
  clock_.Advance(absl::Hours(1));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(admission.Admit(ggz_).ok()) << i;
  EXPECT_THAT(admission.Admit(ggz_), StatusIs(absl::StatusCode::kResourceExhausted));

  AdmissionStats stats = admission.Stats(ggz_.oin());
  EXPECT_EQ(stats.admitted, 9u);
  EXPECT_EQ(stats.refused_rate, 4u);
}

TEST_F(AdmissionTest, BurstDefaultsToTheRate) {
  Admission admission(Options(/*rate=*/3, /*burst=*/0, 0), clock_);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(admission.Admit(ggz_).ok()) << i;
  EXPECT_THAT(admission.Admit(ggz_), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(AdmissionTest, EachPartyHasItsOwnBucket) {
  Admission admission(Options(/*rate=*/1, /*burst=*/1, 0), clock_);
  EXPECT_TRUE(admission.Admit(ggz_).ok());
  EXPECT_THAT(admission.Admit(ggz_), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_TRUE(admission.Admit(school_).ok());
  EXPECT_EQ(admission.Stats(school_.oin()).refused_rate, 0u);
}

TEST_F(AdmissionTest, ConcurrencySlotsComeBackWhenTicketsAreReleasedOrDestroyed) {
  Admission admission(Options(0, 0, /*concurrency=*/2), clock_);
  absl::StatusOr<Admission::Ticket> first = admission.Admit(ggz_);
  absl::StatusOr<Admission::Ticket> second = admission.Admit(ggz_);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(admission.Stats(ggz_.oin()).in_flight, 2);

  absl::Status refused = admission.Admit(ggz_).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(),
              AllOf(HasSubstr("limits.per_party_concurrency"), HasSubstr(ggz_.oin())));
  EXPECT_TRUE(admission.Admit(school_).ok()) << "another party is not limited";

  first->Release();
  first->Release();  // a second release gives nothing back twice
  EXPECT_EQ(admission.Stats(ggz_.oin()).in_flight, 1);
  {
    absl::StatusOr<Admission::Ticket> third = admission.Admit(ggz_);
    ASSERT_TRUE(third.ok());
    EXPECT_THAT(admission.Admit(ggz_), StatusIs(absl::StatusCode::kResourceExhausted));
  }  // destroyed: released
  Admission::Ticket moved = *std::move(second);
  EXPECT_EQ(admission.Stats(ggz_.oin()).in_flight, 1) << "a move keeps one slot, not two";
  moved = Admission::Ticket();
  EXPECT_EQ(admission.Stats(ggz_.oin()).in_flight, 0);
  EXPECT_EQ(admission.Stats(ggz_.oin()).refused_concurrency, 2u);
}

TEST_F(AdmissionTest, ExportStreamsHaveTheirOwnLimitAndGiveTheSlotBack) {
  AdmissionOptions options = Options(0, 0, 0);
  options.export_streams = 2;
  Admission admission(options, clock_);
  EXPECT_FALSE(admission.enabled()) << "ordinary calls stay unlimited";
  using Kind = Admission::CallKind;
  absl::StatusOr<Admission::Ticket> first = admission.Admit(ggz_, Kind::kExportStream);
  absl::StatusOr<Admission::Ticket> second = admission.Admit(ggz_, Kind::kExportStream);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(admission.Stats(ggz_.oin()).export_streams, 2);

  absl::Status refused = admission.Admit(ggz_, Kind::kExportStream).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(),
              AllOf(HasSubstr("limits.per_party_export_streams"), HasSubstr(ggz_.oin())));
  EXPECT_TRUE(admission.Admit(ggz_).ok()) << "other calls of the party are not affected";
  EXPECT_TRUE(admission.Admit(school_, Kind::kExportStream).ok()) << "nor other parties";

  Admission::Ticket moved = *std::move(first);
  moved.Release();
  EXPECT_EQ(admission.Stats(ggz_.oin()).export_streams, 1);
  EXPECT_TRUE(admission.Admit(ggz_, Kind::kExportStream).ok());
  EXPECT_EQ(admission.Stats(ggz_.oin()).refused_export_streams, 1u);
}

TEST_F(AdmissionTest, CallRefusedForConcurrencyTakesNoToken) {
  Admission admission(Options(/*rate=*/1, /*burst=*/1, /*concurrency=*/1), clock_);
  absl::StatusOr<Admission::Ticket> held = admission.Admit(ggz_);
  ASSERT_TRUE(held.ok());
  clock_.Advance(absl::Seconds(1));  // one token again
  EXPECT_THAT(admission.Admit(ggz_).status().message(), HasSubstr("per_party_concurrency"));
  held->Release();
  EXPECT_TRUE(admission.Admit(ggz_).ok()) << "the refused call must not have used the token";
}

TEST_F(AdmissionTest, ConcurrentCallersNeverHoldMoreSlotsThanTheLimit) {
  Admission admission(Options(0, 0, /*concurrency=*/3), clock_);
  std::atomic<int> holding{0};
  std::atomic<int> most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        absl::StatusOr<Admission::Ticket> ticket = admission.Admit(ggz_);
        if (!ticket.ok()) continue;
        int now_holding = holding.fetch_add(1) + 1;
        int seen = most.load();
        while (now_holding > seen && !most.compare_exchange_weak(seen, now_holding)) {
        }
        holding.fetch_sub(1);
        ticket->Release();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_LE(most.load(), 3);
  AdmissionStats stats = admission.Stats(ggz_.oin());
  EXPECT_EQ(stats.in_flight, 0);
  EXPECT_EQ(stats.admitted + stats.refused_concurrency, 4u * 5000u);
}

TEST(AdmissionOptionsTest, ComeFromTheConfigLimits) {
  v1::Limits limits;
  limits.set_per_party_rate(50);
  limits.set_per_party_burst(80);
  limits.set_per_party_concurrency(20);
  AdmissionOptions options = AdmissionOptions::FromLimits(limits);
  EXPECT_EQ(options.rate, 50u);
  EXPECT_EQ(options.burst, 80u);
  EXPECT_EQ(options.concurrency, 20u);
}

}  // namespace
}  // namespace wams::services
