#include "broker/ledger/store/cosignatures.h"

#include <utility>

#include "broker/storage/record_keys.h"

namespace wams::ledger::store {

std::vector<std::string> ReadCosignatures(const storage::Reader& reader, uint64_t tree_size) {
  std::vector<std::string> lines;
  (void)storage::ScanAll(reader, storage::Family::kMeta,
                         storage::ScanRange::Prefix(storage::CosignatureKeyPrefix(tree_size), 100),
                         [&](const storage::KeyValue& row) {
                           lines.push_back(row.value);
                           return absl::OkStatus();
                         });
  return lines;
}

absl::Status StoreCosignature(const storage::Backend& backend, uint64_t tree_size,
                              std::string_view witness_name, std::string line) {
  if (!line.ends_with('\n')) line.push_back('\n');
  storage::WriteBatch batch;
  batch.Put(storage::Family::kMeta, storage::CosignatureKey(tree_size, witness_name),
            std::move(line));
  return backend.Write(batch);
}

}  // namespace wams::ledger::store
