// wams-audit's export commands on a real export: a real broker process takes a
// case and a data request, is stopped and exports its log; then ldv-export's
// Logboek Dataverwerkingen records are checked field by field
// (broker/tools/README.md, "Logboek Dataverwerkingen"), and --json.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/audit/audit_test_util.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/client_case.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/subprocess.h"
#include "wams/broker/v1/config.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kResearchUri[] = "https://register.voorbeeldstad.nl/verwerkingen/wams-onderzoek";
constexpr char kCaseUri[] = "https://register.voorbeeldstad.nl/verwerkingen/wams-casus";

const google::protobuf::Value& Field(const google::protobuf::Struct& s, const std::string& name) {
  static const auto* const kNull = new google::protobuf::Value();
  auto found = s.fields().find(name);
  return found == s.fields().end() ? *kNull : found->second;
}

class ExportCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
    const std::string case_id =
        OpenClientCase(broker_, "open-ldv", kClientBsn, {v1::DOMAIN_EDUCATION});
    ASSERT_FALSE(case_id.empty());
    // A research request to the school: its adapter is not running, so it is
    // granted and not delivered (a decision and an answer receipt).
    v1::DataRequest request;
    request.set_request_id("ldv-request-1");
    request.set_case_id(case_id);
    request.set_subject_bsn(kClientBsn);
    request.set_provider_oin(kSchoolOin);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    request.add_categories("attendance");
    request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
    v1::DataResponse response;
    v1::ExchangeService::NewStub(broker_.Channel("municipality"))
        ->RequestData(&context, request, &response);
    // A forbidden purpose (R08): refused, and in the log. A register has no
    // activity for it; the refusal is the case administration's check.
    request.set_request_id("ldv-request-2");
    request.set_purpose(v1::PURPOSE_FRAUD_CONTROL);
    grpc::ClientContext refused_context;
    refused_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    refused_context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
    v1::ExchangeService::NewStub(broker_.Channel("municipality"))
        ->RequestData(&refused_context, request, &response);
    ASSERT_EQ(broker_.Stop(), 0);
    std::string output;
    ASSERT_EQ(broker_.ExportAndVerify(export_dir_, &output), 0) << output;
  }

  // Runs ldv-export with the broker's config, its processing_register
  // replaced by `register_text` (a ProcessingRegister textproto).
  int Export(const std::string& register_text, std::string* output) {
    v1::BrokerConfig config;
    EXPECT_TRUE(
        google::protobuf::TextFormat::ParseFromString(ReadFile(broker_.config_path()), &config));
    config.clear_processing_register();
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
        register_text, config.mutable_processing_register()));
    std::string text;
    google::protobuf::TextFormat::PrintToString(config, &text);
    WriteFile(config_, text);
    return RunCommand(
        {AuditBinary(), "ldv-export", "--config", config_, "--out", out_, export_dir_.string()},
        output);
  }

  BrokerFixture broker_;
  std::filesystem::path export_dir_ = broker_.root() / "export";
  std::string config_ = (broker_.root() / "ldv.textproto").string();
  std::string out_ = (broker_.root() / "ldv.jsonl").string();
};

TEST_F(ExportCommandsTest, WritesOneRecordPerReceiptWithTraceActivityAndPseudonymousSubject) {
  std::string output;
  ASSERT_EQ(Export(absl::StrCat("activities { purpose: PURPOSE_RESEARCH uri: \"", kResearchUri,
                                "\" } case_administration_uri: \"", kCaseUri, "\""),
                   &output),
            0)
      << output;
  const std::string text = ReadFile(out_);
  EXPECT_THAT(text, Not(HasSubstr(kClientBsn)));
  const std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  const std::string verified = ReadFile(export_dir_ / "receipts.jsonl");
  ASSERT_EQ(lines.size(),
            std::vector<std::string>(absl::StrSplit(verified, '\n', absl::SkipEmpty())).size());

  std::set<std::string> activities, span_ids, purposes;
  std::string decision_span, answer_parent, research_trace, subject;
  bool saw_error = false, saw_unset = false;
  for (const std::string& line : lines) {
    google::protobuf::Struct record;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &record).ok()) << line;
    EXPECT_THAT(Field(record, "trace_id").string_value(), MatchesRegex("[0-9a-f]{32}"));
    EXPECT_THAT(Field(record, "span_id").string_value(), MatchesRegex("[0-9a-f]{16}"));
    span_ids.insert(Field(record, "span_id").string_value());
    // The standard's names: start_time and end_time in milliseconds since the
    // epoch, status Unset/Ok/Error, resource holding only attributes.
    const double start = Field(record, "start_time").number_value();
    EXPECT_GT(start, 1.7e12) << line;  // after 2023: milliseconds, not seconds
    EXPECT_EQ(Field(record, "end_time").number_value(), start);
    EXPECT_FALSE(record.fields().contains("status_code"));
    const google::protobuf::Struct& resource = Field(record, "resource").struct_value();
    EXPECT_EQ(resource.fields().size(), 1u) << line;
    EXPECT_FALSE(
        Field(Field(resource, "attributes").struct_value(), "service.name").string_value().empty());
    const google::protobuf::Struct& attributes = Field(record, "attributes").struct_value();
    const std::string activity =
        Field(attributes, "dpl.core.processing_activity_id").string_value();
    activities.insert(activity);
    const std::string purpose = Field(attributes, "wams.purpose").string_value();
    purposes.insert(purpose);
    EXPECT_EQ(activity, purpose == "PURPOSE_RESEARCH" ? kResearchUri : kCaseUri) << line;
    const std::string this_subject = Field(attributes, "dpl.core.data_subject_id").string_value();
    if (!this_subject.empty()) {
      EXPECT_THAT(this_subject, MatchesRegex("[0-9a-f]{64}"));
      EXPECT_EQ(Field(attributes, "dpl.core.data_subject_id_type").string_value(),
                "wams-bsn-pseudonym");
      if (subject.empty()) subject = this_subject;
      EXPECT_EQ(this_subject, subject) << "one client, one pseudonym";
    }
    const std::string name = Field(record, "name").string_value();
    const std::string outcome = Field(attributes, "wams.outcome").string_value();
    const std::string status = Field(record, "status").string_value();
    if (outcome == "RECEIPT_OUTCOME_GRANTED") {
      EXPECT_EQ(status, "Ok") << line;
    } else if (outcome == "RECEIPT_OUTCOME_NOT_DELIVERED") {
      EXPECT_EQ(status, "Error") << line;  // the provider could not be reached
      saw_error = true;
    } else if (outcome == "RECEIPT_OUTCOME_REFUSED") {
      EXPECT_EQ(status, "Unset") << line;  // handled correctly; nothing took effect
      saw_unset = true;
    }
    if (name == "receipt_kind_decision" && purpose == "PURPOSE_RESEARCH") {
      decision_span = Field(record, "span_id").string_value();
      research_trace = Field(record, "trace_id").string_value();
    }
    if (name == "receipt_kind_provider_answer") {
      answer_parent = Field(record, "parent_span_id").string_value();
      EXPECT_EQ(Field(record, "trace_id").string_value(), research_trace);
    }
  }
  EXPECT_EQ(span_ids.size(), lines.size()) << "span ids are unique";
  EXPECT_EQ(activities, (std::set<std::string>{kResearchUri, kCaseUri}));
  EXPECT_TRUE(purposes.contains("PURPOSE_FRAUD_CONTROL")) << "the refusal has its record";
  EXPECT_TRUE(saw_error) << "the undelivered answer";
  EXPECT_TRUE(saw_unset) << "the refusal";
  EXPECT_FALSE(subject.empty());
  ASSERT_FALSE(decision_span.empty());
  EXPECT_EQ(answer_parent, decision_span) << "the answer runs inside its decision";
}

TEST_F(ExportCommandsTest, APurposeWithoutARegisterEntryIsRefusedNamingItAndWritesNothing) {
  std::string output;
  EXPECT_EQ(Export(absl::StrCat("case_administration_uri: \"", kCaseUri, "\""), &output), 1);
  EXPECT_THAT(output, HasSubstr("PURPOSE_RESEARCH"));
  EXPECT_TRUE(ReadFile(out_).empty());
}

TEST_F(ExportCommandsTest, ARegisterUriThatIsNotAbsoluteIsRefusedNamingTheField) {
  std::string output;
  EXPECT_EQ(Export("case_administration_uri: \"wams-casus\"", &output), 1);
  EXPECT_THAT(output, HasSubstr("processing_register.case_administration_uri"));
}

// --json: every command's result as one JSON object on stdout, a failure too.
TEST_F(ExportCommandsTest, JsonPrintsVerifyAndConsistencyResultsAndFailuresAsOneObject) {
  std::string output;
  ASSERT_EQ(RunCommand({AuditBinary(), "--json", "verify", export_dir_.string()}, &output), 0)
      << output;
  google::protobuf::Struct verified;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(output, &verified).ok()) << output;
  EXPECT_TRUE(Field(verified, "ok").bool_value());
  EXPECT_EQ(Field(verified, "command").string_value(), "verify");
  EXPECT_GT(Field(verified, "tree_size").number_value(), 0);
  EXPECT_EQ(Field(verified, "receipts_verified").number_value(),
            Field(verified, "tree_size").number_value());
  EXPECT_THAT(Field(verified, "root").string_value(), MatchesRegex("[0-9a-f]{64}"));

  output.clear();
  ASSERT_EQ(RunCommand({AuditBinary(), "consistency", "--json", export_dir_.string(),
                        export_dir_.string()},
                       &output),
            0)
      << output;
  google::protobuf::Struct consistent;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(output, &consistent).ok()) << output;
  EXPECT_TRUE(Field(consistent, "ok").bool_value());

  output.clear();
  const std::string missing = (broker_.root() / "no-export").string();
  EXPECT_EQ(RunCommand({AuditBinary(), "verify", "--json", missing}, &output), 1);
  google::protobuf::Struct failed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(output, &failed).ok()) << output;
  EXPECT_FALSE(Field(failed, "ok").bool_value());
  EXPECT_FALSE(Field(failed, "error").string_value().empty());
}

}  // namespace
}  // namespace wams::testing
