// The API's field rules (wams/broker/v1/field_rules.proto) and the validator
// that enforces them (proto/wire): every string, bytes and repeated field of
// every request message has a rule, and each rule refuses what it must with
// the right code, naming the field and the limit and never the value.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "proto/wire/field_validator.h"
#include "proto/wire/log_text.h"
#include "proto/wire/text_checks.h"
#include "wams/broker/v1/audit.pb.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/conference.pb.h"
#include "wams/broker/v1/exchange.pb.h"
#include "wams/broker/v1/provider.pb.h"

namespace wams::wire {
namespace {

namespace v1 = ::wams::broker::v1;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kValidBsn[] = "123456782";

// Every message reachable from `message` through its fields.
void Collect(const Descriptor* message, std::set<const Descriptor*>* seen) {
  if (!seen->insert(message).second) return;
  for (int i = 0; i < message->field_count(); ++i) {
    if (message->field(i)->message_type() != nullptr) {
      Collect(message->field(i)->message_type(), seen);
    }
  }
}

// The request messages of every service, and the provider's answer, which
// the broker receives and checks the same way.
std::set<const Descriptor*> RequestMessages() {
  std::set<const Descriptor*> messages;
  for (const google::protobuf::FileDescriptor* file :
       {v1::OpenClientCaseRequest::descriptor()->file(), v1::DataRequest::descriptor()->file(),
        v1::ConveneRequest::descriptor()->file(), v1::ListReceiptsRequest::descriptor()->file(),
        v1::ProviderRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        Collect(file->service(s)->method(m)->input_type(), &messages);
      }
    }
  }
  Collect(v1::ProviderResponse::descriptor(), &messages);
  return messages;
}

TEST(FieldRulesTest, EveryStringBytesAndRepeatedRequestFieldHasARule) {
  std::set<const Descriptor*> messages = RequestMessages();
  ASSERT_GT(messages.size(), 30u);  // the walk found the services
  std::vector<std::string> missing;
  for (const Descriptor* message : messages) {
    if (message->file()->package() == "google.protobuf") continue;  // Timestamp
    for (int i = 0; i < message->field_count(); ++i) {
      const FieldDescriptor& field = *message->field(i);
      const v1::FieldRule& rule = field.options().GetExtension(v1::rule);
      bool text = field.cpp_type() == FieldDescriptor::CPPTYPE_STRING;
      if (text && (rule.max_bytes() == 0 || rule.syntax() == v1::FIELD_SYNTAX_UNSPECIFIED)) {
        missing.push_back(absl::StrCat(field.full_name(), ": max_bytes and syntax"));
      }
      if (field.type() == FieldDescriptor::TYPE_BYTES && text &&
          rule.syntax() != v1::FIELD_SYNTAX_OPAQUE) {
        missing.push_back(absl::StrCat(field.full_name(), ": bytes must be OPAQUE"));
      }
      if (field.is_repeated() && rule.max_items() == 0) {
        missing.push_back(absl::StrCat(field.full_name(), ": max_items"));
      }
    }
  }
  EXPECT_THAT(missing, ::testing::IsEmpty());
}

// Issue 16 point 4: an enum number the API does not define (proto3 keeps
// it) is INVALID_ARGUMENT naming the field, in every request message. Walks
// every enum field reflectively, so a new one is covered without a new test.
TEST(FieldRulesTest, EveryEnumFieldOfEveryRequestRefusesAnUnknownNumber) {
  int checked = 0;
  for (const Descriptor* message : RequestMessages()) {
    if (message->file()->package() == "google.protobuf") continue;
    for (int i = 0; i < message->field_count(); ++i) {
      const FieldDescriptor& field = *message->field(i);
      if (field.cpp_type() != FieldDescriptor::CPPTYPE_ENUM) continue;
      std::unique_ptr<google::protobuf::Message> instance(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(message)->New());
      const google::protobuf::Reflection& reflection = *instance->GetReflection();
      const std::string path =
          field.is_repeated() ? absl::StrCat(field.name(), "[0]") : std::string(field.name());
      if (field.is_repeated()) {
        reflection.AddEnumValue(instance.get(), &field, 9999);
      } else {
        reflection.SetEnumValue(instance.get(), &field, 9999);
      }
      absl::Status status = Validate(*instance);
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field.full_name();
      EXPECT_THAT(std::string(status.message()),
                  HasSubstr(absl::StrCat(path, ": 9999 is not a ", field.enum_type()->name())))
          << field.full_name();
      ++checked;
    }
  }
  EXPECT_GT(checked, 8);  // purpose, language, laws, domains, kinds ... were found
}

TEST(FieldRulesTest, DefinedEnumNumbersPassUnspecifiedIncluded) {
  v1::OpenClientCaseRequest request;
  request.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  request.add_social_laws(v1::SOCIAL_LAW_UNSPECIFIED);  // for the call to refuse, not the wire
  EXPECT_TRUE(Validate(request).ok()) << Validate(request);
  request.mutable_social_laws()->Add(42);
  EXPECT_EQ(Validate(request).message(), "social_laws[2]: 42 is not a SocialLaw");
}

TEST(FieldRulesTest, AValidDataRequestPasses) {
  v1::DataRequest request;
  request.set_request_id("req-01890000-0000-7000-8000-000000000001");
  request.set_case_id("01890000-0000-7000-8000-000000000000");
  request.set_subject_bsn(kValidBsn);  // a BSN field may hold a BSN
  request.set_provider_oin("00000001001234567000");
  request.add_categories("attendance");
  request.add_categories("support_needs_2024");
  request.set_justification("Needed to plan support.\nSee the plan of 3 March.\tThanks.");
  EXPECT_TRUE(Validate(request).ok()) << Validate(request);
}

TEST(FieldRulesTest, OversizedItemIsResourceExhaustedNamingThePathAndTheLimit) {
  v1::DataRequest request;
  request.add_categories("attendance");
  request.add_categories(std::string(240 * 1024, 'a'));
  std::optional<Violation> bad = FindViolation(request);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->code, absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(bad->ToStatus().message(), "categories[1]: longer than 64 bytes");
  EXPECT_EQ(bad->length, 240u * 1024u);
  EXPECT_EQ(bad->sha256_hex, Sha256Hex(std::string(240 * 1024, 'a')));
  EXPECT_LT(bad->Bounded().size(), 200u);
}

TEST(FieldRulesTest, TooManyItemsIsResourceExhausted) {
  v1::ShareItemRequest request;
  for (int i = 0; i < 65; ++i) request.mutable_item()->add_audience_oins("00000001001234567000");
  std::optional<Violation> bad = FindViolation(request);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->code, absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(bad->ToStatus().message(), "item.audience_oins: at most 64 items, got 65");
  EXPECT_TRUE(bad->counts_items);
  EXPECT_THAT(bad->Bounded(), HasSubstr("65 items, sha256 "));
}

TEST(FieldRulesTest, ControlCharactersInAnIdentifierAreInvalidArgument) {
  v1::ProviderRequest request;
  request.set_request_id("r1\r\nX-Wams-Requester-Oin: 00000001009999999000");
  absl::Status status = Validate(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), AllOf(HasSubstr("request_id: must be ASCII letters"),
                                      Not(HasSubstr("X-Wams")), Not(HasSubstr("\n"))));
}

TEST(FieldRulesTest, ABsnInAnOinFieldIsInvalidArgumentWithoutEchoingIt) {
  v1::DataRequest request;
  request.set_provider_oin(kValidBsn);
  absl::Status status = Validate(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "provider_oin: must be an OIN: exactly 20 digits");
  std::optional<Violation> bad = FindViolation(request);
  EXPECT_THAT(bad->Bounded(), Not(HasSubstr(kValidBsn)));
}

TEST(FieldRulesTest, ABsnInACategoryOrAFreeTextIsRefused) {
  v1::DataRequest category;
  category.add_categories(absl::StrCat("client_", kValidBsn));
  EXPECT_THAT(Validate(category).message(),
              AllOf(HasSubstr("categories[0]: holds a nine-digit number that passes the elfproef"),
                    Not(HasSubstr(kValidBsn))));

  v1::ProviderResponse answer;
  answer.add_conditions("Only for the coordinator.");
  answer.add_conditions(absl::StrCat("Do not share with BSN", kValidBsn, " relatives."));
  EXPECT_THAT(Validate(answer).message(), HasSubstr("conditions[1]: holds a nine-digit number"));

  v1::ProfessionalGrounds grounds;
  grounds.set_reasons(absl::StrCat("Client ", kValidBsn));
  v1::OpenProfessionalCaseRequest open;
  *open.mutable_grounds() = grounds;
  EXPECT_THAT(Validate(open).message(), HasSubstr("grounds.reasons: holds a nine-digit"));
}

TEST(FieldRulesTest, NumbersThatAreNoBsnPassInFreeText) {
  v1::DataRequest request;
  // Eight and ten digits, and nine digits failing the elfproef.
  request.set_justification("Case 12345678, file 1234567890, ref 123456789.");
  EXPECT_TRUE(Validate(request).ok()) << Validate(request);
}

TEST(FieldRulesTest, IdentifiersRefuseASeparateBsnButNotHexThatHoldsNineDigits) {
  v1::GetCaseRequest bsn_id;
  bsn_id.set_case_id(kValidBsn);
  EXPECT_EQ(Validate(bsn_id).code(), absl::StatusCode::kInvalidArgument);
  bsn_id.set_case_id(absl::StrCat("case-", kValidBsn));
  EXPECT_EQ(Validate(bsn_id).code(), absl::StatusCode::kInvalidArgument);

  v1::GetCaseRequest uuid;
  uuid.set_case_id("01890000-0000-7000-8000-a123456782bc");
  EXPECT_TRUE(Validate(uuid).ok()) << Validate(uuid);
}

TEST(FieldRulesTest, BsnFieldsKeepParseBsnsWords) {
  v1::DisclosureRequest request;
  request.set_subject_bsn("1234567890");
  EXPECT_EQ(Validate(request).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Validate(request).message(), HasSubstr("subject_bsn: BSN must have exactly 9"));
  request.set_subject_bsn("12345678x");
  EXPECT_THAT(Validate(request).message(), HasSubstr("character 9 is not a digit"));
}

TEST(FieldRulesTest, SubjectDetailsKeepTheirExactSyntax) {
  v1::DataRequest request;
  v1::SubjectDetails& details = *request.mutable_subject_details();
  details.set_family_name("van der Berg-Ölmez");
  details.set_date_of_birth("2000-02-29");  // a leap day
  details.set_postal_code("9999 ZZ");
  details.set_house_number("12a-3");
  details.set_party_client_number("WSV-10442");
  EXPECT_TRUE(Validate(request).ok()) << Validate(request);

  for (const char* date : {"1900-02-29", "1984-13-01", "1984-04-31", "84-04-12", "1984/04/12",
                           "1984-4-12", "0000-01-01", "1984-04-12T00:00"}) {
    details.set_date_of_birth(date);
    EXPECT_EQ(Validate(request).message(),
              "subject_details.date_of_birth: must be a date that exists, written YYYY-MM-DD")
        << date;
  }
  details.set_date_of_birth("1984-04-12");
  for (const char* code :
       {"3511AB", "3511 ab", "0511 AB", "3511  AB", "3511 SS", "351 ABC", "3511 AB "}) {
    details.set_postal_code(code);
    EXPECT_EQ(Validate(request).code(), absl::StatusCode::kInvalidArgument) << code;
    EXPECT_THAT(Validate(request).message(), HasSubstr("subject_details.postal_code: must be a "
                                                       "Dutch postal code written \"1234 AB\""))
        << code;
  }
  details.set_postal_code("3511 AB");
  details.set_party_client_number(kValidBsn);  // a BSN is no client number
  EXPECT_THAT(Validate(request).message(),
              AllOf(HasSubstr("subject_details.party_client_number: holds a nine-digit"),
                    Not(HasSubstr(kValidBsn))));
}

TEST(FieldRulesTest, TextLinesRefuseNewlinesAndFreeTextAllowsThem) {
  v1::ConveneRequest convene;
  convene.set_subject("Overleg\nINFO forged line");
  EXPECT_EQ(Validate(convene).code(), absl::StatusCode::kInvalidArgument);
  v1::CloseCaseRequest close;
  close.set_reason("Done.\nAll agreed.");
  EXPECT_TRUE(Validate(close).ok());
  close.set_reason("Done.\x1b[2J");
  EXPECT_EQ(Validate(close).code(), absl::StatusCode::kInvalidArgument);
  close.set_reason("Done.\xe2\x80\xa8");  // U+2028 LINE SEPARATOR
  EXPECT_EQ(Validate(close).code(), absl::StatusCode::kInvalidArgument);
  close.set_reason("Afgerond, cli\xc3\xabnt tevreden.");  // UTF-8 letters pass
  EXPECT_TRUE(Validate(close).ok());
}

TEST(FieldRulesTest, OpaqueBytesAreBoundedOnly) {
  v1::ProviderResponse answer;
  v1::CategoryData* data = answer.add_data();
  data->set_category("attendance");
  data->set_content(std::string("\x00\x01\n", 3) + kValidBsn);
  EXPECT_TRUE(Validate(answer).ok());
  data->set_content(std::string(1024 * 1024 + 1, 'x'));
  EXPECT_EQ(Validate(answer).code(), absl::StatusCode::kResourceExhausted);
}

TEST(FieldRulesTest, RuleOfAnUnknownFieldRefusesEverything) {
  const v1::FieldRule& rule = RuleOf(*v1::ProviderRequest::descriptor(), "no_such_field");
  EXPECT_TRUE(CheckValue("x", rule, "anything").has_value());
  EXPECT_FALSE(
      CheckValue("x", RuleOf(*v1::ProviderRequest::descriptor(), "request_id"), "r-1").has_value());
}

TEST(LogSafeTest, EscapesControlCharactersSoNoLineCanBeForged) {
  EXPECT_EQ(LogSafe("id=r1\r\n2026-01-01T00:00:00Z INFO forged"),
            "id=r1\\r\\n2026-01-01T00:00:00Z INFO forged");
  EXPECT_EQ(LogSafe("a\\nb"), "a\\\\nb");  // a literal backslash-n stays tellable apart
  EXPECT_EQ(LogSafe(std::string("nul\0bell\a", 9)), "nul\\x00bell\\x07");
  EXPECT_EQ(LogSafe("ls\xe2\x80\xa8x"), "ls\\xe2\\x80\\xa8x");
  EXPECT_EQ(LogSafe("bad \xff utf8, good \xc3\xab"), "bad \\xff utf8, good \xc3\xab");
}

TEST(LogSafeTest, RedactsBsnsAndBoundsTheLength) {
  EXPECT_EQ(LogSafe(absl::StrCat("subject ", kValidBsn, " oin 00000001001234567000")),
            "subject [bsn] oin 00000001001234567000");
  std::string bounded = LogSafe(std::string(10000, 'x'), 100);
  EXPECT_EQ(bounded, absl::StrCat(std::string(100, 'x'), "...[9900 bytes cut]"));
}

TEST(TextChecksTest, ElfproefAsPolicyHasIt) {
  EXPECT_TRUE(IsValidBsn(kValidBsn));
  EXPECT_FALSE(IsValidBsn("123456789"));
  EXPECT_FALSE(IsValidBsn("000000000"));
  EXPECT_FALSE(IsValidBsn("100000009"));  // sum 0
  EXPECT_TRUE(HoldsBsn("x123456782y"));
  EXPECT_FALSE(HoldsSeparateBsn("x123456782y"));
  EXPECT_TRUE(HoldsSeparateBsn("x-123456782"));
  EXPECT_FALSE(HoldsBsn("1234567820"));  // ten digits
}

}  // namespace
}  // namespace wams::wire
