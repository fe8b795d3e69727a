#include "broker/storage/copy.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/storage/key_codec.h"

namespace wams::storage {
namespace {

Family FamilyAt(size_t index) { return FamilyTable()[index].family; }

// absl's StrCat takes absl::string_view, which is not std's in this build.
std::string NameAt(size_t index) { return std::string(FamilyTable()[index].name); }

absl::Status WithContext(const absl::Status& status, const std::string& what) {
  return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
}

}  // namespace

absl::Status RequireEmpty(const Reader& reader) {
  for (size_t i = 0; i < kFamilyCount; ++i) {
    absl::StatusOr<std::vector<KeyValue>> first = reader.Scan(FamilyAt(i), ScanRange::From("", 2));
    if (!first.ok()) return WithContext(first.status(), absl::StrCat("reading family ", NameAt(i)));
    for (const KeyValue& row : *first) {
      // Every backend stamps its layout version when it creates a database.
      if (FamilyAt(i) == Family::kMeta && row.key == kMetaLayoutVersion) continue;
      return absl::FailedPreconditionError(
          absl::StrCat("destination is not empty: family ", NameAt(i),
                       " has keys; copy only into a fresh database (nothing was written)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CopyCounts> CopyAll(const Backend& from, const Backend& to,
                                   const CopyOptions& options,
                                   absl::FunctionRef<void(const CopyCounts&)> progress) {
  if (absl::Status empty = RequireEmpty(to); !empty.ok()) return empty;
  absl::StatusOr<std::unique_ptr<Reader>> snapshot = from.Snapshot();
  if (!snapshot.ok()) return WithContext(snapshot.status(), "opening a snapshot of the source");

  const size_t max_rows = options.max_batch_rows == 0 ? 1 : options.max_batch_rows;
  CopyCounts counts;
  for (size_t i = 0; i < kFamilyCount; ++i) {
    const Family family = FamilyAt(i);
    const std::string name = NameAt(i);
    WriteBatch batch;
    auto flush = [&]() -> absl::Status {
      if (batch.empty()) return absl::OkStatus();
      if (absl::Status written = to.Write(batch); !written.ok()) {
        return WithContext(
            written, absl::StrCat("writing family ", name, " after ", counts.rows[i], " rows"));
      }
      counts.rows[i] += batch.size();
      counts.bytes += batch.ByteSize();
      ++counts.batches;
      batch = WriteBatch();
      progress(counts);
      return absl::OkStatus();
    };
    absl::Status write_error;  // a failed write stops the scan; named by flush()
    absl::Status scanned =
        ScanAll(**snapshot, family, ScanRange::From("", max_rows), [&](const KeyValue& row) {
          const size_t row_bytes = row.key.size() + row.value.size();
          if (!batch.empty() && (batch.size() >= max_rows ||
                                 batch.ByteSize() + row_bytes > options.max_batch_bytes)) {
            write_error = flush();
            if (!write_error.ok()) return write_error;
          }
          batch.Put(family, row.key, row.value);
          return absl::OkStatus();
        });
    if (!write_error.ok()) return write_error;
    if (!scanned.ok()) {
      return WithContext(scanned,
                         absl::StrCat("reading family ", name, " after ", counts.rows[i], " rows"));
    }
    if (absl::Status flushed = flush(); !flushed.ok()) return flushed;
  }
  return counts;
}

}  // namespace wams::storage
