// The file backend. (The BSN check, the cache of callers' OINs and the key
// files the SDK uses are the bottom layer's: tests/base and tests/pki.)
#include "adapters/backends/file_backend.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/temp_dir.h"

namespace wams::adapters {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::ProviderRequest For(std::string bsn) {
  v1::ProviderRequest request;
  request.set_subject_bsn(std::move(bsn));
  return request;
}

TEST(FileBackendTest, AnswersDataWithheldAndNotHeld) {
  absl::StatusOr<std::unique_ptr<FileBackend>> backend = FileBackend::Parse(R"({
    "people": {"111222333": {"attendance": {"data": {"absent_days": 4}},
                             "support_needs": {"withheld_reason": "under review"}}}})");
  ASSERT_TRUE(backend.ok()) << backend.status();
  CategoryAnswer data = (*backend)->Fetch(For("111222333"), "attendance");
  EXPECT_EQ(data.kind, CategoryAnswer::Kind::kData);
  EXPECT_EQ(data.content, R"({"absent_days":4})");
  CategoryAnswer withheld = (*backend)->Fetch(For("111222333"), "support_needs");
  EXPECT_EQ(withheld.kind, CategoryAnswer::Kind::kWithheld);
  EXPECT_EQ(withheld.reason, "under review");
  EXPECT_EQ((*backend)->Fetch(For("111222333"), "enrolment").kind, CategoryAnswer::Kind::kNotHeld);
  EXPECT_EQ((*backend)->Fetch(For("123456782"), "attendance").kind, CategoryAnswer::Kind::kNotHeld);
  EXPECT_EQ((*backend)->Fetch(For(""), "attendance").kind, CategoryAnswer::Kind::kWithheld);
}

// R19: a party that may not process the BSN finds the person by its own
// client number, or by family name, date of birth, postal code and house
// number.
v1::ProviderRequest ForDetails(v1::SubjectDetails details) {
  v1::ProviderRequest request;
  *request.mutable_subject_details() = std::move(details);
  return request;
}

TEST(FileBackendTest, FindsClientsByTheirNumberOrByNameDateOfBirthAndAddress) {
  absl::StatusOr<std::unique_ptr<FileBackend>> backend = FileBackend::Parse(R"({
    "clients": [{"client_number": "WSV-1", "family_name": "de Vries",
                 "date_of_birth": "1984-06-02", "postal_code": "3511 AB", "house_number": "12a",
                 "records": {"rent_arrears": {"data": {"months": 3}}}}]})");
  ASSERT_TRUE(backend.ok()) << backend.status();
  v1::SubjectDetails by_number;
  by_number.set_party_client_number("WSV-1");
  EXPECT_EQ((*backend)->Fetch(ForDetails(by_number), "rent_arrears").content, R"({"months":3})");

  v1::SubjectDetails by_name;
  by_name.set_family_name("De Vries");  // names regardless of case
  by_name.set_date_of_birth("1984-06-02");
  by_name.set_postal_code("3511 AB");
  by_name.set_house_number("12A");
  EXPECT_EQ((*backend)->Fetch(ForDetails(by_name), "rent_arrears").kind,
            CategoryAnswer::Kind::kData);

  v1::SubjectDetails other_birthday = by_name;
  other_birthday.set_date_of_birth("1984-06-03");
  EXPECT_EQ((*backend)->Fetch(ForDetails(other_birthday), "rent_arrears").kind,
            CategoryAnswer::Kind::kNotHeld);
  v1::SubjectDetails incomplete = by_name;
  incomplete.clear_house_number();
  EXPECT_EQ((*backend)->Fetch(ForDetails(incomplete), "rent_arrears").kind,
            CategoryAnswer::Kind::kNotHeld);
  v1::SubjectDetails wrong_number = by_name;  // a number given decides alone
  wrong_number.set_party_client_number("WSV-2");
  EXPECT_EQ((*backend)->Fetch(ForDetails(wrong_number), "rent_arrears").kind,
            CategoryAnswer::Kind::kNotHeld);
  // A BSN is looked up among "people" only.
  EXPECT_EQ((*backend)->Fetch(For("111222333"), "rent_arrears").kind,
            CategoryAnswer::Kind::kNotHeld);
}

TEST(FileBackendTest, RejectsClientsWithoutTheirDetailsOrOutsideTheFieldRules) {
  for (const char* text : {
           R"({"clients": {}})",
           R"({"clients": [{"client_number": "WSV-1", "records": {}}]})",
           R"({"clients": [{"client_number": "WSV-1", "family_name": "X",
                            "date_of_birth": "1984-13-01", "postal_code": "3511 AB",
                            "house_number": "1", "records": {}}]})",
           R"({"clients": [{"client_number": "WSV-1", "family_name": "X",
                            "date_of_birth": "1984-01-01", "postal_code": "3511 AB",
                            "house_number": "1"}]})",
       }) {
    absl::StatusOr<std::unique_ptr<FileBackend>> backend = FileBackend::Parse(text);
    EXPECT_EQ(backend.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(FileBackendTest, RejectsMalformedRecordsWithoutEchoingKeys) {
  for (const char* text : {
           "not json",
           R"({"persons": {}})",
           R"({"people": {"123456789": {}}})",
           R"({"people": {"111222333": {"attendance": {"absent_days": 4}}}})",
           R"({"people": {"111222333": {"attendance": {"data": 1, "withheld_reason": "x"}}}})",
       }) {
    absl::StatusOr<std::unique_ptr<FileBackend>> backend = FileBackend::Parse(text);
    EXPECT_EQ(backend.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(backend.status().message(), Not(HasSubstr("123456789"))) << text;
  }
}

TEST(FileBackendTest, ReferenceRecordsLoad) {
  for (const char* name : {"ggz", "school", "police", "probation", "housing"}) {
    absl::StatusOr<std::unique_ptr<FileBackend>> backend = FileBackend::Load(
        testing::SourcePath(std::string("adapters/config/records/") + name + ".json"));
    EXPECT_TRUE(backend.ok()) << name << ": " << backend.status();
  }
}

}  // namespace
}  // namespace wams::adapters
