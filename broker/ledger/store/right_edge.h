// right_edge.h: the right edge of the receipt log's Merkle tree (the last
// complete node of every level), kept in memory by the committing thread so
// that hashing an append needs no read.
//
//   WAMS_ASSIGN_OR_RETURN(RightEdge edge, RightEdge::Read(*snapshot, size));
//   WAMS_ASSIGN_OR_RETURN(std::vector<NodeWrite> nodes, edge.Append(size, leaf_hash));
//   // write `nodes` with the leaf; on a failed write, Read the edge again.
//
// Not thread-safe: one owner (the writer's committing thread) at a time.
#ifndef WAMS_BROKER_LEDGER_STORE_RIGHT_EDGE_H_
#define WAMS_BROKER_LEDGER_STORE_RIGHT_EDGE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/storage/backend.h"

namespace wams::ledger::store {

class RightEdge {
 public:
  // The edge of an empty tree.
  RightEdge();

  // The edge of the stored tree of `size` leaves: O(log size) node reads.
  static absl::StatusOr<RightEdge> Read(const storage::Reader& snapshot, uint64_t size);

  // The nodes appending leaf `leaf_index` completes (the leaf itself first),
  // and moves the edge past them. `leaf_index` must be the tree's size;
  // INTERNAL otherwise (a left sibling is not on the edge).
  absl::StatusOr<std::vector<NodeWrite>> Append(uint64_t leaf_index, const Digest& leaf_hash);

 private:
  struct EdgeNode {
    uint64_t index;
    Digest hash;
  };
  // The left sibling (level, index) the next appends need, from the edge.
  absl::StatusOr<Digest> Sibling(int level, uint64_t index) const;

  std::vector<std::optional<EdgeNode>> nodes_;  // per level 0..64
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_RIGHT_EDGE_H_
