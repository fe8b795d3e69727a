#include "broker/ledger/store/right_edge.h"

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/store/log_rows.h"

namespace wams::ledger::store {

RightEdge::RightEdge() : nodes_(65, std::nullopt) {}

absl::StatusOr<RightEdge> RightEdge::Read(const storage::Reader& snapshot, uint64_t size) {
  // At each level the last complete node, which is the left sibling the
  // next appends need.
  RightEdge edge;
  NodeReader reader = StoredNodes(snapshot);
  for (int level = 0; level < 64 && (size >> level) > 0; ++level) {
    const uint64_t index = (size >> level) - 1;
    WAMS_ASSIGN_OR_RETURN(Digest d, reader(level, index));
    edge.nodes_[level] = EdgeNode{index, d};
  }
  return edge;
}

absl::StatusOr<Digest> RightEdge::Sibling(int level, uint64_t index) const {
  if (level < 0 || level >= static_cast<int>(nodes_.size()) || !nodes_[level].has_value() ||
      nodes_[level]->index != index) {
    return absl::InternalError(
        absl::StrCat("right-edge node (level ", level, ", index ", index, ") not cached"));
  }
  return nodes_[level]->hash;
}

absl::StatusOr<std::vector<NodeWrite>> RightEdge::Append(uint64_t leaf_index,
                                                         const Digest& leaf_hash) {
  WAMS_ASSIGN_OR_RETURN(
      std::vector<NodeWrite> completed,
      NodesCompletedByAppend([this](int level, uint64_t index) { return Sibling(level, index); },
                             leaf_index, leaf_hash));
  for (const NodeWrite& n : completed) nodes_[n.level] = EdgeNode{n.index, n.hash};
  return completed;
}

}  // namespace wams::ledger::store
