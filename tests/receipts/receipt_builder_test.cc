// NewReceipt (broker/receipts/receipt_builder.h): a receipt's time, and the
// time in its UUIDv7 id, come from the clock it is given, nothing else.
#include "broker/receipts/receipt_builder.h"

#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"

namespace wams::receipts {
namespace {

using ::wams::testing::FakeClock;

// 2026-01-01T00:00:00.123456789Z: sub-second, to see the nanoseconds kept.
const absl::Time kInstant = absl::FromUnixNanos(1'767'225'600'123'456'789);

// The Unix milliseconds a UUIDv7 carries in its first 48 bits.
int64_t UuidV7Millis(const std::string& id) {
  const std::string hex = absl::StrReplaceAll(id, {{"-", ""}}).substr(0, 12);
  uint64_t millis = 0;
  EXPECT_TRUE(absl::SimpleHexAtoi(hex, &millis)) << id;
  return static_cast<int64_t>(millis);
}

v1::Party Municipality() {
  v1::Party party;
  party.set_oin("00000001001234567000");
  party.set_name("Gemeente Voorbeeldstad");
  return party;
}

TEST(ReceiptBuilderTest, TimeIsExactlyTheInjectedClocksInstant) {
  FakeClock clock(kInstant);
  const v1::Party municipality = Municipality();
  const identity::Caller caller{.party = &municipality,
                                .certificate_oin = municipality.oin(),
                                .professional_id = "wmo-consulent-12"};

  v1::Receipt receipt = NewReceipt(v1::RECEIPT_KIND_CASE_EVENT, caller, "case-1", clock);

  EXPECT_EQ(receipt.time().seconds(), 1'767'225'600);
  EXPECT_EQ(receipt.time().nanos(), 123'456'789);
  EXPECT_EQ(UuidV7Millis(receipt.receipt_id()), absl::ToUnixMillis(kInstant));
  EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_CASE_EVENT);
  EXPECT_EQ(receipt.case_id(), "case-1");
  EXPECT_EQ(receipt.requester_oin(), municipality.oin());
  EXPECT_EQ(receipt.professional_id(), "wmo-consulent-12");
}

TEST(ReceiptBuilderTest, FollowsTheClockWhenItMoves) {
  FakeClock clock(kInstant);
  const identity::Caller nobody;
  clock.Advance(absl::Hours(24) + absl::Nanoseconds(1));

  v1::Receipt receipt = NewReceipt(v1::RECEIPT_KIND_AUDIT_QUERY, nobody, "", clock);

  EXPECT_EQ(receipt.time().seconds(), 1'767'225'600 + 86'400);
  EXPECT_EQ(receipt.time().nanos(), 123'456'790);
  EXPECT_EQ(receipt.requester_oin(), "") << "no party, no requester";
}

TEST(ReceiptBuilderTest, TimestampsBeforeTheSecondKeepTheirNanoseconds) {
  google::protobuf::Timestamp timestamp;
  SetTimestamp(absl::FromUnixNanos(999'999'999), &timestamp);
  EXPECT_EQ(timestamp.seconds(), 0);
  EXPECT_EQ(timestamp.nanos(), 999'999'999);
}

}  // namespace
}  // namespace wams::receipts
