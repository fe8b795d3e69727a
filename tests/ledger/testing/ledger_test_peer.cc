#include "tests/ledger/testing/ledger_test_peer.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/store/log_writer.h"
#include "broker/ledger/store/pending_receipt.h"

namespace wams::ledger::store {

absl::Status LedgerTestPeer::FillUnsigned(Ledger& ledger, uint64_t n, size_t batch) {
  const std::string signature(64, '\0');
  for (uint64_t done = 0; done < n;) {
    std::vector<std::unique_ptr<PendingReceipt>> group;
    for (; group.size() < batch && done < n; ++done) {
      auto p = std::make_unique<PendingReceipt>();
      wams::broker::v1::Receipt r;
      r.set_receipt_id(absl::StrCat("fill-", done));
      r.set_kind(wams::broker::v1::RECEIPT_KIND_CASE_EVENT);
      r.set_outcome(wams::broker::v1::RECEIPT_OUTCOME_GRANTED);
      std::string bytes = r.SerializeAsString();
      p->leaf_hash = LeafHash(bytes);
      p->signed_receipt.set_receipt_bytes(std::move(bytes));
      p->signed_receipt.set_signature(signature);
      p->signed_receipt.set_key_id(ledger.key_id());
      p->value = p->signed_receipt.SerializeAsString();
      group.push_back(std::move(p));
    }
    WAMS_RETURN_IF_ERROR(ledger.writer_->CommitGroup(group));
  }
  return absl::OkStatus();
}

}  // namespace wams::ledger::store
