// merkle.h: RFC 6962 / RFC 9162 Merkle tree hashing and proofs, as pure
// functions. Storage is behind NodeReader: proofs read O(log n) stored
// subtree hashes and never recompute the tree.
//
// Node addressing: a perfect subtree is (level, index): level 0 are leaf
// hashes, the node (level, i) covers leaves [i << level, (i + 1) << level).
//
//   NodeHash(LeafHash("a"), LeafHash("b"));
//   WAMS_ASSIGN_OR_RETURN(auto proof, InclusionProof(reader, 5, 8));
//   WAMS_RETURN_IF_ERROR(VerifyInclusion(5, 8, leaf_hash, proof, root));
#ifndef WAMS_BROKER_LEDGER_MERKLE_MERKLE_H_
#define WAMS_BROKER_LEDGER_MERKLE_MERKLE_H_

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/ledger/crypto/sha256.h"

namespace wams::ledger {

// SHA-256(0x00 || data).
Digest LeafHash(std::string_view data);
// SHA-256(0x01 || left || right).
Digest NodeHash(const Digest& left, const Digest& right);
// SHA-256("") : the root of the empty tree.
Digest EmptyRoot();

// Reads the stored hash of the perfect subtree (level, index). Only nodes of
// complete subtrees are ever asked for. Returns NOT_FOUND / DATA_LOSS etc. as
// the storage sees fit.
using NodeReader = std::function<absl::StatusOr<Digest>(int level, uint64_t index)>;

// The nodes an append of leaf number `leaf_index` (0-based) completes: the
// leaf itself at level 0 and every perfect subtree it closes, as
// (level, index, hash). `reader` gives the existing left siblings.
struct NodeWrite {
  int level;
  uint64_t index;
  Digest hash;
};
absl::StatusOr<std::vector<NodeWrite>> NodesCompletedByAppend(const NodeReader& reader,
                                                              uint64_t leaf_index,
                                                              const Digest& leaf_hash);

// Root of the first `tree_size` leaves, from O(log n) stored nodes.
absl::StatusOr<Digest> RootAt(const NodeReader& reader, uint64_t tree_size);

// RFC 9162 2.1.3 inclusion proof of `leaf_index` in a tree of `tree_size`.
// INVALID_ARGUMENT unless leaf_index < tree_size; the reader's errors as they are.
absl::StatusOr<std::vector<Digest>> InclusionProof(const NodeReader& reader, uint64_t leaf_index,
                                                   uint64_t tree_size);
// RFC 9162 2.1.4 consistency proof from `old_size` to `new_size`.
// INVALID_ARGUMENT unless old_size <= new_size; the reader's errors as they are.
absl::StatusOr<std::vector<Digest>> ConsistencyProof(const NodeReader& reader, uint64_t old_size,
                                                     uint64_t new_size);

// RFC 9162 2.1.3.2. OK, or INVALID_ARGUMENT saying what does not match.
absl::Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Digest& leaf_hash,
                             const std::vector<Digest>& proof, const Digest& root);
// RFC 9162 2.1.4.2. OK, or INVALID_ARGUMENT saying what does not match.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                               const Digest& new_root, const std::vector<Digest>& proof);

// Computes the root of a whole list of leaf hashes in memory (verifiers and
// tests). Streaming: O(log n) memory, one NodeHash per merge.
class CompactRange {
 public:
  // Adds the next leaf hash.
  void Append(const Digest& leaf_hash);
  uint64_t size() const { return size_; }
  // The root of all leaves appended so far (EmptyRoot() when none).
  Digest Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Digest> peaks_;  // one per set bit of size_, highest level first
};

}  // namespace wams::ledger

#endif  // WAMS_BROKER_LEDGER_MERKLE_MERKLE_H_
