#include "tests/faults/exported_log.h"

#include <string_view>

#include "absl/strings/str_split.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/export/export_format.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {

ExportedLog ReadExport(const std::filesystem::path& dir) {
  ExportedLog log;
  std::string text = ReadFile(dir / ledger_export::kReceiptsFile);
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ledger_export::ExportedReceipt exported;
    absl::Status parsed =
        ledger_export::ParseReceiptLine(std::string_view(line.data(), line.size()), exported);
    EXPECT_TRUE(parsed.ok()) << parsed;
    EXPECT_EQ(exported.index, log.receipts.size());
    v1::Receipt& receipt = log.receipts.emplace_back();
    EXPECT_TRUE(receipt.ParseFromString(exported.receipt));
    log.sha256.push_back(ledger::DigestHex(ledger::Sha256(exported.receipt)));
    log.bytes.push_back(exported.receipt);
    if (!receipt.request_id().empty()) {
      log.leaves_by_request.emplace(receipt.request_id(), exported.index);
    }
  }
  return log;
}

bool HasGrantedDecision(const ExportedLog& log, const ProviderRecord& record) {
  auto [begin, end] = log.leaves_by_request.equal_range(record.request_id);
  for (auto it = begin; it != end; ++it) {
    const v1::Receipt& receipt = log.receipts[it->second];
    if (receipt.kind() == v1::RECEIPT_KIND_DECISION &&
        receipt.outcome() == v1::RECEIPT_OUTCOME_GRANTED &&
        receipt.transaction_id() == record.transaction_id) {
      return true;
    }
  }
  return false;
}

}  // namespace wams::testing
