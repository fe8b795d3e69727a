// call_result.h: a broker call's status with its refusal details decoded,
// so tests can assert on the rule IDs and receipts a refusal carries.
//
//   CallResult result = ResultOf(stub->RequestData(&context, request, &response));
//   EXPECT_THAT(result.decision.failed_rule_ids(), Contains("R04"));
#ifndef WAMS_TESTS_TESTING_CALL_RESULT_H_
#define WAMS_TESTS_TESTING_CALL_RESULT_H_

#include <vector>

#include "grpcpp/support/status.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {

namespace v1 = ::wams::broker::v1;

struct CallResult {
  grpc::Status status;
  v1::Decision decision;              // from the details of a refusal or block
  std::vector<v1::Receipt> receipts;  // the receipts in the details, decoded
  // ReceiptReferences in the details: where the refusal's receipt is, for a
  // caller who may not see it (proto/README.md, the outsider's view).
  std::vector<v1::ReceiptReference> references;
};

// Decodes the google.rpc.Status details of a failed call.
CallResult ResultOf(grpc::Status status);

// The Receipt inside a SignedReceipt (its exact signed bytes).
v1::Receipt Decode(const v1::SignedReceipt& signed_receipt);

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_CALL_RESULT_H_
