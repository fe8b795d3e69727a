#include "adapters/backends/file_backend.h"

#include "absl/strings/str_cat.h"
#include "adapters/sdk/bsn.h"
#include "adapters/sdk/key_file.h"
#include "nlohmann/json.hpp"
#include "policy/base/status_macros.h"

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
  WAMS_ASSIGN_OR_RETURN(std::string text, ReadPublicFile(path, "file_backend.records_file"));
  return Parse(text);
}

absl::StatusOr<std::unique_ptr<FileBackend>> FileBackend::Parse(absl::string_view json) {
  // Parsing without exceptions: a discarded value marks a syntax error.
  Json root = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Invalid("file", "not valid JSON");
  if (!root.is_object() || !root.contains("people") || !root["people"].is_object()) {
    return Invalid("file", "needs an object \"people\" keyed by BSN");
  }
  Records records;
  for (const auto& [bsn, person] : root["people"].items()) {
    // Keys are checked, but never echoed: they are BSNs.
    if (!IsValidBsn(bsn)) {
      return Invalid(absl::StrCat("entry ", records.size() + 1), "key is not a valid BSN");
    }
    if (!person.is_object()) {
      return Invalid(absl::StrCat("entry ", records.size() + 1), "must be an object of categories");
    }
    auto& categories = records[bsn];
    for (const auto& [category, entry] : person.items()) {
      std::string where = absl::StrCat("entry ", records.size(), " category '", category, "'");
      bool has_data = entry.is_object() && entry.contains("data");
      bool has_reason = entry.is_object() && entry.contains("withheld_reason") &&
                        entry["withheld_reason"].is_string();
      if (has_data == has_reason || entry.size() != 1) {
        return Invalid(where, "needs exactly one of \"data\" or \"withheld_reason\" (a string)");
      }
      categories.emplace(category, has_data ? CategoryAnswer::Data(entry["data"].dump())
                                            : CategoryAnswer::Withheld(
                                                  entry["withheld_reason"].get<std::string>()));
    }
  }
  return std::unique_ptr<FileBackend>(new FileBackend(std::move(records)));
}

CategoryAnswer FileBackend::Fetch(const v1::ProviderRequest& request, absl::string_view category) {
  if (request.subject_bsn().empty()) return CategoryAnswer::Withheld(kNoBsn);
  auto person = records_.find(request.subject_bsn());
  if (person == records_.end()) return CategoryAnswer::NotHeld();
  auto entry = person->second.find(category);
  if (entry == person->second.end()) return CategoryAnswer::NotHeld();
  return entry->second;
}

}  // namespace wams::adapters
