// retention_fixture.h: the real parts for the retention job and erasure
// tests: RocksDB in a temp dir, the receipt log, the case manager, the audit
// core (disclosure overview, ListReceipts), the subject key table and a
// FakeClock. Test-only.
#ifndef WAMS_TESTS_RETENTION_RETENTION_FIXTURE_H_
#define WAMS_TESTS_RETENTION_RETENTION_FIXTURE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "broker/audit/audit_core.h"
#include "broker/cases/case_manager.h"
#include "broker/cases/case_store.h"
#include "broker/conference/conference_store.h"
#include "broker/config/config_loader.h"
#include "broker/storage/backend.h"
#include "broker/storage/key_codec.h"
#include "broker/storage/record_keys.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/core_parts.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/conference.pb.h"

namespace wams::testing {

namespace v1 = ::wams::broker::v1;

// 2026-01-01T09:30:00Z.
inline const absl::Time kStart = absl::FromUnixSeconds(1'767'259'800);
inline constexpr char kOfficerId[] = "fg-privacy-1";

class RetentionFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeDevPki(dir_.path() / "pki");
    absl::StatusOr<v1::BrokerConfig> config = config::ParseBrokerConfig(absl::StrCat(
        absl::StrReplaceAll(ReadFile(SourcePath("deploy/config/broker.example.textproto")),
                            {{"../dev-pki/", (dir_.path() / "pki/").string()}}),
        "\nprivacy_officer_ids: \"", kOfficerId, "\"\n"));
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = *config;
    absl::StatusOr<CoreParts> parts = OpenCoreParts(config_, dir_.File("db"), &clock_);
    ASSERT_TRUE(parts.ok()) << parts.status();
    parts_ = *std::move(parts);
    store_ = std::make_unique<cases::CaseStore>(*parts_.storage);
    cases_ = std::make_unique<cases::CaseManager>(
        cases::CaseManagerDeps{.store = store_.get(),
                               .ledger = parts_.ledger.get(),
                               .subject_keys = parts_.subject_keys.get(),
                               .policy = parts_.policy.get(),
                               .registry = parts_.registry.get(),
                               .clock = &clock_});
    absl::StatusOr<std::unique_ptr<audit::AuditCore>> audit =
        audit::AuditCore::Create(audit::AuditDeps{.ledger = parts_.ledger.get(),
                                                  .storage = parts_.storage.get(),
                                                  .subject_keys = parts_.subject_keys.get(),
                                                  .registry = parts_.registry.get(),
                                                  .policy = parts_.policy.get(),
                                                  .clock = &clock_},
                                 config_);
    ASSERT_TRUE(audit.ok()) << audit.status();
    audit_ = *std::move(audit);
  }

  identity::Caller Municipality(std::string professional_id = "wmo-consulent-12") const {
    return {.party = parts_.registry->Find(kMunicipalityOin),
            .certificate_oin = kMunicipalityOin,
            .professional_id = std::move(professional_id)};
  }
  identity::Caller Officer() const { return Municipality(kOfficerId); }
  identity::Caller Auditor() const {
    return {.party = parts_.registry->Find(kAuditorOin),
            .certificate_oin = kAuditorOin,
            .professional_id = "auditor-1"};
  }

  // Opens a client case for `bsn` (request ids must differ per case).
  std::string OpenCase(const std::string& bsn, const std::string& request_id) {
    v1::OpenClientCaseRequest open;
    open.set_request_id(request_id);
    open.set_client_bsn(bsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
    absl::StatusOr<v1::CaseResponse> opened = cases_->OpenClientCase(Municipality(), open);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? opened->case_().case_id() : "";
  }
  void AddFamilyMember(const std::string& case_id, const std::string& bsn) {
    v1::AddFamilyMemberRequest add;
    add.set_case_id(case_id);
    add.set_bsn(bsn);
    add.set_agreed(true);
    absl::StatusOr<v1::CaseResponse> added = cases_->AddFamilyMember(Municipality(), add);
    EXPECT_TRUE(added.ok()) << added.status();
  }
  void CloseCase(const std::string& case_id) {
    v1::CloseCaseRequest close;
    close.set_case_id(case_id);
    close.set_reason("Hulp afgerond");
    absl::StatusOr<v1::CaseResponse> closed = cases_->CloseCase(Municipality(), close);
    EXPECT_TRUE(closed.ok()) << closed.status();
  }
  // A conference of the case with one item, written as the conference room
  // writes them.
  void AddConference(const std::string& case_id, const std::string& conference_id) {
    v1::Conference conference;
    conference.set_conference_id(conference_id);
    conference.set_case_id(case_id);
    storage::WriteBatch batch = conference::ConferenceStore::Record(conference);
    v1::ConferenceItem item;
    item.set_item_id("item-1");
    batch.Append(conference::ConferenceStore::ItemRecord(conference_id, item));
    ASSERT_TRUE(parts_.storage->Write(batch).ok());
  }
  // A data-request receipt about `bsn` in `case_id`.
  void AppendRequestReceipt(const std::string& case_id, const std::string& bsn) {
    v1::Receipt receipt;
    receipt.set_kind(v1::RECEIPT_KIND_DECISION);
    receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
    receipt.set_case_id(case_id);
    receipt.set_requester_oin(kMunicipalityOin);
    receipt.set_target_oin(kGgzOin);
    receipt.set_purpose(v1::PURPOSE_RESEARCH);
    receipt.set_subject_pseudonym(Pseudonym(bsn));
    ASSERT_TRUE(parts_.ledger->Append(receipt).ok());
  }

  bool HasRecord(const std::string& key) const {
    absl::StatusOr<std::optional<std::string>> row =
        parts_.storage->Get(storage::Family::kCases, key);
    EXPECT_TRUE(row.ok()) << row.status();
    return row.ok() && row->has_value();
  }
  // The subject's own pseudonym (its key made on first use).
  std::string Pseudonym(const std::string& bsn) {
    absl::StatusOr<std::string> pseudonym = parts_.subject_keys->Pseudonymize(bsn);
    EXPECT_TRUE(pseudonym.ok()) << pseudonym.status();
    return pseudonym.ok() ? *pseudonym : "";
  }
  // Whether any key still links `bsn` to a pseudonym.
  bool Findable(const std::string& bsn) const {
    absl::StatusOr<std::vector<std::string>> found = parts_.subject_keys->Find(bsn);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() && !found->empty();
  }
  // Subject-index entries under `pseudonym`.
  size_t SubjectEntries(const std::string& pseudonym) const {
    absl::StatusOr<std::string> prefix = storage::StringPrefix(pseudonym);
    absl::StatusOr<std::vector<storage::KeyValue>> rows = parts_.storage->Scan(
        storage::Family::kIdxSubject, storage::ScanRange::Prefix(*prefix, 100000));
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? rows->size() : 0;
  }
  // Receipts ListReceipts finds by `bsn` (as an auditor), other than the
  // audit queries themselves.
  size_t ReceiptsFoundByBsn(const std::string& bsn) {
    v1::ListReceiptsRequest request;
    request.set_subject_bsn(bsn);
    absl::StatusOr<v1::ListReceiptsResponse> page = audit_->ListReceipts(Auditor(), request);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return 0;
    size_t found = 0;
    for (const v1::SignedReceipt& r : page->receipts()) {
      v1::Receipt receipt;
      EXPECT_TRUE(receipt.ParseFromString(r.receipt_bytes()));
      if (receipt.kind() != v1::RECEIPT_KIND_AUDIT_QUERY) ++found;
    }
    return found;
  }
  absl::StatusOr<v1::DisclosureResponse> Disclosure(const std::string& bsn) {
    v1::DisclosureRequest request;
    request.set_subject_bsn(bsn);
    request.set_language(v1::LANGUAGE_ENGLISH);
    return audit_->GetDisclosureOverview(Officer(), request);
  }
  // The receipt at `leaf`, as signed.
  v1::Receipt ReceiptAt(uint64_t leaf) const {
    absl::StatusOr<v1::SignedReceipt> stored = parts_.ledger->GetReceipt(leaf);
    v1::Receipt receipt;
    EXPECT_TRUE(stored.ok() && receipt.ParseFromString(stored->receipt_bytes()));
    return receipt;
  }
  // Every stored receipt's signed bytes, in log order.
  std::vector<std::string> AllReceiptBytes() const {
    std::vector<std::string> all;
    for (uint64_t i = 0; i < parts_.ledger->TreeSize(); ++i) {
      absl::StatusOr<v1::SignedReceipt> stored = parts_.ledger->GetReceipt(i);
      all.push_back(stored.ok() ? stored->SerializeAsString() : "");
    }
    return all;
  }

  FakeClock clock_{kStart};
  TempDir dir_;
  v1::BrokerConfig config_;
  CoreParts parts_;
  std::unique_ptr<cases::CaseStore> store_;
  std::unique_ptr<cases::CaseManager> cases_;
  std::unique_ptr<audit::AuditCore> audit_;
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_RETENTION_RETENTION_FIXTURE_H_
