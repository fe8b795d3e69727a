// RFC 6962 / RFC 9162 golden vectors (transparency-dev/merkle testonly and
// reference_test.go), every proof pair up to 8 leaves with corrupted-proof
// probes, and a randomized cross-check against a naive RFC implementation.
#include "broker/ledger/merkle/merkle.h"

#include <bit>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/ledger/primitives/test_util.h"
#include "tests/testing/status_matchers.h"

namespace wams::ledger {
namespace {

using ::wams::ledger::testing::FromHex;
using ::wams::ledger::testing::HexDigest;
using ::wams::testing::StatusIs;

// An in-memory node store filled through NodesCompletedByAppend, as the
// RocksDB store does. Counts reads so tests can check O(log n).
class MemoryTree {
 public:
  void Append(std::string_view data) { AppendHash(LeafHash(data)); }
  void AppendHash(const Digest& leaf) {
    auto writes = NodesCompletedByAppend(Reader(), size_, leaf);
    ASSERT_TRUE(writes.ok()) << writes.status();
    for (const NodeWrite& w : *writes) nodes_[{w.level, w.index}] = w.hash;
    ++size_;
  }
  NodeReader Reader() {
    return [this](int level, uint64_t index) -> absl::StatusOr<Digest> {
      ++reads_;
      auto it = nodes_.find({level, index});
      if (it == nodes_.end()) {
        return absl::NotFoundError("node " + std::to_string(level) + "/" + std::to_string(index));
      }
      return it->second;
    };
  }
  uint64_t size() const { return size_; }
  uint64_t reads() const { return reads_; }
  void ResetReads() { reads_ = 0; }

 private:
  std::map<std::pair<int, uint64_t>, Digest> nodes_;
  uint64_t size_ = 0;
  uint64_t reads_ = 0;
};

// The naive RFC 9162 definitions over a list of leaf hashes.
Digest NaiveRoot(const std::vector<Digest>& l, size_t b, size_t e) {
  if (e == b) return EmptyRoot();
  if (e - b == 1) return l[b];
  size_t k = std::bit_floor(e - b - 1);
  return NodeHash(NaiveRoot(l, b, b + k), NaiveRoot(l, b + k, e));
}
void NaivePath(const std::vector<Digest>& l, size_t m, size_t b, size_t e,
               std::vector<Digest>& out) {
  if (e - b <= 1) return;
  size_t k = std::bit_floor(e - b - 1);
  if (m < k) {
    NaivePath(l, m, b, b + k, out);
    out.push_back(NaiveRoot(l, b + k, e));
  } else {
    NaivePath(l, m - k, b + k, e, out);
    out.push_back(NaiveRoot(l, b, b + k));
  }
}
void NaiveSubProof(const std::vector<Digest>& l, size_t m, size_t b, size_t e, bool complete,
                   std::vector<Digest>& out) {
  size_t n = e - b;
  if (m == n) {
    if (!complete) out.push_back(NaiveRoot(l, b, e));
    return;
  }
  size_t k = std::bit_floor(n - 1);
  if (m <= k) {
    NaiveSubProof(l, m, b, b + k, complete, out);
    out.push_back(NaiveRoot(l, b + k, e));
  } else {
    NaiveSubProof(l, m - k, b + k, e, false, out);
    out.push_back(NaiveRoot(l, b, b + k));
  }
}

const std::vector<std::string>& ReferenceLeaves() {
  static const auto* const kLeaves =
      new std::vector<std::string>{FromHex(""),
                                   FromHex("00"),
                                   FromHex("10"),
                                   FromHex("2021"),
                                   FromHex("3031"),
                                   FromHex("40414243"),
                                   FromHex("5051525354555657"),
                                   FromHex("606162636465666768696a6b6c6d6e6f")};
  return *kLeaves;
}

constexpr const char* kReferenceRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// The reference tree, extended to 17 leaves so probes with size + 1 (and
// size * 2) have a real root to compare against.
class ReferenceTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& leaf : ReferenceLeaves()) tree_.Append(leaf);
    for (int i = 8; i < 17; ++i) tree_.Append("extra leaf " + std::to_string(i));
    for (uint64_t n = 0; n <= tree_.size(); ++n) {
      absl::StatusOr<Digest> root = RootAt(tree_.Reader(), n);
      ASSERT_TRUE(root.ok()) << root.status();
      roots_.push_back(*root);
    }
  }
  Digest LeafAt(uint64_t i) {
    absl::StatusOr<Digest> leaf = tree_.Reader()(0, i);
    EXPECT_TRUE(leaf.ok());
    return leaf.ok() ? *leaf : Digest{};
  }
  Digest RootOf(uint64_t n) { return n < roots_.size() ? roots_[n] : Sha256("no such root"); }

  MemoryTree tree_;
  std::vector<Digest> roots_;  // roots_[n] = root of the first n leaves
};

TEST(MerkleHashTest, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(DigestHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CompactRange empty;
  EXPECT_EQ(empty.Root(), EmptyRoot());
  MemoryTree tree;
  absl::StatusOr<Digest> root = RootAt(tree.Reader(), 0);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, EmptyRoot());
}

TEST_F(ReferenceTreeTest, RootsMatchRfc6962Vectors) {
  CompactRange range;
  for (uint64_t n = 1; n <= 8; ++n) {
    range.Append(LeafHash(ReferenceLeaves()[n - 1]));
    EXPECT_EQ(DigestHex(roots_[n]), kReferenceRoots[n - 1]) << "size " << n;
    EXPECT_EQ(DigestHex(range.Root()), kReferenceRoots[n - 1]) << "size " << n;
    EXPECT_EQ(range.size(), n);
  }
}

TEST_F(ReferenceTreeTest, PublishedInclusionProofsMatchExactly) {
  struct Case {
    uint64_t index, size;
    std::vector<const char*> proof;
  };
  const std::vector<Case> cases = {
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<Digest>> proof = InclusionProof(tree_.Reader(), c.index, c.size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_EQ(proof->size(), c.proof.size()) << c.index << "," << c.size;
    for (size_t i = 0; i < c.proof.size(); ++i) {
      EXPECT_EQ(DigestHex((*proof)[i]), c.proof[i]) << c.index << "," << c.size << " #" << i;
    }
    std::vector<Digest> published;
    for (const char* h : c.proof) published.push_back(HexDigest(h));
    EXPECT_TRUE(VerifyInclusion(c.index, c.size, LeafHash(ReferenceLeaves()[c.index]), published,
                                HexDigest(kReferenceRoots[c.size - 1]))
                    .ok());
  }
}

TEST_F(ReferenceTreeTest, PublishedConsistencyProofsMatchExactly) {
  struct Case {
    uint64_t size1, size2;
    std::vector<const char*> proof;
  };
  const std::vector<Case> cases = {
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<Digest>> proof = ConsistencyProof(tree_.Reader(), c.size1, c.size2);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_EQ(proof->size(), c.proof.size()) << c.size1 << "," << c.size2;
    for (size_t i = 0; i < c.proof.size(); ++i) {
      EXPECT_EQ(DigestHex((*proof)[i]), c.proof[i]) << c.size1 << "," << c.size2 << " #" << i;
    }
    std::vector<Digest> published;
    for (const char* h : c.proof) published.push_back(HexDigest(h));
    EXPECT_TRUE(VerifyConsistency(c.size1, c.size2, HexDigest(kReferenceRoots[c.size1 - 1]),
                                  HexDigest(kReferenceRoots[c.size2 - 1]), published)
                    .ok());
  }
}

// Every way to corrupt an inclusion proof must be rejected.
std::vector<std::pair<std::string, absl::Status>> InclusionProbes(
    uint64_t index, uint64_t size, const Digest& leaf, const std::vector<Digest>& proof,
    const Digest& root, const std::function<Digest(uint64_t)>& root_of) {
  std::vector<std::pair<std::string, absl::Status>> out;
  auto probe = [&](std::string what, uint64_t i, uint64_t n, const Digest& l,
                   const std::vector<Digest>& p, const Digest& r) {
    out.emplace_back(std::move(what), VerifyInclusion(i, n, l, p, r));
  };
  // Wrong index (same leaf and root).
  if (index > 0) probe("index - 1", index - 1, size, leaf, proof, root);
  probe("index + 1", index + 1, size, leaf, proof, root);
  probe("index ^ 2", index ^ 2, size, leaf, proof, root);
  // Wrong size: off by one against the true root of that size, and the
  // wrong height against the original root.
  if (size > 1) probe("size - 1", index, size - 1, leaf, proof, root_of(size - 1));
  probe("size + 1", index, size + 1, leaf, proof, root_of(size + 1));
  probe("size * 2", index, size * 2, leaf, proof, root);
  probe("size / 2", index, size / 2, leaf, proof, root);
  // Wrong leaf or root.
  Digest bad_leaf = leaf;
  bad_leaf[0] ^= 1;
  probe("leaf bit flip", index, size, bad_leaf, proof, root);
  Digest bad_root = root;
  bad_root[31] ^= 0x80;
  probe("root bit flip", index, size, leaf, proof, bad_root);
  // Each element: a flipped bit, removed.
  for (size_t i = 0; i < proof.size(); ++i) {
    for (int bit : {0, 7, 128, 255}) {
      std::vector<Digest> p = proof;
      p[i][bit / 8] = static_cast<uint8_t>(p[i][bit / 8] ^ (1 << (bit % 8)));
      probe("bit " + std::to_string(bit) + " of element " + std::to_string(i), index, size, leaf, p,
            root);
    }
    std::vector<Digest> p = proof;
    p.erase(p.begin() + static_cast<std::ptrdiff_t>(i));
    probe("missing element " + std::to_string(i), index, size, leaf, p, root);
  }
  // Extra elements at the end and the front.
  for (const Digest& extra : {Digest{}, leaf, root}) {
    std::vector<Digest> p = proof;
    p.push_back(extra);
    probe("extra element at end", index, size, leaf, p, root);
    p = proof;
    p.insert(p.begin(), extra);
    probe("extra element at front", index, size, leaf, p, root);
  }
  return out;
}

TEST_F(ReferenceTreeTest, EveryInclusionPairUpTo8VerifiesAndRejectsCorruption) {
  int probes = 0;
  for (uint64_t size = 1; size <= 8; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      absl::StatusOr<std::vector<Digest>> proof = InclusionProof(tree_.Reader(), index, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(DigestHex(roots_[size]), kReferenceRoots[size - 1]);
      const Digest leaf = LeafHash(ReferenceLeaves()[index]);
      EXPECT_TRUE(VerifyInclusion(index, size, leaf, *proof, roots_[size]).ok())
          << index << "," << size;
      for (const auto& [what, status] : InclusionProbes(index, size, leaf, *proof, roots_[size],
                                                        [&](uint64_t n) { return RootOf(n); })) {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument))
            << "(" << index << "," << size << ") accepted " << what;
        ++probes;
      }
    }
  }
  EXPECT_GT(probes, 500);
}

std::vector<std::pair<std::string, absl::Status>> ConsistencyProbes(
    uint64_t size1, uint64_t size2, const Digest& root1, const Digest& root2,
    const std::vector<Digest>& proof, const std::function<Digest(uint64_t)>& root_of) {
  std::vector<std::pair<std::string, absl::Status>> out;
  auto probe = [&](std::string what, uint64_t s1, uint64_t s2, const Digest& r1, const Digest& r2,
                   const std::vector<Digest>& p) {
    out.emplace_back(std::move(what), VerifyConsistency(s1, s2, r1, r2, p));
  };
  // Wrong sizes (same roots), as transparency-dev probes them.
  probe("size1 - 1", size1 - 1, size2, root1, root2, proof);
  probe("size1 + 1", size1 + 1, size2, root1, root2, proof);
  probe("size1 ^ 2", size1 ^ 2, size2, root1, root2, proof);
  probe("size2 * 2", size1, size2 * 2, root1, root2, proof);
  probe("size2 / 2", size1, size2 / 2, root1, root2, proof);
  // Off by one, against the true roots of those sizes.
  probe("size1 - 1 (its root)", size1 - 1, size2, root_of(size1 - 1), root2, proof);
  probe("size1 + 1 (its root)", size1 + 1, size2, root_of(size1 + 1), root2, proof);
  probe("size2 - 1 (its root)", size1, size2 - 1, root1, root_of(size2 - 1), proof);
  probe("size2 + 1 (its root)", size1, size2 + 1, root1, root_of(size2 + 1), proof);
  // Wrong roots.
  Digest bad = root1;
  bad[0] ^= 1;
  probe("root1 bit flip", size1, size2, bad, root2, proof);
  bad = root2;
  bad[31] ^= 0x80;
  probe("root2 bit flip", size1, size2, root1, bad, proof);
  probe("roots swapped", size1, size2, root2, root1, proof);
  probe("empty proof", size1, size2, root1, root2, {});
  for (size_t i = 0; i < proof.size(); ++i) {
    for (int bit : {0, 7, 128, 255}) {
      std::vector<Digest> p = proof;
      p[i][bit / 8] = static_cast<uint8_t>(p[i][bit / 8] ^ (1 << (bit % 8)));
      probe("bit " + std::to_string(bit) + " of element " + std::to_string(i), size1, size2, root1,
            root2, p);
    }
    std::vector<Digest> p = proof;
    p.erase(p.begin() + static_cast<std::ptrdiff_t>(i));
    probe("missing element " + std::to_string(i), size1, size2, root1, root2, p);
  }
  for (const Digest& extra : {Digest{}, root1, root2}) {
    std::vector<Digest> p = proof;
    p.push_back(extra);
    probe("extra element at end", size1, size2, root1, root2, p);
    p = proof;
    p.insert(p.begin(), extra);
    probe("extra element at front", size1, size2, root1, root2, p);
  }
  return out;
}

TEST_F(ReferenceTreeTest, EveryConsistencyPairUpTo8VerifiesAndRejectsCorruption) {
  int probes = 0;
  for (uint64_t size2 = 1; size2 <= 8; ++size2) {
    for (uint64_t size1 = 0; size1 <= size2; ++size1) {
      absl::StatusOr<std::vector<Digest>> proof = ConsistencyProof(tree_.Reader(), size1, size2);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(VerifyConsistency(size1, size2, roots_[size1], roots_[size2], *proof).ok())
          << size1 << "," << size2;
      if (size1 == 0 || size1 == size2) {
        EXPECT_TRUE(proof->empty());
        continue;  // trivially consistent: nothing in the proof to corrupt
      }
      for (const auto& [what, status] :
           ConsistencyProbes(size1, size2, roots_[size1], roots_[size2], *proof,
                             [&](uint64_t n) { return RootOf(n); })) {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument))
            << "(" << size1 << "," << size2 << ") accepted " << what;
        ++probes;
      }
    }
  }
  EXPECT_GT(probes, 500);
}

TEST_F(ReferenceTreeTest, TrivialConsistencyCases) {
  // Equal sizes: empty proof, equal roots.
  EXPECT_TRUE(VerifyConsistency(5, 5, roots_[5], roots_[5], {}).ok());
  EXPECT_THAT(VerifyConsistency(5, 5, roots_[5], roots_[6], {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(5, 5, roots_[5], roots_[5], {roots_[5]}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // The empty tree is consistent with anything, with an empty proof only.
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyRoot(), roots_[5], {}).ok());
  EXPECT_THAT(VerifyConsistency(0, 5, EmptyRoot(), roots_[5], {roots_[5]}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Shrinking is never consistent.
  EXPECT_THAT(VerifyConsistency(6, 5, roots_[6], roots_[5], {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ConsistencyProof(tree_.Reader(), 6, 5), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(InclusionProof(tree_.Reader(), 5, 5), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyInclusion(5, 5, LeafAt(5), {}, roots_[5]),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MerkleStorageTest, ProofsPropagateReaderErrors) {
  NodeReader broken = [](int, uint64_t) -> absl::StatusOr<Digest> {
    return absl::DataLossError("disk says no");
  };
  EXPECT_EQ(RootAt(broken, 3).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(InclusionProof(broken, 1, 3).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ConsistencyProof(broken, 1, 3).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(NodesCompletedByAppend(broken, 1, Digest{}).status().code(),
            absl::StatusCode::kDataLoss);
  // Appending leaf 0 or any even leaf needs no reads.
  EXPECT_TRUE(NodesCompletedByAppend(broken, 4, Digest{}).ok());
}

TEST(MerkleStorageTest, AppendCompletesTheClosedSubtrees) {
  MemoryTree tree;
  for (int i = 0; i < 7; ++i) tree.Append(std::to_string(i));
  absl::StatusOr<std::vector<NodeWrite>> writes =
      NodesCompletedByAppend(tree.Reader(), 7, LeafHash("7"));
  ASSERT_TRUE(writes.ok());
  ASSERT_EQ(writes->size(), 4u);  // leaf 7, (1,3), (2,1), (3,0)
  EXPECT_EQ((*writes)[3].level, 3);
  EXPECT_EQ((*writes)[3].index, 0u);
  tree.AppendHash(LeafHash("7"));
  absl::StatusOr<Digest> root = RootAt(tree.Reader(), 8);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ((*writes)[3].hash, *root);
}

// Sizes up to 300: generated proofs equal the naive RFC 9162 definitions,
// verify, read O(log n) nodes, and roots match CompactRange.
TEST(MerkleRandomizedTest, ProofsAndRootsAgreeUpTo300Leaves) {
  constexpr uint64_t kMax = 300;
  std::mt19937_64 rng(6962);
  MemoryTree tree;
  CompactRange range;
  std::vector<Digest> leaves;
  std::vector<Digest> roots = {EmptyRoot()};
  for (uint64_t n = 1; n <= kMax; ++n) {
    std::string data(rng() % 40, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    leaves.push_back(LeafHash(data));
    tree.AppendHash(leaves.back());
    range.Append(leaves.back());
    absl::StatusOr<Digest> root = RootAt(tree.Reader(), n);
    ASSERT_TRUE(root.ok());
    ASSERT_EQ(*root, range.Root()) << n;
    ASSERT_EQ(*root, NaiveRoot(leaves, 0, n)) << n;
    roots.push_back(*root);
  }
  for (uint64_t n = 1; n <= kMax; ++n) {
    const uint64_t log2n = std::bit_width(n);
    for (uint64_t m = 0; m < n; ++m) {
      tree.ResetReads();
      absl::StatusOr<std::vector<Digest>> proof = InclusionProof(tree.Reader(), m, n);
      ASSERT_TRUE(proof.ok());
      ASSERT_LE(tree.reads(), 2 * log2n) << m << "," << n;
      std::vector<Digest> naive;
      NaivePath(leaves, m, 0, n, naive);
      ASSERT_EQ(*proof, naive) << m << "," << n;
      ASSERT_TRUE(VerifyInclusion(m, n, leaves[m], *proof, roots[n]).ok()) << m << "," << n;
      if (m + 1 < n) {
        ASSERT_THAT(VerifyInclusion(m + 1, n, leaves[m], *proof, roots[n]),
                    StatusIs(absl::StatusCode::kInvalidArgument));
      }
    }
    for (uint64_t m = 1; m < n; ++m) {
      tree.ResetReads();
      absl::StatusOr<std::vector<Digest>> proof = ConsistencyProof(tree.Reader(), m, n);
      ASSERT_TRUE(proof.ok());
      ASSERT_LE(tree.reads(), 2 * log2n) << m << "," << n;
      std::vector<Digest> naive;
      NaiveSubProof(leaves, m, 0, n, true, naive);
      ASSERT_EQ(*proof, naive) << m << "," << n;
      ASSERT_TRUE(VerifyConsistency(m, n, roots[m], roots[n], *proof).ok()) << m << "," << n;
      ASSERT_THAT(VerifyConsistency(m, n, roots[m - 1], roots[n], *proof),
                  StatusIs(absl::StatusCode::kInvalidArgument));
    }
  }
}

}  // namespace
}  // namespace wams::ledger
