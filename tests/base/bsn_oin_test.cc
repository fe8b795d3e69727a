// Tests for the BSN and OIN value types of the bottom layer: every kind of bad
// input gets its own message, no message echoes the number, and ParseBsn
// agrees with the one elfproef (wire::IsValidBsn) broker and adapters share.
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "broker/base/bsn.h"
#include "broker/base/oin.h"
#include "gtest/gtest.h"
#include "proto/wire/text_checks.h"
#include "tests/testing/status_matchers.h"

namespace wams::base {
namespace {

using ::wams::testing::StatusIs;

TEST(ParseBsnTest, AcceptsValidNumbers) {
  for (const char* valid : {"111222333", "123456782", "799642630", "578230859", "132845751",
                            "570178216", "334914346", "877001467"}) {
    absl::StatusOr<Bsn> bsn = ParseBsn(valid);
    ASSERT_TRUE(bsn.ok()) << valid << ": " << bsn.status();
    EXPECT_EQ(bsn->value(), valid);
    EXPECT_TRUE(wire::IsValidBsn(valid));
  }
}

struct BadBsn {
  const char* name;
  const char* input;
  const char* message;
};

// Test names, not bytes, in failure output.
void PrintTo(const BadBsn& row, std::ostream* os) { *os << row.name; }

class ParseBsnErrorTest : public ::testing::TestWithParam<BadBsn> {};

TEST_P(ParseBsnErrorTest, RejectsWithOwnMessageWithoutEchoingInput) {
  const BadBsn& row = GetParam();
  absl::StatusOr<Bsn> bsn = ParseBsn(row.input, "subject_bsn");
  ASSERT_THAT(bsn, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(bsn.status().message(), row.message);
  if (std::string(row.input).size() > 3) {
    EXPECT_EQ(std::string(bsn.status().message()).find(row.input), std::string::npos);
  }
  EXPECT_FALSE(wire::IsValidBsn(row.input));
}

INSTANTIATE_TEST_SUITE_P(
    Bsn, ParseBsnErrorTest,
    ::testing::Values(
        BadBsn{"Empty", "", "subject_bsn: BSN must have exactly 9 digits, got 0 characters"},
        BadBsn{"TooShort", "11122233",
               "subject_bsn: BSN must have exactly 9 digits, got 8 characters"},
        BadBsn{"TooLong", "1112223334",
               "subject_bsn: BSN must have exactly 9 digits, got 10 characters"},
        BadBsn{"Letter", "11122a333",
               "subject_bsn: BSN must contain only the digits 0-9; character 6 is not a digit"},
        BadBsn{"Space", " 11222333",
               "subject_bsn: BSN must contain only the digits 0-9; character 1 is not a digit"},
        BadBsn{"Wildcard", "*********",
               "subject_bsn: BSN must contain only the digits 0-9; character 1 is not a digit"},
        BadBsn{"AllZeros", "000000000", "subject_bsn: BSN must not be all zeros"},
        BadBsn{"FailsElfproef", "123456789",
               "subject_bsn: BSN fails the elfproef (check digit); check for a typing error"},
        BadBsn{"OneDigitOff", "111222334",
               "subject_bsn: BSN fails the elfproef (check digit); check for a typing error"},
        BadBsn{"WeightedSumZero", "100000009",
               "subject_bsn: BSN fails the elfproef (check digit); check for a typing error"}),
    [](const ::testing::TestParamInfo<BadBsn>& row_info) { return row_info.param.name; });

// The adapters' checks and the log redaction use wire's elfproef directly:
// whatever ParseBsn accepts they accept, and the other way round.
TEST(ParseBsnTest, AgreesWithTheSharedElfproef) {
  for (const char* text : {"111222333", "123456782", "999990019", "999990020", "123456789",
                           "000000000", "12345678", "1234567820", "12345678a", "100000009", ""}) {
    EXPECT_EQ(ParseBsn(text).ok(), wire::IsValidBsn(text)) << text;
  }
  EXPECT_EQ(wire::RedactBsns("id=111222333 n=123456789 t=1234567820 x=123456782."),
            "id=[bsn] n=123456789 t=1234567820 x=[bsn].");
}

TEST(ParseBsnTest, DefaultFieldNameIsBsn) {
  EXPECT_EQ(ParseBsn("1").status().message(),
            "bsn: BSN must have exactly 9 digits, got 1 characters");
}

TEST(ParseOinTest, AcceptsTwentyDigits) {
  absl::StatusOr<Oin> oin = ParseOin("00000001001234567000");
  ASSERT_TRUE(oin.ok()) << oin.status();
  EXPECT_EQ(oin->value(), "00000001001234567000");
}

struct BadOin {
  const char* name;
  const char* input;
  const char* message;
};

// Test names, not bytes, in failure output.
void PrintTo(const BadOin& row, std::ostream* os) { *os << row.name; }

class ParseOinErrorTest : public ::testing::TestWithParam<BadOin> {};

TEST_P(ParseOinErrorTest, RejectsWithOwnMessage) {
  const BadOin& row = GetParam();
  absl::StatusOr<Oin> oin = ParseOin(row.input, "parties[3].oin");
  ASSERT_THAT(oin, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(oin.status().message(), row.message);
}

INSTANTIATE_TEST_SUITE_P(
    Oin, ParseOinErrorTest,
    ::testing::Values(
        BadOin{"Empty", "", "parties[3].oin: OIN must have exactly 20 digits, got 0 characters"},
        BadOin{"TooShort", "0000000100123456700",
               "parties[3].oin: OIN must have exactly 20 digits, got 19 characters"},
        BadOin{"TooLong", "000000010012345670001",
               "parties[3].oin: OIN must have exactly 20 digits, got 21 characters"},
        BadOin{"NonDigit", "0000000100123456700X",
               "parties[3].oin: OIN must contain only the digits 0-9; character 20 is not a "
               "digit"},
        BadOin{"AllZeros", "00000000000000000000", "parties[3].oin: OIN must not be all zeros"}),
    [](const ::testing::TestParamInfo<BadOin>& row_info) { return row_info.param.name; });

}  // namespace
}  // namespace wams::base
