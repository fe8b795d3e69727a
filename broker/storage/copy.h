// copy.h: copies every family of one storage backend into another, empty
// one, for moving a broker's data (a RocksDB log into PostgreSQL, or any
// Backend into another). The tool is `wams-storage copy`
// (broker/tools/storage); the receipts are re-verified there, on the
// destination, by the ledger.
//
//   WAMS_ASSIGN_OR_RETURN(CopyCounts counts, CopyAll(*from, *to, CopyOptions()));
//
// Reads one snapshot of the source, so a source in use would still be
// copied consistently; but stop the broker first: what it writes after the
// snapshot is not copied. Writes in key order, family by family, in batches
// of at most `max_batch_rows` rows and `max_batch_bytes` bytes (always at
// least one row), so memory and transaction size stay bounded whatever the
// log's size. Not thread-safe per call; the backends are.
#ifndef WAMS_BROKER_STORAGE_COPY_H_
#define WAMS_BROKER_STORAGE_COPY_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "broker/storage/backend.h"

namespace wams::storage {

struct CopyOptions {
  // Most rows per written batch. Default: 2000.
  size_t max_batch_rows = 2000;
  // Most key and value bytes per written batch. Default: 8 MiB.
  size_t max_batch_bytes = size_t{8} << 20;
};

struct CopyCounts {
  std::array<uint64_t, kFamilyCount> rows{};  // by Family
  uint64_t bytes = 0;                         // key and value bytes
  uint64_t batches = 0;                       // batches written
};

// Whether `reader` holds no key in any family (but the layout version a
// backend stamps on a database it creates); FAILED_PRECONDITION naming the
// first family that has one ("destination is not empty: family ...").
absl::Status RequireEmpty(const Reader& reader);

// Copies every family of `from` (at one snapshot) into `to`, which must be
// empty (FAILED_PRECONDITION, nothing written). Codes of the reads and
// writes otherwise (UNAVAILABLE, DATA_LOSS), with the family and the
// number of rows copied before the failure in the message; what was
// written stays (copy into a fresh destination again). `progress`, when
// given, is called after every written batch.
absl::StatusOr<CopyCounts> CopyAll(
    const Backend& from, const Backend& to, const CopyOptions& options,
    absl::FunctionRef<void(const CopyCounts&)> progress = [](const CopyCounts&) {});

}  // namespace wams::storage

#endif  // WAMS_BROKER_STORAGE_COPY_H_
