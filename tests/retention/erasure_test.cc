// The erasure core (broker/retention/erasure.h) on real RocksDB with the real
// receipt log, case manager and audit core: refusals with their codes and
// fields (receipted), the open-case rule per legal basis, what is removed,
// and the erasure's receipt. After an erasure the person's disclosure
// overview is empty and the log verifies as before.
#include "broker/retention/erasure.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/retention/retention_options.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/retention/retention_fixture.h"
#include "tests/testing/status_matchers.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class ErasureTest : public RetentionFixture {
 protected:
  void SetUp() override {
    RetentionFixture::SetUp();
    if (HasFatalFailure()) return;
    erasure_ = std::make_unique<retention::Erasure>(
        retention::ErasureDeps{.backend = parts_.storage.get(),
                               .ledger = parts_.ledger.get(),
                               .keys = parts_.subject_keys.get(),
                               .policy = parts_.policy.get(),
                               .clock = &clock_},
        std::vector<std::string>(config_.privacy_officer_ids().begin(),
                                 config_.privacy_officer_ids().end()),
        retention::RetentionOptions{});
  }

  static v1::EraseSubjectRequest Request(
      const std::string& bsn, v1::ErasureBasis basis = v1::ERASURE_BASIS_DATA_SUBJECT_REQUEST) {
    v1::EraseSubjectRequest request;
    request.set_subject_bsn(bsn);
    request.set_basis(basis);
    request.set_justification("Verzoek AVG-2026-0042");
    return request;
  }
  v1::Receipt LastReceipt() const { return ReceiptAt(parts_.ledger->TreeSize() - 1); }

  std::unique_ptr<retention::Erasure> erasure_;
};

TEST_F(ErasureTest, RefusesACallerWhoIsNoPrivacyOfficer) {
  for (const identity::Caller& caller : {Municipality(), Auditor()}) {
    const uint64_t size = parts_.ledger->TreeSize();
    EXPECT_THAT(erasure_->EraseSubject(caller, Request(kClientBsn)),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("privacy officer")));
    ASSERT_EQ(parts_.ledger->TreeSize(), size + 1) << "the attempt is receipted";
    v1::Receipt receipt = LastReceipt();
    EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_ERASURE);
    EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_REFUSED);
    EXPECT_THAT(receipt.failed_rule_ids(), Not(IsEmpty()));
  }
}

TEST_F(ErasureTest, RefusesAnInvalidBsnNamingTheField) {
  EXPECT_THAT(erasure_->EraseSubject(Officer(), Request("123456789")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("subject_bsn")));
  EXPECT_EQ(LastReceipt().outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_THAT(LastReceipt().detail(), Not(HasSubstr("123456789")));
}

TEST_F(ErasureTest, RefusesAMissingLegalBasisNamingTheField) {
  EXPECT_THAT(erasure_->EraseSubject(Officer(), Request(kClientBsn, v1::ERASURE_BASIS_UNSPECIFIED)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("basis")));
  v1::EraseSubjectRequest unknown = Request(kClientBsn);
  unknown.set_basis(static_cast<v1::ErasureBasis>(77));
  EXPECT_THAT(erasure_->EraseSubject(Officer(), unknown),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("basis")));
}

TEST_F(ErasureTest, RefusesAMissingOrOverlongJustificationNamingTheField) {
  v1::EraseSubjectRequest request = Request(kClientBsn);
  request.clear_justification();
  EXPECT_THAT(erasure_->EraseSubject(Officer(), request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("justification")));
  request.set_justification(std::string(4097, 'x'));
  EXPECT_THAT(erasure_->EraseSubject(Officer(), request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("justification")));
}

TEST_F(ErasureTest, RefusesADataSubjectRequestWhileACaseIsOpen) {
  const std::string case_id = OpenCase(kClientBsn, "open-1");
  EXPECT_THAT(erasure_->EraseSubject(Officer(), Request(kClientBsn)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("open case")));
  EXPECT_TRUE(HasRecord(storage::CaseKey(case_id)));
  EXPECT_TRUE(Findable(kClientBsn));
  EXPECT_EQ(LastReceipt().outcome(), v1::RECEIPT_OUTCOME_REFUSED);
}

TEST_F(ErasureTest, ErasesAnOpenCaseOnUnlawfulProcessing) {
  const std::string case_id = OpenCase(kClientBsn, "open-1");
  absl::StatusOr<v1::EraseSubjectResponse> erased =
      erasure_->EraseSubject(Officer(), Request(kClientBsn, v1::ERASURE_BASIS_UNLAWFUL_PROCESSING));
  ASSERT_THAT(erased, IsOk());
  EXPECT_EQ(erased->cases_removed(), 1u);
  EXPECT_FALSE(HasRecord(storage::CaseKey(case_id)));
}

TEST_F(ErasureTest, ErasesAClosedCaseAndTheOverviewSaysNothingIsHeld) {
  const std::string case_id = OpenCase(kClientBsn, "open-1");
  AppendRequestReceipt(case_id, kClientBsn);
  AddConference(case_id, "conf-1");
  CloseCase(case_id);
  const std::string pseudonym = Pseudonym(kClientBsn);
  ASSERT_GT(ReceiptsFoundByBsn(kClientBsn), 0u);
  absl::StatusOr<v1::Checkpoint> before = parts_.ledger->MakeCheckpoint();
  ASSERT_THAT(before, IsOk());
  const std::vector<std::string> bytes_before = AllReceiptBytes();

  absl::StatusOr<v1::EraseSubjectResponse> erased =
      erasure_->EraseSubject(Officer(), Request(kClientBsn));
  ASSERT_THAT(erased, IsOk());
  EXPECT_EQ(erased->cases_removed(), 1u);
  EXPECT_EQ(erased->conference_records_removed(), 2u);
  EXPECT_EQ(erased->keys_shredded(), 1u);
  EXPECT_GT(erased->index_entries_removed(), 0u);
  EXPECT_FALSE(HasRecord(storage::CaseKey(case_id)));
  EXPECT_FALSE(HasRecord(storage::ConferenceItemKey("conf-1", "item-1")));
  EXPECT_EQ(SubjectEntries(pseudonym), 0u);
  EXPECT_FALSE(Findable(kClientBsn));
  EXPECT_EQ(ReceiptsFoundByBsn(kClientBsn), 0u);

  absl::StatusOr<v1::DisclosureResponse> overview = Disclosure(kClientBsn);
  ASSERT_THAT(overview, IsOk());
  EXPECT_THAT(overview->entries(), IsEmpty());

  // The receipts are untouched: the log verifies and the old root holds.
  std::vector<std::string> bytes_after = AllReceiptBytes();
  bytes_after.resize(bytes_before.size());
  EXPECT_EQ(bytes_after, bytes_before);
  EXPECT_THAT(parts_.ledger->VerifyAll(), IsOk());
  absl::StatusOr<ledger::Digest> root = parts_.ledger->RootAt(before->tree_size());
  ASSERT_THAT(root, IsOk());
  EXPECT_EQ(std::string(root->begin(), root->end()), before->root_hash());
}

TEST_F(ErasureTest, TheReceiptNamesOfficerBasisAndJustificationHashButNoSubject) {
  const std::string case_id = OpenCase(kClientBsn, "open-1");
  CloseCase(case_id);
  absl::StatusOr<v1::EraseSubjectResponse> erased =
      erasure_->EraseSubject(Officer(), Request(kClientBsn));
  ASSERT_THAT(erased, IsOk());

  v1::Receipt receipt = ReceiptAt(erased->receipt().leaf_index());
  EXPECT_EQ(receipt.receipt_id(), erased->receipt().receipt_id());
  EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_ERASURE);
  EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_GRANTED);
  EXPECT_EQ(receipt.requester_oin(), kMunicipalityOin);
  EXPECT_EQ(receipt.professional_id(), kOfficerId);
  EXPECT_EQ(receipt.time().seconds(), absl::ToUnixSeconds(kStart));
  EXPECT_THAT(receipt.detail(), HasSubstr("ERASURE_BASIS_DATA_SUBJECT_REQUEST"));
  EXPECT_EQ(receipt.justification_sha256(), ledger::Sha256Bytes("Verzoek AVG-2026-0042"));
  EXPECT_TRUE(receipt.subject_pseudonym().empty());
  EXPECT_TRUE(receipt.case_id().empty());
}

TEST_F(ErasureTest, TakesAFamilyMemberOutOfACaseThatStays) {
  const std::string case_id = OpenCase(kClientBsn, "open-1");
  AddFamilyMember(case_id, kFamilyBsn);
  CloseCase(case_id);
  const std::string family = Pseudonym(kFamilyBsn);

  absl::StatusOr<v1::EraseSubjectResponse> erased =
      erasure_->EraseSubject(Officer(), Request(kFamilyBsn));
  ASSERT_THAT(erased, IsOk());
  EXPECT_EQ(erased->cases_removed(), 0u);
  EXPECT_EQ(erased->cases_stripped(), 1u);

  absl::StatusOr<std::optional<v1::Case>> stored = store_->Get(case_id);
  ASSERT_THAT(stored, IsOk());
  ASSERT_TRUE(stored->has_value());
  for (const v1::CaseClient& client : (*stored)->clients()) {
    EXPECT_NE(client.subject_pseudonym(), family);
  }
  EXPECT_EQ((*stored)->clients_size(), 1);
  EXPECT_FALSE(Findable(kFamilyBsn));
  EXPECT_TRUE(Findable(kClientBsn));
}

TEST_F(ErasureTest, ErasingAPersonTheBrokerDoesNotKnowIsReceiptedAndRemovesNothing) {
  absl::StatusOr<v1::EraseSubjectResponse> erased =
      erasure_->EraseSubject(Officer(), Request(kOtherPersonBsn));
  ASSERT_THAT(erased, IsOk());
  EXPECT_EQ(erased->cases_removed() + erased->index_entries_removed(), 0u);
  EXPECT_EQ(LastReceipt().kind(), v1::RECEIPT_KIND_ERASURE);
}

}  // namespace
}  // namespace wams::testing
