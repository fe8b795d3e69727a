// The C2SP tlog-witness add-checkpoint codec (broker/witnessing/protocol.h)
// and witness URLs: round trips, the spec's example, and malformed bodies.
#include "broker/witnessing/protocol.h"

#include <string>

#include "broker/ledger/merkle/merkle.h"
#include "broker/witnessing/witness_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wams::witnessing {
namespace {

using ::wams::testing::StatusIs;
constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

constexpr char kNote[] = "example.com/log\n2\nAAAA\n\n\xe2\x80\x94 example.com/log c2ln\n";

TEST(AddCheckpointCodecTest, RoundTripsSizeProofAndNoteByteForByte) {
  AddCheckpointRequest request{
      .old_size = 20852014, .proof = {ledger::LeafHash("a"), ledger::LeafHash("b")}, .note = kNote};
  const std::string body = FormatAddCheckpointRequest(request);
  EXPECT_TRUE(body.starts_with("old 20852014\n"));
  absl::StatusOr<AddCheckpointRequest> parsed = ParseAddCheckpointRequest(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->old_size, 20852014u);
  EXPECT_EQ(parsed->proof, request.proof);
  EXPECT_EQ(parsed->note, kNote);
}

TEST(AddCheckpointCodecTest, OldZeroWithoutProofIsTheEmptyLineThenTheNote) {
  EXPECT_EQ(FormatAddCheckpointRequest({.old_size = 0, .proof = {}, .note = kNote}),
            std::string("old 0\n\n") + kNote);
}

TEST(AddCheckpointCodecTest, RefusesMalformedBodies) {
  const std::string hash = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
  for (const std::string& body : {
           std::string(""),
           std::string("old 1"),                                 // no newline
           std::string("new 1\n\n") + kNote,                     // not "old"
           std::string("old 01\n\n") + kNote,                    // leading zero
           std::string("old -1\n\n") + kNote,                    // sign
           std::string("old 18446744073709551616\n\n") + kNote,  // 2^64
           std::string("old  1\n\n") + kNote,                    // two spaces
           std::string("old 1\n") + hash,                        // no empty line
           std::string("old 1\nnot base64\n\n") + kNote,
           std::string("old 1\nAAAA\n\n") + kNote,  // 3 bytes, not 32
           std::string("old 1\n") + hash + "\n",    // no checkpoint
           std::string("old 1\n\n") + std::string(kMaxRequestBytes, 'x'),
       }) {
    EXPECT_THAT(ParseAddCheckpointRequest(body), StatusIs(kInvalid)) << body.substr(0, 60);
  }
}

TEST(AddCheckpointCodecTest, AllowsSixtyThreeProofLinesNotSixtyFour) {
  AddCheckpointRequest request{.old_size = 1, .proof = {}, .note = kNote};
  request.proof.assign(kMaxProofLines, ledger::LeafHash("x"));
  EXPECT_TRUE(ParseAddCheckpointRequest(FormatAddCheckpointRequest(request)).ok());
  request.proof.push_back(ledger::LeafHash("x"));
  EXPECT_THAT(ParseAddCheckpointRequest(FormatAddCheckpointRequest(request)), StatusIs(kInvalid));
}

TEST(TreeSizeCodecTest, IsDecimalAndANewline) {
  EXPECT_EQ(FormatTreeSize(42), "42\n");
  EXPECT_EQ(ParseTreeSize("42\n").value(), 42u);
  EXPECT_EQ(ParseTreeSize("0\n").value(), 0u);
  for (const char* bad : {"42", "042\n", "\n", "4 2\n", "x\n"}) {
    EXPECT_THAT(ParseTreeSize(bad), StatusIs(kInvalid)) << bad;
  }
}

TEST(CosignatureLinesTest, SplitsSignatureLinesAndRefusesOtherText) {
  absl::StatusOr<std::vector<std::string>> lines =
      ParseCosignatureLines("\xe2\x80\x94 w1 AAAA\n\xe2\x80\x94 w2 BBBB\n");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(*lines, ::testing::ElementsAre("\xe2\x80\x94 w1 AAAA\n", "\xe2\x80\x94 w2 BBBB\n"));
  EXPECT_THAT(ParseCosignatureLines(""), StatusIs(kInvalid));
  EXPECT_THAT(ParseCosignatureLines("\xe2\x80\x94 w1 AAAA"), StatusIs(kInvalid));
  EXPECT_THAT(ParseCosignatureLines("<html>\n"), StatusIs(kInvalid));
}

TEST(WitnessUrlTest, SplitsHostPortAndPathAndRefusesTheRest) {
  absl::StatusOr<WitnessUrl> url = ParseWitnessUrl("https://w1.example:8443/witness/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "w1.example");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/witness");
  EXPECT_EQ(ParseWitnessUrl("https://w1.example").value().port, 443);
  for (const char* bad :
       {"http://w1.example", "https://", "https://w1.example:0", "https://w1.example:99999",
        "https://w1.example/a?b", "https://u@w1.example", "https://w1 .example"}) {
    EXPECT_THAT(ParseWitnessUrl(bad), StatusIs(kInvalid)) << bad;
  }
}

}  // namespace
}  // namespace wams::witnessing
