// The retention job (broker/retention/retention_job.h) on real RocksDB with
// the real receipt log, case manager and audit core; a FakeClock moves time
// past the term; the real subject key table is shredded. After a run the
// case's records and index entries are gone, no key links the person's BSN to
// a pseudonym, their disclosure overview is empty, and every receipt is byte for byte what the
// checkpoints issued before signed. A load test appends receipts while the job removes.
#include "broker/retention/retention_job.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/ledger/merkle/merkle.h"
#include "broker/retention/retention_options.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/retention/retention_fixture.h"
#include "tests/testing/status_matchers.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Duration kTerm = absl::Hours(24 * 365);

class RetentionJobTest : public RetentionFixture {
 protected:
  std::unique_ptr<retention::RetentionJob> MakeJob(size_t batch_size = 100) {
    retention::RetentionOptions options;
    options.case_data_term = kTerm;
    options.run_interval = absl::Hours(1);
    options.batch_size = batch_size;
    return std::make_unique<retention::RetentionJob>(
        retention::RetentionJobDeps{.backend = parts_.storage.get(),
                                    .ledger = parts_.ledger.get(),
                                    .keys = parts_.subject_keys.get(),
                                    .clock = &clock_},
        options);
  }
  // A closed case of kClientBsn with a request receipt and a conference.
  std::string ClosedCase() {
    std::string case_id = OpenCase(kClientBsn, "open-1");
    AppendRequestReceipt(case_id, kClientBsn);
    AddConference(case_id, "conf-1");
    CloseCase(case_id);
    return case_id;
  }
};

TEST_F(RetentionJobTest, RemovesACaseAfterItsTermAndShredsTheKey) {
  const std::string case_id = ClosedCase();
  const std::string pseudonym = Pseudonym(kClientBsn);
  ASSERT_GT(SubjectEntries(pseudonym), 0u);
  clock_.Advance(kTerm);

  auto job = MakeJob();
  absl::StatusOr<retention::RemovalCounts> counts = job->RunOnce();
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->cases_removed, 1u);
  EXPECT_EQ(counts->conference_records_removed, 2u);  // the conference and its item
  EXPECT_EQ(counts->keys_shredded, 1u);
  EXPECT_FALSE(HasRecord(storage::CaseKey(case_id)));
  EXPECT_FALSE(HasRecord(storage::ConferenceKey("conf-1")));
  EXPECT_FALSE(HasRecord(storage::ConferenceItemKey("conf-1", "item-1")));
  EXPECT_EQ(SubjectEntries(pseudonym), 0u);
  EXPECT_FALSE(Findable(kClientBsn)) << "the key is shredded";
  EXPECT_EQ(ReceiptsFoundByBsn(kClientBsn), 0u);
  EXPECT_EQ(job->stats().items_removed, counts->Total());
}

TEST_F(RetentionJobTest, KeepsACaseWithinItsTerm) {
  const std::string case_id = ClosedCase();
  const std::string pseudonym = Pseudonym(kClientBsn);
  const size_t entries = SubjectEntries(pseudonym);
  clock_.Advance(kTerm - absl::Seconds(1));

  auto job = MakeJob();
  absl::StatusOr<retention::RemovalCounts> counts = job->RunOnce();
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->Total(), 0u);
  EXPECT_TRUE(HasRecord(storage::CaseKey(case_id)));
  EXPECT_TRUE(HasRecord(storage::ConferenceItemKey("conf-1", "item-1")));
  EXPECT_EQ(SubjectEntries(pseudonym), entries);
  EXPECT_TRUE(Findable(kClientBsn));
}

TEST_F(RetentionJobTest, KeepsTheKeyAndTheOpenCaseOfAPersonWithAnOpenCase) {
  const std::string closed = ClosedCase();
  const std::string open = OpenCase(kClientBsn, "open-2");
  AppendRequestReceipt(open, kClientBsn);
  clock_.Advance(kTerm);

  auto job = MakeJob();
  ASSERT_THAT(job->RunOnce(), IsOk());
  EXPECT_FALSE(HasRecord(storage::CaseKey(closed)));
  EXPECT_TRUE(HasRecord(storage::CaseKey(open)));
  EXPECT_TRUE(Findable(kClientBsn));
  // The open case's receipts are still found under the person.
  ledger::store::IndexQuery query;
  query.index = ledger::store::IndexKind::kSubject;
  query.key = Pseudonym(kClientBsn);
  absl::StatusOr<ledger::store::QueryPage> page = parts_.ledger->Query(query);
  ASSERT_THAT(page, IsOk());
  ASSERT_FALSE(page->receipts.empty());
  for (const v1::SignedReceipt& r : page->receipts) {
    v1::Receipt receipt;
    ASSERT_TRUE(receipt.ParseFromString(r.receipt_bytes()));
    EXPECT_NE(receipt.case_id(), closed);
  }
}

TEST_F(RetentionJobTest, TheDisclosureOverviewOfAnExpiredPersonSaysNothingIsHeld) {
  ClosedCase();
  absl::StatusOr<v1::DisclosureResponse> before = Disclosure(kClientBsn);
  ASSERT_THAT(before, IsOk());
  ASSERT_GT(before->entries_size(), 0);
  clock_.Advance(kTerm);

  ASSERT_THAT(MakeJob()->RunOnce(), IsOk());
  absl::StatusOr<v1::DisclosureResponse> after = Disclosure(kClientBsn);
  ASSERT_THAT(after, IsOk());
  EXPECT_THAT(after->entries(), IsEmpty());
}

TEST_F(RetentionJobTest, TheLogVerifiesByteForByteAgainstTheCheckpointsIssuedBefore) {
  ClosedCase();
  absl::StatusOr<v1::Checkpoint> before = parts_.ledger->MakeCheckpoint();
  ASSERT_THAT(before, IsOk());
  const std::vector<std::string> bytes_before = AllReceiptBytes();
  clock_.Advance(kTerm);

  ASSERT_THAT(MakeJob()->RunOnce(), IsOk());
  absl::StatusOr<v1::Checkpoint> after = parts_.ledger->MakeCheckpoint();
  ASSERT_THAT(after, IsOk());
  ASSERT_GT(after->tree_size(), before->tree_size()) << "the run is receipted";

  std::vector<std::string> bytes_after = AllReceiptBytes();
  bytes_after.resize(bytes_before.size());
  EXPECT_EQ(bytes_after, bytes_before);
  EXPECT_THAT(parts_.ledger->VerifyAll(), IsOk());
  absl::StatusOr<ledger::Digest> root = parts_.ledger->RootAt(before->tree_size());
  ASSERT_THAT(root, IsOk());
  EXPECT_EQ(std::string(root->begin(), root->end()), before->root_hash());

  absl::StatusOr<v1::ConsistencyProof> proof =
      parts_.ledger->GetConsistencyProof(before->tree_size(), after->tree_size());
  ASSERT_THAT(proof, IsOk());
  std::vector<ledger::Digest> hashes;
  for (const std::string& h : proof->hashes()) {
    ledger::Digest d;
    ASSERT_EQ(h.size(), d.size());
    std::copy(h.begin(), h.end(), d.begin());
    hashes.push_back(d);
  }
  ledger::Digest old_root, new_root;
  std::copy(before->root_hash().begin(), before->root_hash().end(), old_root.begin());
  std::copy(after->root_hash().begin(), after->root_hash().end(), new_root.begin());
  EXPECT_THAT(ledger::VerifyConsistency(before->tree_size(), after->tree_size(), old_root, new_root,
                                        hashes),
              IsOk());
}

TEST_F(RetentionJobTest, EveryRunIsReceiptedWithCountsOnly) {
  ClosedCase();
  clock_.Advance(kTerm);
  auto job = MakeJob();
  ASSERT_THAT(job->RunOnce(), IsOk());

  v1::Receipt receipt = ReceiptAt(parts_.ledger->TreeSize() - 1);
  EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_RETENTION);
  EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_GRANTED);
  EXPECT_THAT(receipt.detail(), HasSubstr("cases 1,"));
  EXPECT_THAT(receipt.detail(), HasSubstr("keys shredded 1"));
  EXPECT_TRUE(receipt.subject_pseudonym().empty());
  EXPECT_TRUE(receipt.case_id().empty());

  // A run with nothing to do is receipted too.
  ASSERT_THAT(job->RunOnce(), IsOk());
  receipt = ReceiptAt(parts_.ledger->TreeSize() - 1);
  EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_RETENTION);
  EXPECT_THAT(receipt.detail(), HasSubstr("cases 0,"));
  EXPECT_EQ(job->stats().runs, 2u);
}

TEST_F(RetentionJobTest, RunsOnItsThreadWhenTheClockPassesTheInterval) {
  const std::string case_id = ClosedCase();
  clock_.Advance(kTerm);
  auto job = MakeJob();
  job->Start();
  EXPECT_EQ(job->stats().runs, 0u);
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(job->AwaitRuns(1, absl::Now() + absl::Seconds(60)));
  EXPECT_FALSE(HasRecord(storage::CaseKey(case_id)));
  EXPECT_FALSE(Findable(kClientBsn));
  EXPECT_EQ(job->stats().last_run, clock_.Now());
}

TEST_F(RetentionJobTest, AppendsAllSucceedWhileTheJobRemovesManyCases) {
  // Many expired cases, removed in batches of 5, while a client appends.
  constexpr int kCases = 60;
  for (int i = 0; i < kCases; ++i) {
    std::string case_id = OpenCase(kClientBsn, absl::StrCat("open-", i));
    AppendRequestReceipt(case_id, kClientBsn);
    AddConference(case_id, absl::StrCat("conf-", i));
    CloseCase(case_id);
  }
  clock_.Advance(kTerm);
  auto job = MakeJob(/*batch_size=*/5);

  const std::string client_pseudonym = Pseudonym(kClientBsn);
  const std::string other = Pseudonym(kOtherPersonBsn);
  constexpr int kAppends = 400;
  std::atomic<bool> job_done{false};
  int appended = 0;
  int failed = 0;
  std::thread client([&] {
    // Keeps appending until the job has finished and at least kAppends went in.
    for (int i = 0; i < kAppends || !job_done.load(); ++i) {
      v1::Receipt receipt;
      receipt.set_kind(v1::RECEIPT_KIND_DECISION);
      receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
      receipt.set_requester_oin(kMunicipalityOin);
      receipt.set_subject_pseudonym(other);
      (parts_.ledger->Append(receipt).ok() ? appended : failed)++;
    }
  });
  absl::StatusOr<retention::RemovalCounts> counts = job->RunOnce();
  job_done = true;
  client.join();

  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->cases_removed, static_cast<uint64_t>(kCases));
  EXPECT_EQ(failed, 0);
  EXPECT_GE(appended, kAppends);
  EXPECT_EQ(SubjectEntries(client_pseudonym), 0u);
  EXPECT_EQ(SubjectEntries(other), static_cast<size_t>(appended));
  EXPECT_THAT(parts_.ledger->VerifyAll(), IsOk());
}

}  // namespace
}  // namespace wams::testing
