#include "broker/ledger/store/log_rows.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/storage/key_codec.h"

namespace wams::ledger::store {

using wams::broker::v1::Checkpoint;
using wams::broker::v1::SignedReceipt;
using wams::storage::DecodeBigEndian64;
using wams::storage::Family;
using wams::storage::KeyValue;
using wams::storage::ScanRange;

absl::StatusOr<Digest> StoredDigest(std::string_view bytes, std::string_view what) {
  if (bytes.size() != 32) {
    return absl::DataLossError(
        absl::StrCat(std::string(what), " is ", bytes.size(), " bytes, not 32"));
  }
  Digest d;
  std::copy(bytes.begin(), bytes.end(), d.begin());
  return d;
}

NodeReader StoredNodes(const storage::Reader& snapshot) {
  return [&snapshot](int level, uint64_t index) -> absl::StatusOr<Digest> {
    WAMS_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          snapshot.Get(Family::kNodes, storage::NodeKey(level, index)));
    if (!value.has_value()) {
      return absl::DataLossError(
          absl::StrCat("tree node (level ", level, ", index ", index, ") is missing"));
    }
    return StoredDigest(*value, absl::StrCat("tree node (level ", level, ", index ", index, ")"));
  };
}

absl::StatusOr<uint64_t> ReadTreeSize(const storage::Reader& reader) {
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> value,
                        reader.Get(Family::kMeta, storage::kMetaTreeSize));
  if (!value.has_value()) return 0;
  absl::StatusOr<uint64_t> size = DecodeBigEndian64(*value);
  if (!size.ok()) return absl::DataLossError("stored tree size is malformed");
  return *size;
}

absl::StatusOr<SignedReceipt> ReadReceipt(const storage::Reader& reader, uint64_t leaf_index) {
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> value,
                        reader.Get(Family::kReceipts, storage::LeafKey(leaf_index)));
  if (!value.has_value()) {
    return absl::NotFoundError(absl::StrCat("receipt ", leaf_index, " not found"));
  }
  SignedReceipt r;
  if (!r.ParseFromString(*value)) {
    return absl::DataLossError(absl::StrCat("stored receipt ", leaf_index, " does not parse"));
  }
  r.set_leaf_index(leaf_index);
  return r;
}

absl::StatusOr<std::optional<Checkpoint>> ReadLatestCheckpoint(const storage::Reader& reader) {
  ScanRange last = ScanRange::From("", 1);
  last.reverse = true;
  WAMS_ASSIGN_OR_RETURN(std::vector<KeyValue> rows, reader.Scan(Family::kCheckpoints, last));
  if (rows.empty()) return std::nullopt;
  Checkpoint cp;
  if (!cp.ParseFromString(rows.front().value)) {
    return absl::DataLossError("latest stored checkpoint does not parse");
  }
  return cp;
}

absl::Status CheckReceiptsEndAt(const storage::Reader& reader, uint64_t size) {
  ScanRange last = ScanRange::From("", 1);
  last.reverse = true;
  WAMS_ASSIGN_OR_RETURN(std::vector<KeyValue> rows, reader.Scan(Family::kReceipts, last));
  if (!rows.empty()) {
    absl::StatusOr<uint64_t> stored_last = DecodeBigEndian64(rows.front().key);
    if (!stored_last.ok()) return absl::DataLossError("a receipt key is malformed");
    if (size == 0 || *stored_last != size - 1) {
      return absl::DataLossError(absl::StrCat("the tree size is ", size,
                                              " but the last stored receipt is ", *stored_last));
    }
  } else if (size != 0) {
    return absl::DataLossError(
        absl::StrCat("the tree size is ", size, " but no receipt is stored"));
  }
  return absl::OkStatus();
}

}  // namespace wams::ledger::store
