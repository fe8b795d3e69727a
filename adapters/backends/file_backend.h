// file_backend.h: a Backend reading records from a JSON file, for demos and
// tests: people keyed by BSN, and (for a party that may not process the BSN,
// R19) clients found by the party's client number or by name, date of birth
// and address.
//
// The file (format in adapters/README.md):
//   {"people": {"111222333": {"attendance": {"data": {"absent_days": 4}},
//                             "support_needs": {"withheld_reason": "..."}}},
//    "clients": [{"client_number": "HV-10442", "family_name": "Jansen",
//                 "date_of_birth": "1984-06-02", "postal_code": "3511 AB",
//                 "house_number": "12",
//                 "records": {"rent_arrears": {"data": {"months": 3}}}}]}
// Either list may be left out, not both. A category with "data" is provided
// as that JSON; one with "withheld_reason" is withheld for those weighty
// reasons (R16); a missing person or category is not held. A request with a
// BSN is looked up in "people"; one without in "clients", by
// subject_details.party_client_number when given, else by family name, date
// of birth, postal code and house number (names and house-number letters
// regardless of case). The file is read once, at start-up.
//
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<FileBackend> backend,
//                         FileBackend::Load("config/records/school.json"));
#ifndef WAMS_ADAPTERS_BACKENDS_FILE_BACKEND_H_
#define WAMS_ADAPTERS_BACKENDS_FILE_BACKEND_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "adapters/sdk/backend.h"

namespace wams::adapters {

// Immutable after Load, so thread-safe.
class FileBackend : public Backend {
 public:
  // INVALID_ARGUMENT naming the entry when the file is not in the format
  // above (a key that is not a valid BSN included); NOT_FOUND when unreadable.
  static absl::StatusOr<std::unique_ptr<FileBackend>> Load(absl::string_view path);
  // As Load, from the file's text.
  static absl::StatusOr<std::unique_ptr<FileBackend>> Parse(absl::string_view json);

  CategoryAnswer Fetch(const v1::ProviderRequest& request, absl::string_view category) override;

 private:
  // category -> answer, of one person.
  using Categories = absl::flat_hash_map<std::string, CategoryAnswer>;
  // BSN -> categories.
  using Records = absl::flat_hash_map<std::string, Categories>;
  // A person the party knows without BSN (R19).
  struct Client {
    v1::SubjectDetails details;  // party_client_number and name, birth date, address
    Categories categories;
  };
  FileBackend(Records records, std::vector<Client> clients)
      : records_(std::move(records)), clients_(std::move(clients)) {}

  // The records of the request's subject, or nullptr.
  const Categories* FindPerson(const v1::ProviderRequest& request) const;

  const Records records_;
  const std::vector<Client> clients_;
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_BACKENDS_FILE_BACKEND_H_
