// Unit tests of base::ResolveTraceIds and its parts: the W3C Trace Context
// rules for traceparent (version 00, and later versions per the spec's
// versioning rules) and the FSC transaction id (a lower-case UUIDv7).
#include "broker/base/trace_ids.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/base/uuid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wams::base {
namespace {

using ::testing::MatchesRegex;
using ::testing::Optional;

constexpr char kValid[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceIdsTest, Version00IsExactlyFourLowerCaseHexFieldsWithNonZeroIds) {
  EXPECT_TRUE(IsTraceparent(kValid));
  EXPECT_TRUE(IsTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
  EXPECT_TRUE(IsTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff"));
  for (const char* bad : {
           "",
           "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace-id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent-id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // version 00: no more
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // short trace-id
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // not version 00
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
       }) {
    EXPECT_FALSE(IsTraceparent(bad)) << bad;
    EXPECT_EQ(TraceIdOf(bad), "") << bad;
  }
}

TEST(TraceIdsTest, LaterVersionsContinueAsVersion00KeepingOnlyTheSampledFlag) {
  EXPECT_THAT(ContinuedTraceparent(kValid), Optional(std::string(kValid)));
  EXPECT_THAT(ContinuedTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
              Optional(std::string(kValid)));
  EXPECT_THAT(
      ContinuedTraceparent("fe-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0b-more-fields"),
      Optional(std::string(kValid)));
  EXPECT_THAT(ContinuedTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-fe"),
              Optional(std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")));
  for (const char* bad : {
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // forbidden version
           "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version not hex
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // no '-' after flags
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",      // shorter than 55
           "01-00000000000000000000000000000000-00f067aa0ba902b7-01",
           "01-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // 00 has no more
       }) {
    EXPECT_EQ(ContinuedTraceparent(bad), std::nullopt) << bad;
  }
}

TEST(TraceIdsTest, TransactionIdIsALowerCaseUuidV7OfTheRfc9562Variant) {
  EXPECT_TRUE(IsUuidV7("0190a8c0-1234-7abc-8def-0123456789ab"));
  EXPECT_TRUE(IsUuidV7("0190a8c0-1234-7abc-bdef-0123456789ab"));
  for (const char* bad : {
           "hello-not-uuid",
           "0190A8C0-1234-7ABC-8DEF-0123456789AB",    // upper case
           "9b2e6f0a-3c1d-4e5f-8a7b-1c2d3e4f5a6b",    // version 4
           "0190a8c0-1234-7abc-cdef-0123456789ab",    // variant 110
           "0190a8c0-1234-7abc-7def-0123456789ab",    // variant 0
           "{0190a8c0-1234-7abc-8def-0123456789ab}",  // braces
           "0190a8c012347abc8def0123456789ab",        // no dashes
           "0190a8c0-1234-7abc-8def-0123456789ag",
       }) {
    EXPECT_FALSE(IsUuidV7(bad)) << bad;
  }
}

TEST(TraceIdsTest, ResolveKeepsValidIdsAndReplacesOthersWithFreshOnes) {
  TraceIds kept = ResolveTraceIds(kValid, "", "0190a8c0-1234-7abc-8def-0123456789ab");
  EXPECT_EQ(kept.traceparent, kValid);
  EXPECT_EQ(kept.transaction_id, "0190a8c0-1234-7abc-8def-0123456789ab");
  EXPECT_EQ(TraceIdOf(kept.traceparent), "4bf92f3577b34da6a3ce929d0e0e4736");

  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    TraceIds fresh = ResolveTraceIds(i % 2 == 0 ? "" : "ZZZZ", "a=b", "hello-not-uuid");
    EXPECT_TRUE(IsTraceparent(fresh.traceparent)) << fresh.traceparent;
    EXPECT_THAT(fresh.traceparent, MatchesRegex("00-[0-9a-f]{32}-[0-9a-f]{16}-00"));
    EXPECT_TRUE(IsUuidV7(fresh.transaction_id)) << fresh.transaction_id;
    seen.insert(TraceIdOf(fresh.traceparent));
    // Resolving what the broker uses changes nothing.
    TraceIds again =
        ResolveTraceIds(fresh.traceparent, fresh.tracestate, fresh.transaction_id, fresh.span_id);
    EXPECT_EQ(again.traceparent, fresh.traceparent);
    EXPECT_EQ(again.transaction_id, fresh.transaction_id);
    EXPECT_EQ(again.span_id, fresh.span_id);
    // A fresh trace carries no tracestate: the one sent was another trace's.
    EXPECT_EQ(fresh.tracestate, "");
  }
  EXPECT_EQ(seen.size(), 100u);  // random trace ids
}

TEST(TraceIdsTest, EachCallGetsItsOwnSpanAndKeepsAValidTracestate) {
  TraceIds first = ResolveTraceIds(kValid, "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7", "");
  TraceIds second = ResolveTraceIds(kValid, "", "");
  EXPECT_TRUE(logging::IsSpanId(first.span_id)) << first.span_id;
  EXPECT_NE(first.span_id, second.span_id);
  EXPECT_EQ(first.tracestate, "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7");
  // The broker's span is the parent of what it sends on; trace and flags stay.
  EXPECT_EQ(logging::ChildTraceparent(kValid, "b7ad6b7169203331"),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01");
  EXPECT_EQ(logging::ChildTraceparent("garbage", "b7ad6b7169203331"), "");
  EXPECT_EQ(logging::ChildTraceparent(kValid, "0000000000000000"), "");
}

TEST(TraceIdsTest, MalformedTracestateIsDroppedWhole) {
  // Keys are lower case; every member has a key and "="; no control
  // character, not even the tab the spec allows; at most 512 bytes and 32 members.
  EXPECT_EQ(logging::ValidTracestate("Upper=1"), "");
  EXPECT_EQ(logging::ValidTracestate("a=1,b"), "");
  EXPECT_EQ(logging::ValidTracestate("a=1,=2"), "");
  EXPECT_EQ(logging::ValidTracestate("a=x\ty=1"), "");
  EXPECT_EQ(logging::ValidTracestate(std::string("a=1\n") + "b=2"), "");
  EXPECT_EQ(logging::ValidTracestate("a=" + std::string(600, 'x')), "");
  std::string many;
  for (int i = 0; i < 33; ++i) absl::StrAppend(&many, i == 0 ? "" : ",", "k", i, "=v");
  EXPECT_EQ(logging::ValidTracestate(many), "");
  EXPECT_EQ(logging::ValidTracestate("tenant@system=v,k=v"), "tenant@system=v,k=v");
  EXPECT_EQ(logging::ValidTracestate(""), "");
}

}  // namespace
}  // namespace wams::base
