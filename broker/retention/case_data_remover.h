// case_data_remover.h: removes what the broker holds about a case or a
// person, in small batches, for the retention job and the erasure: a case's
// record, its conferences and their items, the subject-index entries of its
// receipts; all subject-index entries of a pseudonym; a person's entry and
// consents in a case that stays.
//
//   CaseDataRemover remover(backend, /*batch_size=*/100);
//   WAMS_ASSIGN_OR_RETURN(CaseIndex index, CaseIndex::Read(backend));
//   WAMS_RETURN_IF_ERROR(remover.RemoveCase(case_id, index, counts));
//   WAMS_RETURN_IF_ERROR(remover.RemoveSubjectEntries(pseudonym, counts));
//   WAMS_RETURN_IF_ERROR(remover.Finish());
//
// Deletions are queued and written in order, `batch_size` at a time, one
// Backend::Write each (a batch may span cases), without any lock of the
// ledger: receipt appends (their own group commits) are never held up for
// longer than one small write. Finish() writes the rest. Reads are bounded
// scans at the latest state. A case's record is queued after everything
// else of the case, so it is written in the same batch or a later one, and
// a run that stops half-way (a failed write, a crash) finds the case again
// next time and finishes it; every step is idempotent.
//
// The receipts themselves are never touched: the log stays byte for byte
// what the checkpoints signed. Removing subject-index entries (a log family
// the ledger otherwise writes alone) is safe because no proof and no
// open-time check reads that index; only Ledger::Query does.
//
// Thread-compatible: one remover per run; the backend is thread-safe.
#ifndef WAMS_BROKER_RETENTION_CASE_DATA_REMOVER_H_
#define WAMS_BROKER_RETENTION_CASE_DATA_REMOVER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/case.pb.h"

namespace wams::retention {

// What was removed, for receipts, metrics and the erasure's answer.
struct RemovalCounts {
  uint64_t cases_removed = 0;
  uint64_t cases_stripped = 0;  // a person's entry and consents taken out
  uint64_t consents_removed = 0;
  uint64_t conference_records_removed = 0;  // conferences and items
  uint64_t index_entries_removed = 0;
  uint64_t keys_shredded = 0;

  uint64_t Total() const;
  // "cases 2, stripped 0, consents 3, conference records 4, index entries
  // 17, keys shredded 2": counts only, for a receipt's detail.
  std::string Summary() const;
};

// Every stored case (not conferences) and which conferences belong to which
// case, read once per run from the cases family.
struct CaseIndex {
  std::vector<wams::broker::v1::Case> cases;
  std::map<std::string, std::vector<std::string>> conferences_by_case;

  // DATA_LOSS when a stored case or conference does not parse (naming its
  // key); UNAVAILABLE on a read error.
  static absl::StatusOr<CaseIndex> Read(const storage::Reader& reader);
};

class CaseDataRemover {
 public:
  // Borrows `backend`, which must outlive the remover. `batch_size` >= 1.
  CaseDataRemover(const storage::Backend& backend, size_t batch_size);

  // Queues the removal of the case `c` (as read into `index`): the
  // subject-index entries of its receipts, its conferences and their items,
  // then its record. UNAVAILABLE when a read or write fails (run again to
  // finish).
  absl::Status RemoveCase(const wams::broker::v1::Case& c, const CaseIndex& index,
                          RemovalCounts& counts);

  // Removes the subject-index entries of `pseudonyms` on the case's
  // receipts, then rewrites `c` without the clients and consents whose
  // pseudonym is in `pseudonyms` (written at once, after what was queued).
  absl::Status StripCase(const wams::broker::v1::Case& c, const std::set<std::string>& pseudonyms,
                         RemovalCounts& counts);

  // Queues the removal of every subject-index entry of `pseudonym`.
  absl::Status RemoveSubjectEntries(const std::string& pseudonym, RemovalCounts& counts);

  // Writes the deletions still queued. Call once at the end; until then
  // some may not be written.
  absl::Status Finish();

 private:
  void Delete(storage::Family family, std::string key);
  // Writes the pending deletions when `batch_size_` are pending (`force`:
  // when any are).
  absl::Status Flush(bool force);
  // The leaf indexes of the case's receipts (idx_case).
  absl::StatusOr<std::vector<uint64_t>> CaseLeaves(const std::string& case_id) const;
  // Deletes the subject-index entries of the case's receipts whose subject
  // is in `only` (every subject when `only` is null).
  absl::Status RemoveCaseSubjectEntries(const std::string& case_id,
                                        const std::set<std::string>* only, RemovalCounts& counts);

  const storage::Backend& backend_;
  const size_t batch_size_;
  storage::WriteBatch pending_;
};

}  // namespace wams::retention

#endif  // WAMS_BROKER_RETENTION_CASE_DATA_REMOVER_H_
