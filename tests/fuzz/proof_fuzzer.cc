// proof_fuzzer.cc: the RFC 9162 inclusion and consistency verifiers against
// proofs a hostile log or monitor could send.
//
// The tree: the eight RFC 6962 reference leaves (tests/ledger/primitives/
// merkle_test.cc), then leaves
// "wams fuzz leaf <i>", kLeaves in all; its nodes are held in memory, and
// the real proofs come from the library's proof builders (checked at start
// against the published vectors). Sizes up to kLeaves have real roots;
// larger sizes are checked against an all-zero root no proof can reach.
//
// Input layout (missing bytes read as zero):
//   byte 0   bit 0: consistency (else inclusion); bit 1: start from the real
//            proof and mutate it (else take the proof from the input);
//            bit 2: take a and b modulo kLeaves + 1 (else as they are)
//   u64 a    leaf index (inclusion) or old size (consistency)
//   u64 b    tree size (inclusion) or new size (consistency)
//   rest     mutate: 3-byte edits (op, x, y) applied in turn; else the proof,
//            32 bytes per hash
//
// Invariant (a crash when broken): a proof verifies only when it is exactly
// the real proof for its sizes, against the real roots and the real leaf
// (consistency from size 0 or between equal sizes: only the empty proof).
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/merkle/merkle.h"
#include "tests/fuzz/fuzz_support.h"

namespace wams::fuzz {
namespace {

using ledger::Digest;

constexpr uint64_t kLeaves = 133;  // levels 0..7, with an incomplete right edge

struct Tree {
  std::vector<Digest> leaves;                        // leaf hashes
  std::map<std::pair<int, uint64_t>, Digest> nodes;  // perfect subtrees (level, index)
  std::vector<Digest> roots;                         // roots[n]: root of the first n leaves

  ledger::NodeReader Reader() const {
    return [this](int level, uint64_t index) -> absl::StatusOr<Digest> {
      auto it = nodes.find({level, index});
      if (it == nodes.end()) return absl::NotFoundError("no such node");
      return it->second;
    };
  }
};

Digest FromHex(std::string_view hex) {
  absl::StatusOr<Digest> d = ledger::DigestFromHex(hex);
  WAMS_FUZZ_CHECK(d.ok());
  return *d;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Builds the tree and checks the builders against the reference proofs.
const Tree& TheTree() {
  static const Tree* const tree = [] {
    auto* t = new Tree();
    const char* reference[] = {"",
                               "00",
                               "10",
                               "2021",
                               "3031",
                               "40414243",
                               "5051525354555657",
                               "606162636465666768696a6b6c6d6e6f"};
    ledger::CompactRange range;
    t->roots.push_back(ledger::EmptyRoot());
    for (uint64_t i = 0; i < kLeaves; ++i) {
      std::string data = i < 8 ? Unhex(reference[i]) : absl::StrCat("wams fuzz leaf ", i);
      Digest leaf = ledger::LeafHash(data);
      absl::StatusOr<std::vector<ledger::NodeWrite>> writes =
          ledger::NodesCompletedByAppend(t->Reader(), i, leaf);
      WAMS_FUZZ_CHECK(writes.ok());
      for (const ledger::NodeWrite& w : *writes) t->nodes[{w.level, w.index}] = w.hash;
      t->leaves.push_back(leaf);
      range.Append(leaf);
      absl::StatusOr<Digest> root = ledger::RootAt(t->Reader(), i + 1);
      WAMS_FUZZ_CHECK(root.ok() && *root == range.Root());
      t->roots.push_back(*root);
    }
    const char* vector_roots[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
    for (int n = 1; n <= 8; ++n) WAMS_FUZZ_CHECK(t->roots[n] == FromHex(vector_roots[n - 1]));
    absl::StatusOr<std::vector<Digest>> p = ledger::InclusionProof(t->Reader(), 5, 8);
    WAMS_FUZZ_CHECK(p.ok() && p->size() == 3 &&
                    (*p)[0] == FromHex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d"
                                       "88599e6b"));
    p = ledger::ConsistencyProof(t->Reader(), 2, 5);
    WAMS_FUZZ_CHECK(p.ok() && p->size() == 2 &&
                    (*p)[1] == FromHex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d"
                                       "88599e6b"));
    // Every real proof verifies (else the invariant below means nothing).
    for (uint64_t n = 1; n <= kLeaves; ++n) {
      for (uint64_t m = 0; m <= n; ++m) {
        if (m < n) {
          absl::StatusOr<std::vector<Digest>> inclusion = ledger::InclusionProof(t->Reader(), m, n);
          WAMS_FUZZ_CHECK(inclusion.ok());
          WAMS_FUZZ_CHECK(
              ledger::VerifyInclusion(m, n, t->leaves[m], *inclusion, t->roots[n]).ok());
        }
        absl::StatusOr<std::vector<Digest>> consistency =
            ledger::ConsistencyProof(t->Reader(), m, n);
        WAMS_FUZZ_CHECK(consistency.ok());
        WAMS_FUZZ_CHECK(
            ledger::VerifyConsistency(m, n, t->roots[m], t->roots[n], *consistency).ok());
      }
    }
    return t;
  }();
  return *tree;
}

Digest RootOf(uint64_t size) { return size <= kLeaves ? TheTree().roots[size] : Digest{}; }

std::vector<Digest> RealInclusion(uint64_t index, uint64_t size) {
  absl::StatusOr<std::vector<Digest>> proof =
      ledger::InclusionProof(TheTree().Reader(), index, size);
  WAMS_FUZZ_CHECK(proof.ok());
  return *proof;
}

std::vector<Digest> RealConsistency(uint64_t old_size, uint64_t new_size) {
  absl::StatusOr<std::vector<Digest>> proof =
      ledger::ConsistencyProof(TheTree().Reader(), old_size, new_size);
  WAMS_FUZZ_CHECK(proof.ok());
  return *proof;
}

std::vector<Digest> ProofFromBytes(std::string_view bytes) {
  std::vector<Digest> proof;
  for (; bytes.size() >= 32; bytes.remove_prefix(32)) {
    Digest d;
    for (size_t i = 0; i < 32; ++i) d[i] = static_cast<uint8_t>(bytes[i]);
    proof.push_back(d);
  }
  return proof;
}

// What a mutation may change.
struct Claim {
  uint64_t a = 0;  // leaf index or old size
  uint64_t b = 0;  // tree size or new size
  Digest leaf{};   // inclusion only
  std::vector<Digest> proof;
};

void Mutate(Claim& c, InputReader& in) {
  while (!in.empty()) {
    const uint8_t op = in.U8();
    const uint8_t x = in.U8();
    const uint8_t y = in.U8();
    const size_t n = c.proof.size();
    switch (op % 8) {
      case 0:  // flip one bit of one hash
        if (n > 0) c.proof[x % n][y % 32] ^= static_cast<uint8_t>(1u << (y / 32 % 8));
        break;
      case 1:  // drop a hash
        if (n > 0) c.proof.erase(c.proof.begin() + static_cast<long>(x % n));
        break;
      case 2:  // repeat a hash
        if (n > 0) {
          const Digest copy = c.proof[x % n];
          c.proof.insert(c.proof.begin() + static_cast<long>(y % (n + 1)), copy);
        }
        break;
      case 3:  // swap two hashes
        if (n > 0) std::swap(c.proof[x % n], c.proof[y % n]);
        break;
      case 4:  // move a
        c.a += static_cast<uint64_t>(static_cast<int64_t>(x) - 128);
        break;
      case 5:  // move b
        c.b += static_cast<uint64_t>(static_cast<int64_t>(x) - 128);
        break;
      case 6:  // put in another real node (a plausible wrong hash)
        if (n > 0 && !TheTree().nodes.empty()) {
          auto it = TheTree().nodes.begin();
          std::advance(it, (x * 256 + y) % TheTree().nodes.size());
          c.proof[x % n] = it->second;
        }
        break;
      case 7:  // flip a bit of the leaf
        c.leaf[x % 32] ^= static_cast<uint8_t>(1u << (y % 8));
        break;
    }
  }
}

void FuzzInclusion(Claim c, bool mutate, InputReader& in) {
  const Tree& tree = TheTree();
  if (mutate) {
    if (c.a >= c.b || c.b > kLeaves) return;  // no real proof to start from
    c.proof = RealInclusion(c.a, c.b);
    c.leaf = tree.leaves[c.a];
    Mutate(c, in);
  } else {
    c.leaf = c.a < kLeaves ? tree.leaves[c.a] : ledger::LeafHash("");
    c.proof = ProofFromBytes(in.Rest());
  }
  absl::Status verified = ledger::VerifyInclusion(c.a, c.b, c.leaf, c.proof, RootOf(c.b));
  if (!verified.ok()) {
    WAMS_FUZZ_CHECK(verified.code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  WAMS_FUZZ_CHECK(c.a < c.b && c.b <= kLeaves);
  WAMS_FUZZ_CHECK(c.leaf == tree.leaves[c.a]);
  WAMS_FUZZ_CHECK(c.proof == RealInclusion(c.a, c.b));
}

void FuzzConsistency(Claim c, bool mutate, InputReader& in) {
  if (mutate) {
    if (c.a > c.b || c.b > kLeaves) return;
    c.proof = RealConsistency(c.a, c.b);
    Mutate(c, in);
  } else {
    c.proof = ProofFromBytes(in.Rest());
  }
  absl::Status verified = ledger::VerifyConsistency(c.a, c.b, RootOf(c.a), RootOf(c.b), c.proof);
  if (!verified.ok()) {
    WAMS_FUZZ_CHECK(verified.code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  WAMS_FUZZ_CHECK(c.a <= c.b);
  if (c.a == 0 || c.a == c.b) {
    WAMS_FUZZ_CHECK(c.proof.empty());
    return;
  }
  WAMS_FUZZ_CHECK(c.b <= kLeaves);
  WAMS_FUZZ_CHECK(c.proof == RealConsistency(c.a, c.b));
}

int FuzzOne(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // 64 hashes and more are only longer proofs
  TheTree();
  InputReader in(data, size);
  const uint8_t flags = in.U8();
  Claim claim;
  claim.a = in.U64();
  claim.b = in.U64();
  if ((flags & 4) != 0) {
    claim.a %= kLeaves + 1;
    claim.b %= kLeaves + 1;
  }
  if ((flags & 1) != 0) {
    FuzzConsistency(claim, (flags & 2) != 0, in);
  } else {
    FuzzInclusion(claim, (flags & 2) != 0, in);
  }
  return 0;
}

}  // namespace
}  // namespace wams::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wams::fuzz::FuzzOne(data, size);
}
