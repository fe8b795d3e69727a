#include "broker/ledger/merkle/merkle.h"

#include <bit>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"

namespace wams::ledger {
namespace {

std::string_view AsView(const Digest& d) {
  return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
}

// The largest power of two strictly smaller than n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// MTH(D[begin:end]) for a range the RFC 9162 recursion produces: `begin` is a
// multiple of a power of two >= end - begin, so the range decomposes into
// perfect subtrees of decreasing size, one per set bit of its length. Reads
// popcount(end - begin) nodes.
absl::StatusOr<Digest> RangeRoot(const NodeReader& reader, uint64_t begin, uint64_t end) {
  std::vector<Digest> peaks;
  uint64_t pos = begin;
  for (int level = 63; level >= 0; --level) {
    uint64_t width = uint64_t{1} << level;
    if (((end - begin) & width) == 0) continue;
    WAMS_ASSIGN_OR_RETURN(Digest h, reader(level, pos >> level));
    peaks.push_back(h);
    pos += width;
  }
  if (peaks.empty()) return EmptyRoot();
  Digest root = peaks.back();
  for (size_t i = peaks.size() - 1; i-- > 0;) root = NodeHash(peaks[i], root);
  return root;
}

// PATH(m, D[begin:begin+n]) of RFC 9162 2.1.3.1, appended leaf-first to `out`.
absl::Status Path(const NodeReader& reader, uint64_t m, uint64_t begin, uint64_t n,
                  std::vector<Digest>& out) {
  if (n <= 1) return absl::OkStatus();
  uint64_t k = SplitPoint(n);
  if (m < k) {
    WAMS_RETURN_IF_ERROR(Path(reader, m, begin, k, out));
    WAMS_ASSIGN_OR_RETURN(Digest right, RangeRoot(reader, begin + k, begin + n));
    out.push_back(right);
  } else {
    WAMS_RETURN_IF_ERROR(Path(reader, m - k, begin + k, n - k, out));
    WAMS_ASSIGN_OR_RETURN(Digest left, RangeRoot(reader, begin, begin + k));
    out.push_back(left);
  }
  return absl::OkStatus();
}

// SUBPROOF(m, D[begin:begin+n], b) of RFC 9162 2.1.4.1.
absl::Status SubProof(const NodeReader& reader, uint64_t m, uint64_t begin, uint64_t n, bool b,
                      std::vector<Digest>& out) {
  if (m == n) {
    if (!b) {
      WAMS_ASSIGN_OR_RETURN(Digest h, RangeRoot(reader, begin, begin + n));
      out.push_back(h);
    }
    return absl::OkStatus();
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    WAMS_RETURN_IF_ERROR(SubProof(reader, m, begin, k, b, out));
    WAMS_ASSIGN_OR_RETURN(Digest right, RangeRoot(reader, begin + k, begin + n));
    out.push_back(right);
  } else {
    WAMS_RETURN_IF_ERROR(SubProof(reader, m - k, begin + k, n - k, false, out));
    WAMS_ASSIGN_OR_RETURN(Digest left, RangeRoot(reader, begin, begin + k));
    out.push_back(left);
  }
  return absl::OkStatus();
}

std::string Hex(const Digest& d) { return DigestHex(d); }

}  // namespace

Digest LeafHash(std::string_view data) {
  static constexpr char kLeafPrefix = 0x00;
  return Sha256Parts({std::string_view(&kLeafPrefix, 1), data});
}

Digest NodeHash(const Digest& left, const Digest& right) {
  static constexpr char kNodePrefix = 0x01;
  return Sha256Parts({std::string_view(&kNodePrefix, 1), AsView(left), AsView(right)});
}

Digest EmptyRoot() {
  // SHA-256("") never changes; compute it once.
  static const Digest kEmpty = Sha256("");
  return kEmpty;
}

absl::StatusOr<std::vector<NodeWrite>> NodesCompletedByAppend(const NodeReader& reader,
                                                              uint64_t leaf_index,
                                                              const Digest& leaf_hash) {
  std::vector<NodeWrite> writes;
  writes.push_back({0, leaf_index, leaf_hash});
  Digest hash = leaf_hash;
  uint64_t index = leaf_index;
  int level = 0;
  // Each trailing 1 bit of the index closes one more perfect subtree whose
  // left half is already stored.
  while ((index & 1) == 1) {
    WAMS_ASSIGN_OR_RETURN(Digest left, reader(level, index - 1));
    hash = NodeHash(left, hash);
    index >>= 1;
    ++level;
    writes.push_back({level, index, hash});
  }
  return writes;
}

absl::StatusOr<Digest> RootAt(const NodeReader& reader, uint64_t tree_size) {
  return RangeRoot(reader, 0, tree_size);
}

absl::StatusOr<std::vector<Digest>> InclusionProof(const NodeReader& reader, uint64_t leaf_index,
                                                   uint64_t tree_size) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(absl::StrCat("inclusion proof: leaf index ", leaf_index,
                                                   " is not below tree size ", tree_size));
  }
  std::vector<Digest> proof;
  WAMS_RETURN_IF_ERROR(Path(reader, leaf_index, 0, tree_size, proof));
  return proof;
}

absl::StatusOr<std::vector<Digest>> ConsistencyProof(const NodeReader& reader, uint64_t old_size,
                                                     uint64_t new_size) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency proof: old size ", old_size, " exceeds new size ", new_size));
  }
  std::vector<Digest> proof;
  // Every tree extends the empty tree, and itself, with an empty proof.
  if (old_size == 0 || old_size == new_size) return proof;
  WAMS_RETURN_IF_ERROR(SubProof(reader, old_size, 0, new_size, true, proof));
  return proof;
}

absl::Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Digest& leaf_hash,
                             const std::vector<Digest>& proof, const Digest& root) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("inclusion: leaf index ", leaf_index, " is not below tree size ", tree_size));
  }
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  Digest r = leaf_hash;
  for (const Digest& p : proof) {
    if (sn == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "inclusion: proof has more than the expected hashes (", proof.size(), " given)"));
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "inclusion: proof has fewer than the expected hashes (", proof.size(), " given)"));
  }
  if (r != root) {
    return absl::InvalidArgumentError(
        absl::StrCat("inclusion: computed root ", Hex(r), " does not match root ", Hex(root)));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                               const Digest& new_root, const std::vector<Digest>& proof) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency: old size ", old_size, " exceeds new size ", new_size));
  }
  if (old_size == new_size) {
    if (!proof.empty()) {
      return absl::InvalidArgumentError("consistency: equal sizes need an empty proof");
    }
    if (old_root != new_root) {
      return absl::InvalidArgumentError(absl::StrCat("consistency: equal sizes ", old_size,
                                                     " but roots differ: ", Hex(old_root),
                                                     " != ", Hex(new_root)));
    }
    return absl::OkStatus();
  }
  if (old_size == 0) {
    // The empty tree is a prefix of every tree; there is nothing to prove.
    if (!proof.empty()) {
      return absl::InvalidArgumentError("consistency: old size 0 needs an empty proof");
    }
    return absl::OkStatus();
  }
  if (proof.empty()) {
    return absl::InvalidArgumentError("consistency: empty proof for different sizes");
  }
  // RFC 9162 2.1.4.2. When old_size is a power of two the old root is itself
  // the first node of the path and is not sent.
  size_t next = 0;
  Digest seed;
  if (std::has_single_bit(old_size)) {
    seed = old_root;
  } else {
    seed = proof[0];
    next = 1;
  }
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr = seed;
  Digest sr = seed;
  for (; next < proof.size(); ++next) {
    const Digest& c = proof[next];
    if (sn == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "consistency: proof has more than the expected hashes (", proof.size(), " given)"));
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consistency: proof has fewer than the expected hashes (", proof.size(), " given)"));
  }
  if (fr != old_root) {
    return absl::InvalidArgumentError(absl::StrCat("consistency: computed old root ", Hex(fr),
                                                   " does not match ", Hex(old_root)));
  }
  if (sr != new_root) {
    return absl::InvalidArgumentError(absl::StrCat("consistency: computed new root ", Hex(sr),
                                                   " does not match ", Hex(new_root)));
  }
  return absl::OkStatus();
}

void CompactRange::Append(const Digest& leaf_hash) {
  peaks_.push_back(leaf_hash);
  // Each trailing 1 bit of the old size is a peak of the same height as the
  // new one: merge them.
  for (uint64_t s = size_; (s & 1) == 1; s >>= 1) {
    Digest right = peaks_.back();
    peaks_.pop_back();
    peaks_.back() = NodeHash(peaks_.back(), right);
  }
  ++size_;
}

Digest CompactRange::Root() const {
  if (peaks_.empty()) return EmptyRoot();
  Digest root = peaks_.back();
  for (size_t i = peaks_.size() - 1; i-- > 0;) root = NodeHash(peaks_[i], root);
  return root;
}

}  // namespace wams::ledger
