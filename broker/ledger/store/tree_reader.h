// tree_reader.h: roots and RFC 9162 proofs of the receipt log, read from one
// storage snapshot per call, through an in-memory cache of the tree's upper
// nodes.
//
// A stored subtree hash never changes, so nodes at
// LedgerOptions::node_cache_min_level and above are kept once read or
// written (Remember), and a proof reads only the lower levels from the
// backend: O(log n) point reads.
//
//   TreeReader tree(backend, options.node_cache_min_level);
//   WAMS_ASSIGN_OR_RETURN(InclusionProof p, tree.GetInclusionProof(leaf, size));
//
// Thread-safe: the cache has its own lock, held only around a lookup or an
// insert, never during a backend read.
#ifndef WAMS_BROKER_LEDGER_STORE_TREE_READER_H_
#define WAMS_BROKER_LEDGER_STORE_TREE_READER_H_

#include <cstdint>
#include <span>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

class TreeReader {
 public:
  // `backend` is borrowed and must outlive the reader. Levels >=
  // `node_cache_min_level` are cached (64: none).
  TreeReader(const storage::Backend& backend, int node_cache_min_level);

  TreeReader(const TreeReader&) = delete;
  TreeReader& operator=(const TreeReader&) = delete;

  // Whether nodes of `level` are cached (so the writer remembers them).
  bool Caches(int level) const { return level >= node_cache_min_level_ && level < 64; }

  // Reads nodes from `snapshot` (borrowed: it must outlive the returned
  // reader) through the cache.
  NodeReader Nodes(const storage::Reader& snapshot) const;

  // Caches nodes just written durably (those Caches() accepts).
  void Remember(std::span<const NodeWrite> nodes);

  // Root hash of the first `tree_size` leaves. OUT_OF_RANGE when tree_size is
  // beyond the stored tree.
  absl::StatusOr<Digest> RootAt(uint64_t tree_size) const;

  // OUT_OF_RANGE for sizes beyond the stored tree or a leaf index >=
  // tree_size; INVALID_ARGUMENT for old_size > new_size.
  absl::StatusOr<wams::broker::v1::InclusionProof> GetInclusionProof(uint64_t leaf_index,
                                                                     uint64_t tree_size) const;
  absl::StatusOr<wams::broker::v1::ConsistencyProof> GetConsistencyProof(uint64_t old_size,
                                                                         uint64_t new_size) const;

 private:
  static uint64_t CacheKey(int level, uint64_t index) {
    return (static_cast<uint64_t>(level) << 56) | index;
  }

  const storage::Backend& backend_;
  const int node_cache_min_level_;
  mutable absl::Mutex cache_mu_;
  // Immutable upper tree nodes, by CacheKey.
  mutable absl::flat_hash_map<uint64_t, Digest> node_cache_ ABSL_GUARDED_BY(cache_mu_);
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_TREE_READER_H_
