#include "adapters/backends/file_backend.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "nlohmann/json.hpp"
#include "proto/wire/field_validator.h"
#include "proto/wire/subject_details.h"
#include "proto/wire/text_checks.h"

namespace wams::adapters {
namespace {

using Json = nlohmann::json;

// Without a BSN this party cannot find the person; saying so is an answer,
// not an outage.
constexpr char kNoBsn[] =
    "the request carries no BSN, and this party finds people by BSN only (R19)";

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("records ", where, ": ", what));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileBackend>> FileBackend::Load(absl::string_view path) {
  WAMS_ASSIGN_OR_RETURN(std::string text, base::ReadPublicFile(path, "file_backend.records_file"));
  return Parse(text);
}

namespace {

// The categories of one person: {"category": {"data": ...} or
// {"withheld_reason": "..."}}. `where` names the person in errors.
absl::Status ParseCategories(const Json& person, absl::string_view where,
                             absl::flat_hash_map<std::string, CategoryAnswer>& categories) {
  if (!person.is_object()) return Invalid(where, "must be an object of categories");
  for (const auto& [category, entry] : person.items()) {
    std::string at = absl::StrCat(where, " category '", category, "'");
    bool has_data = entry.is_object() && entry.contains("data");
    bool has_reason = entry.is_object() && entry.contains("withheld_reason") &&
                      entry["withheld_reason"].is_string();
    if (has_data == has_reason || entry.size() != 1) {
      return Invalid(at, "needs exactly one of \"data\" or \"withheld_reason\" (a string)");
    }
    categories.emplace(
        category, has_data ? CategoryAnswer::Data(entry["data"].dump())
                           : CategoryAnswer::Withheld(entry["withheld_reason"].get<std::string>()));
  }
  return absl::OkStatus();
}

// One entry of "clients": the party's client number, the details it matches
// on, and "records" (categories as above).
absl::Status ParseClient(const Json& entry, absl::string_view where, v1::SubjectDetails& details,
                         absl::flat_hash_map<std::string, CategoryAnswer>& categories) {
  if (!entry.is_object()) return Invalid(where, "must be an object");
  auto text = [&](const char* key, std::string* out) -> absl::Status {
    if (!entry.contains(key) || !entry[key].is_string() || entry[key].get<std::string>().empty()) {
      return Invalid(where, absl::StrCat("needs \"", key, "\", a non-empty string"));
    }
    *out = entry[key].get<std::string>();
    return absl::OkStatus();
  };
  WAMS_RETURN_IF_ERROR(text("client_number", details.mutable_party_client_number()));
  WAMS_RETURN_IF_ERROR(text("family_name", details.mutable_family_name()));
  WAMS_RETURN_IF_ERROR(text("date_of_birth", details.mutable_date_of_birth()));
  WAMS_RETURN_IF_ERROR(text("postal_code", details.mutable_postal_code()));
  WAMS_RETURN_IF_ERROR(text("house_number", details.mutable_house_number()));
  // The same rules a request's details keep, so that both can match.
  if (absl::Status valid = wire::Validate(details); !valid.ok()) {
    return Invalid(where, valid.message());
  }
  if (!entry.contains("records")) return Invalid(where, "needs an object \"records\"");
  return ParseCategories(entry["records"], absl::StrCat(where, " records"), categories);
}

// Whether the request's details point at `client`: its client number, or
// family name, date of birth, postal code and house number all equal (names
// and house-number letters regardless of case).
bool Matches(const v1::SubjectDetails& asked, const v1::SubjectDetails& client) {
  if (!asked.party_client_number().empty()) {
    return asked.party_client_number() == client.party_client_number();
  }
  return wire::IdentifiesSubject(asked) &&
         absl::EqualsIgnoreCase(asked.family_name(), client.family_name()) &&
         asked.date_of_birth() == client.date_of_birth() &&
         asked.postal_code() == client.postal_code() &&
         absl::EqualsIgnoreCase(asked.house_number(), client.house_number());
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileBackend>> FileBackend::Parse(absl::string_view json) {
  // Parsing without exceptions: a discarded value marks a syntax error.
  Json root = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Invalid("file", "not valid JSON");
  const bool has_people = root.is_object() && root.contains("people");
  const bool has_clients = root.is_object() && root.contains("clients");
  if (!has_people && !has_clients) {
    return Invalid("file", "needs an object \"people\" keyed by BSN or a list \"clients\"");
  }
  if (has_people && !root["people"].is_object()) {
    return Invalid("file", "\"people\" must be an object keyed by BSN");
  }
  if (has_clients && !root["clients"].is_array()) {
    return Invalid("file", "\"clients\" must be a list");
  }
  Records records;
  if (has_people) {
    for (const auto& [bsn, person] : root["people"].items()) {
      // Keys are checked, but never echoed: they are BSNs.
      std::string where = absl::StrCat("entry ", records.size() + 1);
      if (!wire::IsValidBsn(bsn)) return Invalid(where, "key is not a valid BSN");
      WAMS_RETURN_IF_ERROR(ParseCategories(person, where, records[bsn]));
    }
  }
  std::vector<Client> clients;
  if (has_clients) {
    for (size_t i = 0; i < root["clients"].size(); ++i) {
      Client& client = clients.emplace_back();
      WAMS_RETURN_IF_ERROR(ParseClient(root["clients"][i], absl::StrCat("clients[", i, "]"),
                                       client.details, client.categories));
    }
  }
  return std::unique_ptr<FileBackend>(new FileBackend(std::move(records), std::move(clients)));
}

const FileBackend::Categories* FileBackend::FindPerson(const v1::ProviderRequest& request) const {
  if (!request.subject_bsn().empty()) {
    auto person = records_.find(request.subject_bsn());
    return person == records_.end() ? nullptr : &person->second;
  }
  for (const Client& client : clients_) {
    if (Matches(request.subject_details(), client.details)) return &client.categories;
  }
  return nullptr;
}

CategoryAnswer FileBackend::Fetch(const v1::ProviderRequest& request, absl::string_view category) {
  if (request.subject_bsn().empty() && clients_.empty()) return CategoryAnswer::Withheld(kNoBsn);
  const Categories* person = FindPerson(request);
  if (person == nullptr) return CategoryAnswer::NotHeld();
  auto entry = person->find(category);
  if (entry == person->end()) return CategoryAnswer::NotHeld();
  return entry->second;
}

}  // namespace wams::adapters
