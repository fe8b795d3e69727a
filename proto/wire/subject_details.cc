#include "proto/wire/subject_details.h"

#include <cstdint>

#include "absl/strings/ascii.h"

namespace wams::wire {
namespace {

namespace v1 = ::wams::broker::v1;

constexpr absl::string_view kHashContext = "wams-subject-details/1";

bool Present(absl::string_view value) { return !absl::StripAsciiWhitespace(value).empty(); }

void AppendField(std::string& out, absl::string_view field) {
  const uint32_t size = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  out.append(field.data(), field.size());
}

}  // namespace

std::vector<absl::string_view> MissingSubjectDetails(const v1::SubjectDetails& details) {
  std::vector<absl::string_view> missing;
  if (Present(details.party_client_number())) return missing;
  if (!Present(details.family_name())) missing.push_back("family_name");
  if (!Present(details.date_of_birth())) missing.push_back("date_of_birth");
  if (!Present(details.postal_code())) missing.push_back("postal_code");
  if (!Present(details.house_number())) missing.push_back("house_number");
  return missing;
}

bool IdentifiesSubject(const v1::SubjectDetails& details) {
  return MissingSubjectDetails(details).empty();
}

bool HasSubjectDetails(const v1::SubjectDetails& details) {
  return !details.family_name().empty() || !details.given_names().empty() ||
         !details.date_of_birth().empty() || !details.postal_code().empty() ||
         !details.house_number().empty() || !details.party_client_number().empty();
}

std::string SubjectDetailsHashInput(const v1::SubjectDetails& details) {
  std::string text;
  AppendField(text, kHashContext);
  AppendField(text, details.family_name());
  AppendField(text, details.given_names());
  AppendField(text, details.date_of_birth());
  AppendField(text, details.postal_code());
  AppendField(text, details.house_number());
  AppendField(text, details.party_client_number());
  return text;
}

}  // namespace wams::wire
