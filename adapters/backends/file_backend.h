// file_backend.h: a Backend reading records keyed by BSN from a JSON file, for
// demos and tests.
//
// The file (format in adapters/README.md):
//   {"people": {"111222333": {"attendance": {"data": {"absent_days": 4}},
//                             "support_needs": {"withheld_reason": "..."}}}}
// A category with "data" is provided as that JSON; one with "withheld_reason"
// is withheld for those weighty reasons (R16); a missing person or category is
// not held. The file is read once, at start-up.
//
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<FileBackend> backend,
//                         FileBackend::Load("config/records/school.json"));
#ifndef WAMS_ADAPTERS_BACKENDS_FILE_BACKEND_H_
#define WAMS_ADAPTERS_BACKENDS_FILE_BACKEND_H_

#include <memory>
#include <string>

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
  // BSN -> category -> answer.
  using Records =
      absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, CategoryAnswer>>;
  explicit FileBackend(Records records) : records_(std::move(records)) {}

  const Records records_;
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_BACKENDS_FILE_BACKEND_H_
