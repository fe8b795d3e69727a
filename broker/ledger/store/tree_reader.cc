#include "broker/ledger/store/tree_reader.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/store/log_rows.h"

namespace wams::ledger::store {

using wams::broker::v1::ConsistencyProof;
using wams::broker::v1::InclusionProof;

namespace {

absl::Status CheckWithin(uint64_t tree_size, uint64_t stored_size) {
  if (tree_size > stored_size) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", tree_size, " is beyond the log's ", stored_size));
  }
  return absl::OkStatus();
}

}  // namespace

TreeReader::TreeReader(const storage::Backend& backend, int node_cache_min_level)
    : backend_(backend), node_cache_min_level_(node_cache_min_level) {}

NodeReader TreeReader::Nodes(const storage::Reader& snapshot) const {
  return [this, &snapshot](int level, uint64_t index) -> absl::StatusOr<Digest> {
    const bool cacheable = Caches(level);
    const uint64_t key = CacheKey(level, index);
    if (cacheable) {
      absl::ReaderMutexLock lock(&cache_mu_);
      auto it = node_cache_.find(key);
      if (it != node_cache_.end()) return it->second;
    }
    WAMS_ASSIGN_OR_RETURN(Digest d, StoredNodes(snapshot)(level, index));
    if (cacheable) {
      absl::MutexLock lock(&cache_mu_);
      node_cache_.emplace(key, d);
    }
    return d;
  };
}

void TreeReader::Remember(std::span<const NodeWrite> nodes) {
  if (nodes.empty()) return;
  absl::MutexLock lock(&cache_mu_);
  for (const NodeWrite& n : nodes) {
    if (Caches(n.level)) node_cache_.emplace(CacheKey(n.level, n.index), n.hash);
  }
}

absl::StatusOr<Digest> TreeReader::RootAt(uint64_t tree_size) const {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  WAMS_RETURN_IF_ERROR(CheckWithin(tree_size, size));
  return wams::ledger::RootAt(Nodes(*snapshot), tree_size);
}

absl::StatusOr<InclusionProof> TreeReader::GetInclusionProof(uint64_t leaf_index,
                                                             uint64_t tree_size) const {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  WAMS_RETURN_IF_ERROR(CheckWithin(tree_size, size));
  if (leaf_index >= tree_size) {
    return absl::OutOfRangeError(
        absl::StrCat("leaf ", leaf_index, " is not in a tree of size ", tree_size));
  }
  WAMS_ASSIGN_OR_RETURN(std::vector<Digest> hashes,
                        wams::ledger::InclusionProof(Nodes(*snapshot), leaf_index, tree_size));
  InclusionProof proof;
  proof.set_leaf_index(leaf_index);
  proof.set_tree_size(tree_size);
  for (const Digest& d : hashes) proof.add_hashes(DigestBytes(d));
  return proof;
}

absl::StatusOr<ConsistencyProof> TreeReader::GetConsistencyProof(uint64_t old_size,
                                                                 uint64_t new_size) const {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old size ", old_size, " is larger than new size ", new_size));
  }
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  WAMS_RETURN_IF_ERROR(CheckWithin(new_size, size));
  WAMS_ASSIGN_OR_RETURN(std::vector<Digest> hashes,
                        wams::ledger::ConsistencyProof(Nodes(*snapshot), old_size, new_size));
  ConsistencyProof proof;
  proof.set_old_size(old_size);
  proof.set_new_size(new_size);
  for (const Digest& d : hashes) proof.add_hashes(DigestBytes(d));
  return proof;
}

}  // namespace wams::ledger::store
