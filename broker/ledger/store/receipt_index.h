// receipt_index.h: the receipt log's four indexes (case, subject pseudonym,
// party OIN, time): the entries an append writes and the paged reads of
// Ledger::Query.
//
// An entry's key is the indexed value's prefix (storage::StringPrefix, or
// the encoded time) followed by be64(leaf); a party entry's value says the
// role (requester, target or both). Page tokens are the hex of the last
// returned key's suffix, so pages stay stable while the log grows.
//
//   // appending thread:
//   WAMS_ASSIGN_OR_RETURN(IndexPrefixes prefixes, IndexPrefixesOf(receipt));
//   // committing thread, per leaf:
//   AddIndexEntries(prefixes, leaf_index, batch);
//   // readers:
//   WAMS_ASSIGN_OR_RETURN(QueryPage page, QueryIndex(backend, query, max_page_size));
//
// Thread-safe: free functions and plain values.
#ifndef WAMS_BROKER_LEDGER_STORE_RECEIPT_INDEX_H_
#define WAMS_BROKER_LEDGER_STORE_RECEIPT_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/message_limits.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

// Which index a query reads.
enum class IndexKind {
  kCase,     // Receipt.case_id
  kSubject,  // Receipt.subject_pseudonym (raw bytes)
  kParty,    // Receipt.requester_oin or Receipt.target_oin
  kTime,     // Receipt.time in [from, to)
};

struct IndexQuery {
  IndexKind index = IndexKind::kCase;
  // The case id, pseudonym or OIN; ignored for kTime. Must be non-empty.
  std::string key;
  // kCase, kSubject, kParty: further keys whose entries are merged with
  // `key`'s in log order, each leaf once (a subject's pseudonyms under its own
  // and the legacy key, broker/subjects). Page tokens work across them.
  // Default: none.
  std::vector<std::string> more_keys;
  // kTime only: the half-open range [from, to).
  absl::Time from = absl::InfinitePast();
  absl::Time to = absl::InfiniteFuture();
  // next_page_token of the previous page; empty for the first page.
  std::string page_token;
  // Results per page, at most LedgerOptions::max_page_size. Default: 100.
  size_t page_size = 100;
  // Also read the receipts (else only leaf indexes). Default: true.
  bool with_receipts = true;
  // With receipts: the page ends before the receipt that would take the
  // page's receipts (SignedReceipt bytes) over this many bytes, but always
  // holds at least one. 0: no byte bound. Default: base::kMaxPageBytes.
  size_t max_page_bytes = base::kMaxPageBytes;
};

struct QueryPage {
  // In log order (kTime: in time order, then log order).
  std::vector<uint64_t> leaf_indexes;
  // Parallel to leaf_indexes when IndexQuery::with_receipts.
  std::vector<wams::broker::v1::SignedReceipt> receipts;
  // Empty when this is the last page.
  std::string next_page_token;
};

// The key prefixes of one receipt's index entries; an empty prefix (or no
// time) means that index has no entry for it.
struct IndexPrefixes {
  std::string case_prefix;
  std::string subject_prefix;
  std::string requester_prefix;
  std::string target_prefix;
  std::optional<std::string> time_prefix;
};

// INVALID_ARGUMENT when an indexed value is over 65535 bytes.
absl::StatusOr<IndexPrefixes> IndexPrefixesOf(const wams::broker::v1::Receipt& receipt);

// Adds the index entries of the receipt at `leaf_index` to `batch`.
void AddIndexEntries(const IndexPrefixes& prefixes, uint64_t leaf_index,
                     storage::WriteBatch& batch);

// One page of `query`, read from one snapshot of `backend`. INVALID_ARGUMENT
// for an empty key, a page size of 0 or over `max_page_size`, or a malformed
// page token.
absl::StatusOr<QueryPage> QueryIndex(const storage::Backend& backend, const IndexQuery& query,
                                     size_t max_page_size);

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_RECEIPT_INDEX_H_
