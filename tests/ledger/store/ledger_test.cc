#include "broker/ledger/store/ledger.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/pseudonymizer.h"
#include "broker/storage/key_codec.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gtest/gtest.h"
#include "tests/ledger/store/test_util.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace wams::ledger::store {
namespace {

using ::wams::storage::Family;
using ::wams::storage::kMetaTreeSize;
using ::wams::storage::LeafKey;
using ::wams::storage::NodeKey;
using ::wams::storage::RocksDbBackend;
using ::wams::storage::RocksDbOptions;

using testing::MakeReceipt;
using testing::ReceiptSpec;
using testing::SignerFromSeed;
using testing::TempDir;
using testing::ToDigest;
using ::wams::broker::v1::Checkpoint;
using ::wams::broker::v1::Receipt;
using ::wams::broker::v1::SignedReceipt;
using ::wams::testing::FakeClock;
using ::wams::testing::StatusIs;

#define ASSERT_OK(expr)             \
  do {                              \
    const absl::Status s_ = (expr); \
    ASSERT_TRUE(s_.ok()) << s_;     \
  } while (false)

std::vector<Digest> ToDigests(const google::protobuf::RepeatedPtrField<std::string>& hashes) {
  std::vector<Digest> out;
  for (const std::string& h : hashes) out.push_back(ToDigest(h));
  return out;
}

class LedgerTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<Ledger>> TryOpen(char seed = 'a',
                                                  std::vector<NoteVerifier> previous = {},
                                                  bool full_check = false) {
    if (storage_ == nullptr) {
      absl::StatusOr<std::unique_ptr<RocksDbBackend>> s =
          RocksDbBackend::Open(dir_.Sub("db"), RocksDbOptions());
      if (!s.ok()) return s.status();
      storage_ = *std::move(s);
    }
    LedgerOptions options;
    options.origin = testing::kOrigin;
    options.clock = &clock_;
    options.previous_verifiers = std::move(previous);
    options.full_check_on_open = full_check;
    options.node_cache_min_level = node_cache_min_level_;
    return Ledger::Open(*storage_, SignerFromSeed(seed), std::move(options));
  }
  void Open(char seed = 'a', std::vector<NoteVerifier> previous = {}) {
    absl::StatusOr<std::unique_ptr<Ledger>> l = TryOpen(seed, std::move(previous));
    ASSERT_TRUE(l.ok()) << l.status();
    ledger_ = *std::move(l);
  }
  void Close() {
    ledger_.reset();
    storage_.reset();
  }
  void AppendN(int n, const ReceiptSpec& spec = {}) {
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<SignedReceipt> r = ledger_->Append(MakeReceipt(ledger_->TreeSize(), spec));
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }
  // Raw access to the database behind the ledger's back.
  void RawPut(Family family, const std::string& key, const std::string& value) {
    ::wams::storage::WriteBatch batch;
    batch.Put(family, key, value);
    ASSERT_TRUE(storage_->Write(batch).ok());
  }
  void RawDelete(Family family, const std::string& key) {
    ::wams::storage::WriteBatch batch;
    batch.Delete(family, key);
    ASSERT_TRUE(storage_->Write(batch).ok());
  }

  int node_cache_min_level_ = 8;
  TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<RocksDbBackend> storage_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerTest, AppendsReturnIncreasingIndexes) {
  Open();
  for (uint64_t i = 0; i < 5; ++i) {
    absl::StatusOr<SignedReceipt> r = ledger_->Append(MakeReceipt(i));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->leaf_index(), i);
    EXPECT_EQ(r->key_id(), SignerFromSeed('a').KeyName());
    EXPECT_TRUE(SignerFromSeed('a').key().PublicKey().Verify(r->receipt_bytes(), r->signature()));
    Receipt parsed;
    ASSERT_TRUE(parsed.ParseFromString(r->receipt_bytes()));
    EXPECT_EQ(parsed.receipt_id(), absl::StrCat("receipt-", i));
  }
  EXPECT_EQ(ledger_->TreeSize(), 5u);
}

TEST_F(LedgerTest, ConcurrentAppendsGetDistinctIndexesAndStoredBytesMatch) {
  Open();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::vector<std::vector<SignedReceipt>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<SignedReceipt> r = ledger_->Append(MakeReceipt(t * 1000 + i));
        if (r.ok()) got[t].push_back(*r);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<uint64_t> indexes;
  for (const auto& v : got) {
    ASSERT_EQ(v.size(), static_cast<size_t>(kPerThread));
    for (const SignedReceipt& r : v) {
      indexes.insert(r.leaf_index());
      absl::StatusOr<SignedReceipt> stored = ledger_->GetReceipt(r.leaf_index());
      ASSERT_TRUE(stored.ok()) << stored.status();
      EXPECT_EQ(stored->receipt_bytes(), r.receipt_bytes());
      EXPECT_EQ(stored->signature(), r.signature());
    }
  }
  EXPECT_EQ(indexes.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*indexes.rbegin(), static_cast<uint64_t>(kThreads * kPerThread - 1));
}

TEST_F(LedgerTest, AppendAsyncCompletesOnceDurable) {
  Open();
  absl::Notification done;
  absl::StatusOr<SignedReceipt> result;
  ledger_->AppendAsync(MakeReceipt(0), [&](absl::StatusOr<SignedReceipt> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->leaf_index(), 0u);
  EXPECT_EQ(ledger_->GetReceipt(0)->signature(), result->signature());
  // An invalid receipt completes at once with the error.
  Receipt bad;
  bool called = false;
  ledger_->AppendAsync(bad, [&](absl::StatusOr<SignedReceipt> r) {
    called = true;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  });
  EXPECT_TRUE(called);
}

TEST_F(LedgerTest, RejectsUnspecifiedKindAndNonPseudonymSubject) {
  Open();
  Receipt r = MakeReceipt(0);
  r.set_kind(wams::broker::v1::RECEIPT_KIND_UNSPECIFIED);
  EXPECT_EQ(ledger_->Append(r).status().code(), absl::StatusCode::kInvalidArgument);
  Receipt bsn = MakeReceipt(0);
  bsn.set_subject_pseudonym("123456782");
  EXPECT_EQ(ledger_->Append(bsn).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_->TreeSize(), 0u);
}

TEST_F(LedgerTest, InclusionAndConsistencyProofsVerify) {
  node_cache_min_level_ = 2;  // levels 0-1 from RocksDB, 2 and up through the node cache
  Open();
  constexpr uint64_t kN = 37;
  AppendN(kN);
  CompactRange all;
  std::vector<Digest> leaf_hashes;
  std::vector<Digest> roots = {EmptyRoot()};
  for (uint64_t i = 0; i < kN; ++i) {
    absl::StatusOr<SignedReceipt> r = ledger_->GetReceipt(i);
    ASSERT_TRUE(r.ok());
    leaf_hashes.push_back(LeafHash(r->receipt_bytes()));
    all.Append(leaf_hashes.back());
    roots.push_back(all.Root());
  }
  for (uint64_t size = 1; size <= kN; ++size) {
    absl::StatusOr<Digest> root = ledger_->RootAt(size);
    ASSERT_TRUE(root.ok()) << root.status();
    ASSERT_EQ(*root, roots[size]) << "size " << size;
    for (uint64_t leaf = 0; leaf < size; ++leaf) {
      auto proof = ledger_->GetInclusionProof(leaf, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_OK(VerifyInclusion(leaf, size, leaf_hashes[leaf], ToDigests(proof->hashes()), *root));
    }
    for (uint64_t old_size = 1; old_size <= size; ++old_size) {
      auto proof = ledger_->GetConsistencyProof(old_size, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_OK(
          VerifyConsistency(old_size, size, roots[old_size], *root, ToDigests(proof->hashes())));
    }
  }
  // A proof against the wrong leaf fails.
  auto proof = ledger_->GetInclusionProof(3, kN);
  ASSERT_TRUE(proof.ok());
  EXPECT_THAT(VerifyInclusion(3, kN, leaf_hashes[4], ToDigests(proof->hashes()), roots[kN]),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ledger_->GetInclusionProof(kN, kN).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ledger_->GetInclusionProof(0, kN + 1).status().code(), absl::StatusCode::kOutOfRange);
}

TEST_F(LedgerTest, CheckpointIsASignedNoteThatVerifies) {
  Open();
  EXPECT_EQ(ledger_->MakeCheckpoint().status().code(), absl::StatusCode::kFailedPrecondition);
  AppendN(10);
  absl::StatusOr<Checkpoint> cp = ledger_->MakeCheckpoint();
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->tree_size(), 10u);
  EXPECT_EQ(cp->origin(), testing::kOrigin);
  NoteVerifier verifier(testing::kOrigin, SignerFromSeed('a').key().PublicKey());
  absl::StatusOr<std::string> text = verifier.Open(cp->note());
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<CheckpointBody> body = ParseCheckpointBody(*text);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->origin, testing::kOrigin);
  EXPECT_EQ(body->tree_size, 10u);
  EXPECT_EQ(DigestBytes(body->root_hash), cp->root_hash());
  EXPECT_EQ(body->root_hash, *ledger_->RootAt(10));
  // A second request without growth returns the same checkpoint.
  absl::StatusOr<Checkpoint> again = ledger_->MakeCheckpoint();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->note(), cp->note());
  // Another key does not open it.
  NoteVerifier other(testing::kOrigin, SignerFromSeed('b').key().PublicKey());
  EXPECT_THAT(other.Open(cp->note()), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(LedgerTest, TimerMakesCheckpointsAndOlderOnesAreKept) {
  Open();
  AppendN(3);
  clock_.Advance(absl::Seconds(1));
  absl::StatusOr<Checkpoint> first = ledger_->AwaitCheckpoint(3, absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->tree_size(), 3u);
  AppendN(4);
  clock_.Advance(absl::Seconds(1));
  absl::StatusOr<Checkpoint> second = ledger_->AwaitCheckpoint(7, absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->tree_size(), 7u);
  auto all = ledger_->ListCheckpoints(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].note(), first->note());
  EXPECT_EQ((*all)[1].note(), second->note());
  EXPECT_TRUE(ledger_->GetCheckpoint(3).ok());
  EXPECT_EQ(ledger_->GetCheckpoint(4).status().code(), absl::StatusCode::kNotFound);
  // The tree grew consistently from the older checkpoint.
  auto proof = ledger_->GetConsistencyProof(3, 7);
  ASSERT_TRUE(proof.ok());
  ASSERT_OK(VerifyConsistency(3, 7, ToDigest(first->root_hash()), ToDigest(second->root_hash()),
                              ToDigests(proof->hashes())));
}

TEST_F(LedgerTest, IndexQueriesPaginateInLogOrder) {
  Open();
  absl::StatusOr<Pseudonymizer> p = Pseudonymizer::Create(std::string(32, 'k'));
  ASSERT_TRUE(p.ok());
  const std::string alice = p->Pseudonymize("123456782");
  const std::string bob = p->Pseudonymize("111222333");
  ASSERT_EQ(alice.size(), 32u);
  ASSERT_NE(alice, bob);
  // 25 receipts: even ones case A / alice / party X->Y; odd ones case B / bob / Y->Z.
  std::vector<uint64_t> case_a;
  std::vector<uint64_t> party_y;
  for (int i = 0; i < 25; ++i) {
    ReceiptSpec spec;
    spec.case_id = i % 2 == 0 ? "case-A" : "case-B";
    spec.subject = i % 2 == 0 ? alice : bob;
    spec.requester = i % 2 == 0 ? "OIN-X" : "OIN-Y";
    spec.target = i % 2 == 0 ? "OIN-Y" : "OIN-Z";
    spec.time = absl::FromUnixSeconds(1700000000 + (25 - i));  // time runs backwards
    absl::StatusOr<SignedReceipt> r = ledger_->Append(MakeReceipt(i, spec));
    ASSERT_TRUE(r.ok());
    if (i % 2 == 0) case_a.push_back(r->leaf_index());
    party_y.push_back(r->leaf_index());
  }
  auto collect = [&](IndexQuery q) {
    std::vector<uint64_t> all;
    int pages = 0;
    for (;;) {
      absl::StatusOr<QueryPage> page = ledger_->Query(q);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      ++pages;
      EXPECT_EQ(page->receipts.size(), q.with_receipts ? page->leaf_indexes.size() : 0u);
      for (size_t i = 0; i < page->receipts.size(); ++i) {
        EXPECT_EQ(page->receipts[i].leaf_index(), page->leaf_indexes[i]);
      }
      all.insert(all.end(), page->leaf_indexes.begin(), page->leaf_indexes.end());
      if (page->next_page_token.empty()) break;
      q.page_token = page->next_page_token;
    }
    return std::make_pair(all, pages);
  };
  IndexQuery q;
  q.index = IndexKind::kCase;
  q.key = "case-A";
  q.page_size = 5;
  auto [by_case, pages] = collect(q);
  EXPECT_EQ(by_case, case_a);
  EXPECT_EQ(pages, 3);  // 13 results in pages of 5

  q.index = IndexKind::kSubject;
  q.key = alice;
  q.with_receipts = false;
  EXPECT_EQ(collect(q).first, case_a);
  // Two pseudonyms of one subject (its own key's and the legacy key's):
  // merged in log order across pages, each leaf once, also when repeated.
  q.more_keys = {bob, alice};
  std::vector<uint64_t> every_leaf(25);
  for (uint64_t i = 0; i < 25; ++i) every_leaf[i] = i;
  auto [merged, merged_pages] = collect(q);
  EXPECT_EQ(merged, every_leaf);
  EXPECT_EQ(merged_pages, 5);
  q.more_keys.clear();

  q.index = IndexKind::kParty;
  q.key = "OIN-Y";  // requester of the odd ones, target of the even ones
  EXPECT_EQ(collect(q).first, party_y);
  q.key = "OIN-Z";
  EXPECT_EQ(collect(q).first.size(), 12u);
  q.key = "OIN-unknown";
  EXPECT_TRUE(collect(q).first.empty());

  // Time: [t+1, t+6) holds receipts 24..20, returned in time order.
  q.index = IndexKind::kTime;
  q.key.clear();
  q.page_size = 2;
  q.from = absl::FromUnixSeconds(1700000001);
  q.to = absl::FromUnixSeconds(1700000006);
  EXPECT_EQ(collect(q).first, (std::vector<uint64_t>{24, 23, 22, 21, 20}));

  IndexQuery bad;
  bad.key = "case-A";
  bad.page_token = "zz";
  EXPECT_EQ(ledger_->Query(bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad.page_token.clear();
  bad.page_size = 0;
  EXPECT_EQ(ledger_->Query(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LedgerTest, ReopenPreservesEverything) {
  Open();
  AppendN(20);
  absl::StatusOr<Checkpoint> cp = ledger_->MakeCheckpoint();
  ASSERT_TRUE(cp.ok());
  AppendN(5);  // after the checkpoint
  const Digest root = *ledger_->RootAt(25);
  const SignedReceipt r7 = *ledger_->GetReceipt(7);
  Close();

  Open();
  EXPECT_EQ(ledger_->TreeSize(), 25u);
  EXPECT_EQ(*ledger_->RootAt(25), root);
  EXPECT_EQ(ledger_->GetReceipt(7)->receipt_bytes(), r7.receipt_bytes());
  EXPECT_EQ(ledger_->LatestCheckpoint()->note(), cp->note());
  // Appends continue the same tree.
  absl::StatusOr<SignedReceipt> next = ledger_->Append(MakeReceipt(99));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->leaf_index(), 25u);
  auto proof = ledger_->GetConsistencyProof(25, 26);
  ASSERT_TRUE(proof.ok());
  ASSERT_OK(VerifyConsistency(25, 26, root, *ledger_->RootAt(26), ToDigests(proof->hashes())));
  ASSERT_OK(ledger_->VerifyAll());
  IndexQuery q;
  q.key = "case-1";
  q.page_size = 1000;
  EXPECT_EQ(ledger_->Query(q)->leaf_indexes.size(), 26u);
}

TEST_F(LedgerTest, OpenRefusesATamperedNode) {
  Open();
  AppendN(8);
  ASSERT_TRUE(ledger_->MakeCheckpoint().ok());
  ledger_.reset();
  // The root of 8 leaves is node (3, 0).
  RawPut(Family::kNodes, NodeKey(3, 0), std::string(32, 'x'));
  absl::StatusOr<std::unique_ptr<Ledger>> l = TryOpen();
  ASSERT_THAT(l, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_TRUE(absl::StrContains(l.status().message(), "root at tree size 8")) << l.status();
}

TEST_F(LedgerTest, OpenRefusesATamperedReceiptAfterTheCheckpoint) {
  Open();
  AppendN(6);
  ASSERT_TRUE(ledger_->MakeCheckpoint().ok());
  AppendN(3);
  ledger_.reset();
  SignedReceipt r;
  ASSERT_TRUE(r.ParseFromString(*storage_->Get(Family::kReceipts, LeafKey(7)).value()));
  r.set_receipt_bytes(r.receipt_bytes() + "x");
  RawPut(Family::kReceipts, LeafKey(7), r.SerializeAsString());
  absl::StatusOr<std::unique_ptr<Ledger>> l = TryOpen();
  ASSERT_THAT(l, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_TRUE(absl::StrContains(l.status().message(), "receipt 7")) << l.status();
}

TEST_F(LedgerTest, FullCheckFindsATamperedLeafNodeInsideTheCheckpoint) {
  Open();
  AppendN(8);
  ASSERT_TRUE(ledger_->MakeCheckpoint().ok());
  ledger_.reset();
  // Leaf node (0, 2) is not on the path RootAt(8) reads: only the full check sees it.
  RawPut(Family::kNodes, NodeKey(0, 2), std::string(32, 'y'));
  absl::StatusOr<std::unique_ptr<Ledger>> quick = TryOpen();
  ASSERT_TRUE(quick.ok()) << quick.status();
  absl::Status all = (*quick)->VerifyAll();
  EXPECT_EQ(all.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(all.message(), "level 0, index 2")) << all;
  quick->reset();
  absl::StatusOr<std::unique_ptr<Ledger>> full = TryOpen('a', {}, /*full_check=*/true);
  ASSERT_THAT(full, StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(LedgerTest, OpenRefusesDroppedReceipts) {
  Open();
  AppendN(10);
  ASSERT_TRUE(ledger_->MakeCheckpoint().ok());
  ledger_.reset();
  // Drop the last three receipts and rewind the tree size, as a careful
  // attacker would.
  for (uint64_t i = 7; i < 10; ++i) RawDelete(Family::kReceipts, LeafKey(i));
  RawPut(Family::kMeta, std::string(kMetaTreeSize), LeafKey(7));
  absl::StatusOr<std::unique_ptr<Ledger>> l = TryOpen();
  ASSERT_THAT(l, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_TRUE(absl::StrContains(l.status().message(), "receipts were removed")) << l.status();
}

TEST_F(LedgerTest, OpenRefusesMissingReceiptsAtTheEnd) {
  Open();
  AppendN(10);
  ledger_.reset();
  RawDelete(Family::kReceipts, LeafKey(9));
  absl::StatusOr<std::unique_ptr<Ledger>> l = TryOpen();
  ASSERT_THAT(l, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_TRUE(absl::StrContains(l.status().message(), "last stored receipt is 8")) << l.status();
}

TEST_F(LedgerTest, KeyRotationKeepsOlderReceiptsValid) {
  Open('a');
  AppendN(5);
  ASSERT_TRUE(ledger_->MakeCheckpoint().ok());
  ledger_.reset();

  // The new key alone cannot vouch for the old checkpoint.
  absl::StatusOr<std::unique_ptr<Ledger>> without = TryOpen('b');
  ASSERT_THAT(without, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(absl::StrContains(without.status().message(), SignerFromSeed('a').KeyName()))
      << without.status();

  NoteVerifier old_key(testing::kOrigin, SignerFromSeed('a').key().PublicKey());
  Open('b', {old_key});
  absl::StatusOr<SignedReceipt> r = ledger_->Append(MakeReceipt(5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->key_id(), SignerFromSeed('b').KeyName());
  EXPECT_EQ(ledger_->GetReceipt(0)->key_id(), SignerFromSeed('a').KeyName());
  absl::StatusOr<Checkpoint> cp = ledger_->MakeCheckpoint();
  ASSERT_TRUE(cp.ok());
  EXPECT_TRUE(
      NoteVerifier(testing::kOrigin, SignerFromSeed('b').key().PublicKey()).Open(cp->note()).ok());
  ASSERT_OK(ledger_->VerifyAll());
  std::vector<std::string> keys = ledger_->VerifierKeyLines();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0], SignerFromSeed('b').VerifierKey());
  EXPECT_EQ(keys[1], SignerFromSeed('a').VerifierKey());
  ledger_.reset();
  // Reopening after rotation checks the receipts of both keys.
  absl::StatusOr<std::unique_ptr<Ledger>> full = TryOpen('b', {old_key}, /*full_check=*/true);
  EXPECT_TRUE(full.ok()) << full.status();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(LedgerTest, ExportHoldsCheckpointReceiptsAndKeys) {
  Open('a');
  AppendN(3);
  ASSERT_TRUE(ledger_->MakeCheckpoint().ok());
  ledger_.reset();
  Open('b', {NoteVerifier(testing::kOrigin, SignerFromSeed('a').key().PublicKey())});
  AppendN(4);
  absl::StatusOr<Checkpoint> cp = ledger_->MakeCheckpoint();
  ASSERT_TRUE(cp.ok());
  AppendN(2);  // not in the export: after its checkpoint
  const std::string out = dir_.Sub("export");
  ASSERT_OK(ledger_->Export(out));

  EXPECT_EQ(ReadAll(out + "/checkpoint"), cp->note());
  EXPECT_EQ(ReadAll(out + "/keys"), absl::StrCat(SignerFromSeed('b').VerifierKey(), "\n",
                                                 SignerFromSeed('a').VerifierKey(), "\n"));
  std::vector<std::string> lines =
      absl::StrSplit(ReadAll(out + "/receipts.jsonl"), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 7u);
  CompactRange range;
  for (size_t i = 0; i < lines.size(); ++i) {
    SignedReceipt stored = *ledger_->GetReceipt(i);
    EXPECT_EQ(lines[i], absl::StrCat("{\"index\":", i, ",\"receipt\":\"",
                                     Base64Encode(stored.receipt_bytes()), "\",\"signature\":\"",
                                     Base64Encode(stored.signature()), "\",\"key_id\":\"",
                                     stored.key_id(), "\"}"));
    range.Append(LeafHash(stored.receipt_bytes()));
  }
  EXPECT_EQ(DigestBytes(range.Root()), cp->root_hash());
}

TEST_F(LedgerTest, ExportWithoutCheckpointFails) {
  Open();
  AppendN(1);
  EXPECT_EQ(ledger_->Export(dir_.Sub("export")).code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace wams::ledger::store
