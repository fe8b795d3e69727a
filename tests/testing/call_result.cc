#include "tests/testing/call_result.h"

#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace wams::testing {

CallResult ResultOf(grpc::Status status) {
  CallResult result;
  result.status = std::move(status);
  google::rpc::Status details;
  if (result.status.ok() || !details.ParseFromString(result.status.error_details())) {
    return result;
  }
  for (const google::protobuf::Any& detail : details.details()) {
    v1::SignedReceipt receipt;
    v1::ReceiptReference reference;
    if (detail.UnpackTo(&result.decision)) continue;
    if (detail.UnpackTo(&receipt)) result.receipts.push_back(Decode(receipt));
    if (detail.UnpackTo(&reference)) result.references.push_back(reference);
  }
  return result;
}

v1::Receipt Decode(const v1::SignedReceipt& signed_receipt) {
  v1::Receipt receipt;
  EXPECT_TRUE(receipt.ParseFromString(signed_receipt.receipt_bytes()));
  return receipt;
}

}  // namespace wams::testing
