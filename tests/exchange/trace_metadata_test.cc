// Trace and transaction ids are checked before they are signed (issue 16,
// point 9): a real broker process, real providers over mTLS. A caller's
// `traceparent` (W3C Trace Context) and `fsc-transaction-id` (FSC, UUIDv7)
// reach the provider and the receipts only when valid; an invalid or absent
// one is replaced by a fresh one and kept nowhere (not in the receipt log,
// not in the broker's log), and the answer says which ids were used: in its
// initial metadata and in DataResponse.transaction_id / traceparent.
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kTransactionId[] = "0190a8c0-1234-7abc-8def-0123456789ab";

// What the broker may use: a version-00 traceparent and a lower-case UUIDv7.
constexpr char kValidTraceparent[] = "00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}";
constexpr char kValidUuidV7[] =
    "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

// The trace metadata a call sent ("" for none) and what came back.
struct TracedCall {
  CallResult result;
  v1::DataResponse response;
  std::string traceparent;     // the response's initial metadata
  std::string transaction_id;  // the response's initial metadata
};

// The trace-id of a traceparent ("" when it is too short to hold one).
std::string TraceIdIn(const std::string& traceparent) {
  return traceparent.size() < 35 ? "" : traceparent.substr(3, 32);
}

// "" when `forwarded` continues `sent`'s trace (same trace-id and flags)
// from another span (the broker's, issue 18), else what differs.
std::string SameTraceOtherSpan(const std::string& forwarded, const std::string& sent) {
  if (forwarded.size() != 55 || sent.size() != 55) return "not a traceparent: " + forwarded;
  if (forwarded.substr(0, 36) != sent.substr(0, 36)) return "another trace: " + forwarded;
  if (forwarded.substr(52) != sent.substr(52)) return "other flags: " + forwarded;
  if (forwarded.substr(36, 16) == sent.substr(36, 16)) return "the caller's span: " + forwarded;
  return "";
}

std::string MetadataValue(const grpc::ClientContext& context, const std::string& key) {
  auto found = context.GetServerInitialMetadata().find(key);
  if (found == context.GetServerInitialMetadata().end()) return "";
  return std::string(found->second.data(), found->second.size());
}

void AddTraceMetadata(grpc::ClientContext* context, const std::string& traceparent,
                      const std::string& transaction_id) {
  if (!traceparent.empty()) context->AddMetadata("traceparent", traceparent);
  if (!transaction_id.empty()) context->AddMetadata("fsc-transaction-id", transaction_id);
}

class TraceMetadataTest : public ExchangeFlowTest {
 protected:
  TracedCall Request(const v1::DataRequest& request, const std::string& traceparent,
                     const std::string& transaction_id) {
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    AddTraceMetadata(&context, traceparent, transaction_id);
    TracedCall call;
    call.result = ResultOf(Exchange()->RequestData(&context, request, &call.response));
    call.traceparent = MetadataValue(context, "traceparent");
    call.transaction_id = MetadataValue(context, "fsc-transaction-id");
    return call;
  }

  // The bytes of every receipt in the log (decoded from the auditor export
  // of the stopped broker), one after the other.
  std::string ReceiptLogBytes() {
    EXPECT_EQ(broker_.Stop(), 0);
    std::filesystem::path dir = broker_.root() / "trace-export";
    std::string output;
    EXPECT_EQ(broker_.ExportAndVerify(dir, &output), 0) << output;
    std::ifstream in(dir / "receipts.jsonl");
    static const std::regex kReceipt("\"receipt\"\\s*:\\s*\"([A-Za-z0-9+/=]*)\"");
    std::string all;
    int receipts = 0;
    for (std::string line; std::getline(in, line);) {
      std::smatch match;
      std::string bytes;
      EXPECT_TRUE(std::regex_search(line, match, kReceipt) &&
                  absl::Base64Unescape(match[1].str(), &bytes))
          << line;
      all += bytes;
      ++receipts;
    }
    EXPECT_GT(receipts, 0);
    return all;
  }
};

TEST_F(TraceMetadataTest, ValidIdsReachTheProviderAndTheReceiptsAndComeBack) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  TracedCall call = Request(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), kTraceparent,
                            kTransactionId);
  ASSERT_TRUE(call.result.status.ok()) << call.result.status.error_message();

  ASSERT_EQ(school_->Received().size(), 1u);
  EXPECT_EQ(SameTraceOtherSpan(school_->Received()[0].traceparent(), kTraceparent), "");
  EXPECT_EQ(school_->Received()[0].transaction_id(), kTransactionId);
  for (const v1::SignedReceipt* stored :
       {&call.response.decision_receipt(), &call.response.answer_receipt()}) {
    v1::Receipt receipt = Decode(*stored);
    EXPECT_EQ(receipt.trace_id(), kTraceId);
    EXPECT_EQ(receipt.transaction_id(), kTransactionId);
  }
  EXPECT_EQ(call.response.transaction_id(), kTransactionId);
  EXPECT_EQ(call.traceparent, kTraceparent);
  EXPECT_EQ(call.transaction_id, kTransactionId);
}

TEST_F(TraceMetadataTest, InvalidIdsAreReplacedByFreshOnesAndKeptNowhere) {
  struct Sent {
    std::string traceparent;
    std::string transaction_id;
  };
  const std::vector<Sent> invalid = {
      {std::string(55, 'Z'), "hello-not-uuid"},
      {"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
       "0190A8C0-1234-7ABC-8DEF-0123456789AB"},  // upper case
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
       "9b2e6f0a-3c1d-4e5f-8a7b-1c2d3e4f5a6b"},  // a UUIDv4
      {"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
       "0190a8c0-1234-7abc-cdef-0123456789ab"},  // not the RFC 9562 variant
      {"00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
       "{0190a8c0-1234-7abc-8def-0123456789ab}"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", "0190a8c0123470bc8def01"},
      {"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01xyz", ""},
  };
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  for (size_t i = 0; i < invalid.size(); ++i) {
    SCOPED_TRACE(absl::StrCat(invalid[i].traceparent, " / ", invalid[i].transaction_id));
    TracedCall call = Request(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}),
                              invalid[i].traceparent, invalid[i].transaction_id);
    ASSERT_TRUE(call.result.status.ok()) << call.result.status.error_message();

    // Fresh, valid ids instead, the same everywhere.
    EXPECT_THAT(call.traceparent, MatchesRegex(kValidTraceparent));
    EXPECT_THAT(call.transaction_id, MatchesRegex(kValidUuidV7));
    EXPECT_THAT(call.traceparent, Not(HasSubstr(kTraceId)));
    ASSERT_EQ(school_->Received().size(), i + 1);
    EXPECT_EQ(SameTraceOtherSpan(school_->Received()[i].traceparent(), call.traceparent), "");
    EXPECT_EQ(school_->Received()[i].transaction_id(), call.transaction_id);
    for (const v1::SignedReceipt* stored :
         {&call.response.decision_receipt(), &call.response.answer_receipt()}) {
      v1::Receipt receipt = Decode(*stored);
      EXPECT_EQ(receipt.trace_id(), TraceIdIn(call.traceparent));
      EXPECT_EQ(receipt.transaction_id(), call.transaction_id);
    }
    EXPECT_EQ(call.response.transaction_id(), call.transaction_id);
  }

  // No invalid value is in the receipt log or the broker's log.
  const std::string log = ReadFile(broker_.log_path());
  const std::string exported = ReceiptLogBytes();
  for (const Sent& sent : invalid) {
    for (const std::string& value : {sent.traceparent, sent.transaction_id}) {
      if (value.empty()) continue;
      EXPECT_THAT(exported, Not(HasSubstr(value))) << value;
      EXPECT_THAT(log, Not(HasSubstr(value))) << value;
    }
    // Nor the trace-id of an invalid traceparent.
    if (const std::string trace_id = TraceIdIn(sent.traceparent); !trace_id.empty()) {
      EXPECT_THAT(exported, Not(HasSubstr(trace_id))) << trace_id;
    }
  }
  EXPECT_THAT(exported, Not(HasSubstr(kTraceId)));
}

TEST_F(TraceMetadataTest, LaterVersionContinuesTheTraceAsVersion00) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  // Version cc with a field beyond version 00's, sampled bit set in 09.
  TracedCall call =
      Request(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}),
              "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-comes", kTransactionId);
  ASSERT_TRUE(call.result.status.ok()) << call.result.status.error_message();
  EXPECT_EQ(call.traceparent, kTraceparent);
  ASSERT_EQ(school_->Received().size(), 1u);
  EXPECT_EQ(SameTraceOtherSpan(school_->Received()[0].traceparent(), kTraceparent), "");
  EXPECT_EQ(Decode(call.response.decision_receipt()).trace_id(), kTraceId);
}

TEST_F(TraceMetadataTest, WithoutTraceMetadataTheBrokerStartsATraceAndATransaction) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  TracedCall call = Request(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), "", "");
  ASSERT_TRUE(call.result.status.ok()) << call.result.status.error_message();
  EXPECT_THAT(call.traceparent, MatchesRegex(kValidTraceparent));
  EXPECT_THAT(call.transaction_id, MatchesRegex(kValidUuidV7));
  ASSERT_EQ(school_->Received().size(), 1u);
  EXPECT_EQ(SameTraceOtherSpan(school_->Received()[0].traceparent(), call.traceparent), "");
  EXPECT_EQ(Decode(call.response.answer_receipt()).trace_id(), TraceIdIn(call.traceparent));
  EXPECT_EQ(call.response.transaction_id(), call.transaction_id);
}

TEST_F(TraceMetadataTest, AnIdSentTwiceIsReplaced) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  AddTraceMetadata(&context, kTraceparent, kTransactionId);
  AddTraceMetadata(&context, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                   "0190a8c0-1234-7abc-8def-0123456789ac");
  v1::DataResponse response;
  grpc::Status status = Exchange()->RequestData(
      &context, NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(response.traceparent(), MatchesRegex(kValidTraceparent));
  EXPECT_THAT(response.traceparent(), Not(HasSubstr(kTraceId)));
  EXPECT_THAT(response.traceparent(), Not(HasSubstr("0af7651916cd43dd8448eb211c80319c")));
  EXPECT_THAT(response.transaction_id(), MatchesRegex(kValidUuidV7));
  EXPECT_NE(response.transaction_id(), kTransactionId);
  EXPECT_EQ(MetadataValue(context, "fsc-transaction-id"), response.transaction_id());
}

TEST_F(TraceMetadataTest, ShareCarriesTheIdsToTheRecipientAndBack) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse involved;  // R21: a share goes to a party involved in the case
  ASSERT_TRUE(
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &involved).status.ok());
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  AddTraceMetadata(&context, kTraceparent, "hello-not-uuid");
  v1::ShareResponse shared;
  grpc::Status status =
      Exchange()->ShareData(&context, NewShareRequest(opened.case_id(), kSchoolOin), &shared);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const std::string transaction_id = MetadataValue(context, "fsc-transaction-id");
  EXPECT_THAT(transaction_id, MatchesRegex(kValidUuidV7));
  EXPECT_EQ(MetadataValue(context, "traceparent"), kTraceparent);
  EXPECT_EQ(shared.traceparent(), kTraceparent);
  EXPECT_EQ(shared.transaction_id(), transaction_id);
  ASSERT_EQ(school_->Received().size(), 2u);
  EXPECT_TRUE(school_->Received()[1].is_share());
  EXPECT_EQ(SameTraceOtherSpan(school_->Received()[1].traceparent(), kTraceparent), "");
  EXPECT_EQ(school_->Received()[1].transaction_id(), transaction_id);
  v1::Receipt delivered = Decode(shared.delivery_receipt());
  EXPECT_EQ(delivered.trace_id(), kTraceId);
  EXPECT_EQ(delivered.transaction_id(), transaction_id);
}

TEST_F(TraceMetadataTest, RefusalsAndDryRunsSayWhichIdsTheyUsed) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {v1::DOMAIN_POLICE});
  // A refusal (R04): its receipt holds the fresh ids, which the answer names.
  TracedCall refused =
      Request(NewRequest(opened.case_id(), kPoliceOin, {"police_contacts"}),
              "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "hello-not-uuid");
  EXPECT_EQ(refused.result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(refused.traceparent, MatchesRegex(kValidTraceparent));
  EXPECT_THAT(refused.transaction_id, MatchesRegex(kValidUuidV7));
  ASSERT_EQ(refused.result.receipts.size(), 1u);
  EXPECT_EQ(refused.result.receipts[0].trace_id(), TraceIdIn(refused.traceparent));
  EXPECT_EQ(refused.result.receipts[0].transaction_id(), refused.transaction_id);

  // A dry run: valid ids are used as sent.
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  AddTraceMetadata(&context, kTraceparent, kTransactionId);
  v1::CheckResponse checked;
  grpc::Status status = Exchange()->CheckRequest(
      &context, NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &checked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(MetadataValue(context, "traceparent"), kTraceparent);
  EXPECT_EQ(MetadataValue(context, "fsc-transaction-id"), kTransactionId);
}

}  // namespace
}  // namespace wams::testing
