#include "broker/ledger/store/pending_receipt.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/deterministic_bytes.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/merkle/merkle.h"

namespace wams::ledger::store {

absl::StatusOr<std::unique_ptr<PendingReceipt>> PrepareReceipt(
    const wams::broker::v1::Receipt& receipt, const NoteSigner& signer, std::string_view key_id,
    size_t max_receipt_bytes, bool summarize) {
  if (receipt.kind() == wams::broker::v1::RECEIPT_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError("receipt.kind is unspecified");
  }
  if (receipt.outcome() == wams::broker::v1::RECEIPT_OUTCOME_UNSPECIFIED) {
    return absl::InvalidArgumentError("receipt.outcome is unspecified");
  }
  // A pseudonym is an HMAC-SHA256: anything else may be a BSN.
  if (!receipt.subject_pseudonym().empty() && receipt.subject_pseudonym().size() != 32) {
    return absl::InvalidArgumentError(
        "receipt.subject_pseudonym must be 32 bytes (HMAC-SHA256, see Pseudonymizer)");
  }
  auto p = std::make_unique<PendingReceipt>();
  if (summarize) {
    p->prepared_at = absl::Now();
    p->summary.kind = receipt.kind();
    p->summary.outcome = receipt.outcome();
    p->summary.failed_rule_ids.assign(receipt.failed_rule_ids().begin(),
                                      receipt.failed_rule_ids().end());
  }
  WAMS_ASSIGN_OR_RETURN(p->index, IndexPrefixesOf(receipt));
  std::string bytes = base::DeterministicBytes(receipt);
  // A hard bound whatever the callers let in: one oversized receipt would
  // grow the log for good and break every reader that fetches it.
  if (bytes.size() > max_receipt_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("receipt of ", bytes.size(),
                                                     " bytes exceeds limits.max_receipt_bytes (",
                                                     max_receipt_bytes, "); nothing was appended"));
  }
  p->leaf_hash = LeafHash(bytes);
  p->signed_receipt.set_signature(signer.SignBytes(bytes));
  p->signed_receipt.set_key_id(std::string(key_id));
  p->signed_receipt.set_receipt_bytes(std::move(bytes));
  p->value = base::DeterministicBytes(p->signed_receipt);
  return p;
}

}  // namespace wams::ledger::store
