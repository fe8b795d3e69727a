// log_rows.h: reading the receipt log's stored rows (tree size, receipts,
// subtree hashes, checkpoints) from one storage::Reader, with the checks a
// row must pass to be used (a malformed row is DATA_LOSS naming it).
//
// The log's families and their key codec are the storage layer's on-disk
// contract (broker/storage/README.md); this file is the ledger's one reader
// of them, shared by the writer, the tree reader, the checkpointer, the
// verifier and the export.
//
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend.Snapshot());
//   WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
//   WAMS_ASSIGN_OR_RETURN(Digest root, RootAt(StoredNodes(*snapshot), size));
//
// Thread-safe: free functions over a reader the caller keeps alive.
#ifndef WAMS_BROKER_LEDGER_STORE_LOG_ROWS_H_
#define WAMS_BROKER_LEDGER_STORE_LOG_ROWS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

// Receipts read per chunk when walking the whole log (checks, export).
inline constexpr size_t kScanChunk = 1000;

// `bytes` as a digest; DATA_LOSS naming `what` unless it is 32 bytes.
absl::StatusOr<Digest> StoredDigest(std::string_view bytes, std::string_view what);

// Reads stored subtree hashes from `snapshot` (borrowed: it must outlive the
// returned reader). A missing node is DATA_LOSS naming it.
NodeReader StoredNodes(const storage::Reader& snapshot);

// The number of durable receipts (0 when nothing was ever written).
absl::StatusOr<uint64_t> ReadTreeSize(const storage::Reader& reader);

// The receipt at `leaf_index`, leaf index filled in; NOT_FOUND when absent.
absl::StatusOr<wams::broker::v1::SignedReceipt> ReadReceipt(const storage::Reader& reader,
                                                            uint64_t leaf_index);

// The latest stored checkpoint, if any.
absl::StatusOr<std::optional<wams::broker::v1::Checkpoint>> ReadLatestCheckpoint(
    const storage::Reader& reader);

// OK when the stored receipts end exactly at `size` (none dropped at the
// end, none beyond it); else DATA_LOSS saying where they end.
absl::Status CheckReceiptsEndAt(const storage::Reader& reader, uint64_t size);

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_LOG_ROWS_H_
