// AuditService against a real broker: who may call it, that every audit
// query leaves a receipt (with the pseudonym, never the BSN, for subject
// queries), pagination, and the `fetch` and `inclusion` commands.
#include <algorithm>
#include <fstream>

#include "absl/strings/str_split.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/note/note.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/audit/audit_test_util.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kBsn[] = "111222333";
constexpr char kOfficer[] = "fg-officer-1";

v1::Receipt Decode(const v1::SignedReceipt& signed_receipt) {
  v1::Receipt receipt;
  EXPECT_TRUE(receipt.ParseFromString(signed_receipt.receipt_bytes()));
  return receipt;
}

class AuditServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppendToConfig(broker_, std::string("privacy_officer_ids: \"") + kOfficer + "\"");
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  }

  // Every receipt about `party_oin` (as requester or target), all pages.
  std::vector<v1::SignedReceipt> ReceiptsOfParty(const std::string& party_oin) {
    std::vector<v1::SignedReceipt> all;
    v1::ListReceiptsRequest request;
    request.set_party_oin(party_oin);
    do {
      grpc::ClientContext context;
      PrepareContext(&context);
      v1::ListReceiptsResponse response;
      grpc::Status status = AuditStub(broker_)->ListReceipts(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      all.insert(all.end(), response.receipts().begin(), response.receipts().end());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return all;
  }

  // Status of every AuditService method called as `cert_name`.
  std::vector<std::pair<std::string, grpc::StatusCode>> CallEveryMethod(
      const std::string& cert_name, const std::string& professional_id = "") {
    auto stub = AuditStub(broker_, cert_name);
    std::vector<std::pair<std::string, grpc::StatusCode>> codes;
    auto call = [&](const std::string& name, auto&& fn) {
      grpc::ClientContext context;
      PrepareContext(&context, professional_id);
      codes.emplace_back(name, fn(&context).error_code());
    };
    call("GetCheckpoint", [&](grpc::ClientContext* c) {
      v1::Checkpoint r;
      return stub->GetCheckpoint(c, v1::GetCheckpointRequest(), &r);
    });
    call("ListReceipts", [&](grpc::ClientContext* c) {
      v1::ListReceiptsRequest q;
      q.set_party_oin(kGgzOin);
      v1::ListReceiptsResponse r;
      return stub->ListReceipts(c, q, &r);
    });
    call("GetInclusionProof", [&](grpc::ClientContext* c) {
      // A leaf the caller is no party to (leaf 0 may be its own refused
      // GetCheckpoint, whose proof a partner may have).
      v1::GetInclusionProofRequest q;
      q.set_leaf_index(uint64_t{1} << 40);
      v1::InclusionProof r;
      return stub->GetInclusionProof(c, q, &r);
    });
    call("GetConsistencyProof", [&](grpc::ClientContext* c) {
      v1::GetConsistencyProofRequest q;
      q.set_old_size(1);
      v1::ConsistencyProof r;
      return stub->GetConsistencyProof(c, q, &r);
    });
    call("Export", [&](grpc::ClientContext* c) {
      auto reader = stub->Export(c, v1::ExportRequest());
      v1::ExportChunk chunk;
      while (reader->Read(&chunk)) {
      }
      return reader->Finish();
    });
    call("AddCosignature", [&](grpc::ClientContext* c) {
      v1::AddCosignatureResponse r;
      return stub->AddCosignature(c, v1::AddCosignatureRequest(), &r);
    });
    call("GetDisclosureOverview", [&](grpc::ClientContext* c) {
      v1::DisclosureRequest q;
      q.set_subject_bsn(kBsn);
      v1::DisclosureResponse r;
      return stub->GetDisclosureOverview(c, q, &r);
    });
    return codes;
  }

  BrokerFixture broker_;
};

TEST_F(AuditServiceTest, NonAuditorIsDeniedEveryMethodAndEachAttemptIsReceipted) {
  for (const auto& [method, code] : CallEveryMethod("ggz")) {
    EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << method;
  }
  // The municipality without the privacy officer's id is no auditor either.
  for (const auto& [method, code] : CallEveryMethod("municipality", "wmo-consulent-12")) {
    EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << method;
  }
  // A party unknown to the broker is refused before anything is recorded.
  for (const auto& [method, code] : CallEveryMethod("outsider")) {
    EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << method;
  }

  std::vector<std::string> refused_methods;
  for (const v1::SignedReceipt& r : ReceiptsOfParty(kGgzOin)) {
    v1::Receipt receipt = Decode(r);
    if (receipt.requester_oin() != kGgzOin) continue;
    EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_AUDIT_QUERY);
    EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_REFUSED);
    refused_methods.push_back(receipt.detail().substr(0, receipt.detail().find(':')));
  }
  EXPECT_THAT(refused_methods,
              ::testing::UnorderedElementsAre("GetCheckpoint", "ListReceipts", "GetInclusionProof",
                                              "GetConsistencyProof", "Export", "AddCosignature",
                                              "GetDisclosureOverview"));
}

TEST_F(AuditServiceTest, PrivacyOfficerMayReadDisclosuresButNothingElse) {
  for (const auto& [method, code] : CallEveryMethod("municipality", kOfficer)) {
    if (method == "GetDisclosureOverview") {
      EXPECT_EQ(code, grpc::StatusCode::OK) << method;
    } else {
      EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << method;
    }
  }
}

TEST_F(AuditServiceTest, EveryAuditQueryLeavesAReceiptWithThePseudonymNotTheBsn) {
  auto stub = AuditStub(broker_);
  const std::string professional = "accountant-3";
  auto list = [&](const v1::ListReceiptsRequest& request) {
    grpc::ClientContext context;
    PrepareContext(&context, professional);
    v1::ListReceiptsResponse response;
    grpc::Status status = stub->ListReceipts(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  };
  v1::ListReceiptsRequest by_case;
  by_case.set_case_id("case-under-review");
  list(by_case);
  v1::ListReceiptsRequest by_subject;
  by_subject.set_subject_bsn(kBsn);
  list(by_subject);
  v1::ListReceiptsRequest by_party;
  by_party.set_party_oin(kGgzOin);
  list(by_party);
  v1::ListReceiptsRequest by_time;
  by_time.mutable_time_range()->mutable_to()->set_seconds(4102444800);  // 2100
  ASSERT_FALSE(list(by_time).receipts().empty());
  {
    grpc::ClientContext context;
    PrepareContext(&context, professional);
    v1::DisclosureRequest request;
    request.set_subject_bsn(kBsn);
    v1::DisclosureResponse response;
    ASSERT_TRUE(stub->GetDisclosureOverview(&context, request, &response).ok());
    EXPECT_THAT(response.entries(), IsEmpty());
    EXPECT_THAT(response.document(), Not(HasSubstr(kBsn)));
  }
  {
    grpc::ClientContext context;
    PrepareContext(&context, professional);
    v1::InclusionProof proof;
    v1::GetInclusionProofRequest request;
    request.set_leaf_index(0);
    ASSERT_TRUE(stub->GetInclusionProof(&context, request, &proof).ok());
  }
  {
    grpc::ClientContext context;
    PrepareContext(&context, professional);
    auto reader = stub->Export(&context, v1::ExportRequest());
    v1::ExportChunk chunk;
    int receipts = 0;
    while (reader->Read(&chunk)) receipts += chunk.has_receipt() ? 1 : 0;
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_GT(receipts, 0);
  }

  std::vector<std::string> details;
  std::string subject_pseudonym;
  for (const v1::SignedReceipt& r : ReceiptsOfParty(kAuditorOin)) {
    EXPECT_THAT(r.receipt_bytes(), Not(HasSubstr(kBsn)));
    v1::Receipt receipt = Decode(r);
    if (receipt.professional_id() != professional) continue;
    EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_AUDIT_QUERY);
    EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_GRANTED);
    EXPECT_EQ(receipt.requester_oin(), kAuditorOin);
    details.push_back(receipt.detail());
    if (receipt.detail() == "ListReceipts by case") {
      EXPECT_EQ(receipt.case_id(), "case-under-review");
    }
    if (receipt.detail() == "ListReceipts by subject") {
      EXPECT_EQ(receipt.subject_pseudonym().size(), 32u);
      subject_pseudonym = receipt.subject_pseudonym();
    }
    if (receipt.detail() == "GetDisclosureOverview") {
      EXPECT_EQ(receipt.subject_pseudonym(), subject_pseudonym);
    }
    if (receipt.detail() == "ListReceipts by party") {
      EXPECT_EQ(receipt.target_oin(), kGgzOin);
    }
  }
  EXPECT_THAT(details, Contains("ListReceipts by case"));
  EXPECT_THAT(details, Contains("ListReceipts by subject"));
  EXPECT_THAT(details, Contains("ListReceipts by party"));
  EXPECT_THAT(details, Contains(HasSubstr("ListReceipts by time")));
  EXPECT_THAT(details, Contains("GetDisclosureOverview"));
  EXPECT_THAT(details, Contains(HasSubstr("GetInclusionProof leaf 0")));
  EXPECT_THAT(details, Contains("Export from leaf 0"));
  EXPECT_EQ(details.size(), 7u);

  // The subject query is found again by the BSN: the pseudonym is the index key.
  v1::ListReceiptsResponse about = list(by_subject);
  EXPECT_GE(about.receipts_size(), 2);
}

TEST_F(AuditServiceTest, PagesAreInLogOrderWithoutGapsOrRepeats) {
  auto stub = AuditStub(broker_);
  for (int i = 0; i < 5; ++i) ReceiptsOfParty(kGgzOin);
  std::vector<uint64_t> all;
  for (const v1::SignedReceipt& r : ReceiptsOfParty(kGgzOin)) all.push_back(r.leaf_index());
  ASSERT_GE(all.size(), 5u);

  std::vector<uint64_t> paged;
  v1::ListReceiptsRequest request;
  request.set_party_oin(kGgzOin);
  request.set_page_size(2);
  int pages = 0;
  do {
    grpc::ClientContext context;
    PrepareContext(&context);
    v1::ListReceiptsResponse response;
    ASSERT_TRUE(stub->ListReceipts(&context, request, &response).ok());
    EXPECT_LE(response.receipts_size(), 2);
    for (const v1::SignedReceipt& r : response.receipts()) paged.push_back(r.leaf_index());
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 100);
  EXPECT_GE(pages, 3);
  EXPECT_TRUE(std::is_sorted(paged.begin(), paged.end()));
  EXPECT_EQ(std::adjacent_find(paged.begin(), paged.end()), paged.end());
  // The paged walk started from the same log: it holds at least the earlier walk.
  for (uint64_t leaf : all) EXPECT_THAT(paged, Contains(leaf));

  v1::ListReceiptsRequest bad;
  bad.set_party_oin(kGgzOin);
  bad.set_page_token("not-a-token");
  grpc::ClientContext context;
  PrepareContext(&context);
  v1::ListReceiptsResponse ignored;
  EXPECT_EQ(stub->ListReceipts(&context, bad, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuditServiceTest, FetchedExportVerifiesAndHeldReceiptsProveInclusion) {
  ReceiptsOfParty(kGgzOin);
  const std::string dir = (broker_.root() / "fetched").string();
  std::string output;
  ASSERT_EQ(RunAuditCommand(broker_, "fetch", {dir}, &output), 0) << output;
  output.clear();
  ASSERT_EQ(RunCommand({AuditBinary(), "verify", dir}, &output), 0) << output;
  const std::string keys = dir + "/keys";

  // A receipts.jsonl line, as an auditor holds it.
  std::vector<std::string> lines = absl::StrSplit(ReadFile(dir + "/receipts.jsonl"), '\n');
  ASSERT_GE(lines.size(), 2u);
  const std::string line_file = (broker_.root() / "held-line.json").string();
  WriteFile(line_file, lines[0] + "\n");
  ASSERT_EQ(RunAuditCommand(broker_, "inclusion", {"--keys", keys, line_file}, &output), 0)
      << output;
  EXPECT_THAT(output, HasSubstr("OK: receipt at leaf 0 is in the log"));

  // A SignedReceipt as JSON, as a requester or provider holds it.
  v1::ListReceiptsRequest request;
  request.set_party_oin(kGgzOin);
  v1::ListReceiptsResponse response;
  {
    grpc::ClientContext context;
    PrepareContext(&context);
    ASSERT_TRUE(AuditStub(broker_)->ListReceipts(&context, request, &response).ok());
  }
  ASSERT_GT(response.receipts_size(), 0);
  v1::SignedReceipt held = response.receipts(0);
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(held, &json).ok());
  const std::string json_file = (broker_.root() / "held.json").string();
  WriteFile(json_file, json);
  ASSERT_EQ(RunAuditCommand(broker_, "inclusion", {"--keys", keys, json_file}, &output), 0)
      << output;

  // An altered receipt fails its signature.
  v1::SignedReceipt altered = held;
  altered.mutable_receipt_bytes()->back() ^= 0x01;
  json.clear();  // MessageToJsonString appends
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(altered, &json).ok());
  WriteFile(json_file, json);
  EXPECT_EQ(RunAuditCommand(broker_, "inclusion", {"--keys", keys, json_file}, &output), 1);
  EXPECT_THAT(output, HasSubstr("signature does not verify"));

  // A receipt validly signed with the log's key (someone holding it) but never
  // appended: the signature passes, the inclusion proof does not.
  absl::StatusOr<ledger::Ed25519PrivateKey> log_key =
      ledger::Ed25519PrivateKey::FromPem(ReadFile(broker_.pki_dir() / "receipt-signing.key"));
  ASSERT_TRUE(log_key.ok());
  v1::Receipt fake = Decode(held);
  fake.set_detail("never logged");
  v1::SignedReceipt forged = held;
  forged.set_receipt_bytes(fake.SerializeAsString());
  forged.set_signature(log_key->Sign(forged.receipt_bytes()));
  json.clear();
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(forged, &json).ok());
  WriteFile(json_file, json);
  EXPECT_EQ(RunAuditCommand(broker_, "inclusion", {"--keys", keys, json_file}, &output), 1);
  EXPECT_THAT(output, HasSubstr("ALARM: the receipt at leaf"));
  EXPECT_THAT(output, HasSubstr("is NOT in the log"));
}

}  // namespace
}  // namespace wams::testing
