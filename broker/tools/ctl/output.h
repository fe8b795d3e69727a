// output.h: how wamsctl shows answers: readable text by default, JSON with
// --json. A decision prints one rule per line, e.g.
//
//   REFUSED  failed: R04
//     R04  FAILED          art. 2.3a.1 Wmo 2015  The client excluded this domain.
//   receipt  decision  leaf 17  id 0190b1c2-...  DECISION REFUSED
//
//   PrintDecision(response.decision(), std::cout);
//   ReportRpcError(status, /*json=*/false, std::cout, std::cerr);
#ifndef WAMS_BROKER_TOOLS_CTL_OUTPUT_H_
#define WAMS_BROKER_TOOLS_CTL_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/conference.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ctl {

namespace v1 = ::wams::broker::v1;

// `message` as indented JSON with the proto field names.
std::string ToJson(const google::protobuf::Message& message);

// "PERMISSION_DENIED" etc.
std::string StatusCodeName(grpc::StatusCode code);

// The explanation a refusal carries in its google.rpc.Status details.
struct RefusalDetails {
  google::rpc::Status status;  // as sent; empty when the broker sent none
  std::vector<v1::Decision> decisions;
  std::vector<v1::SignedReceipt> receipts;
  // Where receipts the caller may not read are (a refusal of a party that
  // may not know the case's facts).
  std::vector<v1::ReceiptReference> references;
};
RefusalDetails DecodeDetails(const grpc::Status& status);

// The verdict line, every rule, the obligations and the consent basis.
void PrintDecision(const v1::Decision& decision, std::ostream& out);
// One line: "receipt  LABEL  leaf N  id ID  KIND OUTCOME [failed rules]".
void PrintReceipt(const std::string& label, const v1::SignedReceipt& receipt, std::ostream& out);
// One line: "receipt  LABEL  leaf N  id ID" for a receipt only auditors read.
void PrintReceiptReference(const std::string& label, const v1::ReceiptReference& reference,
                           std::ostream& out);
void PrintCase(const v1::Case& case_record, std::ostream& out);
void PrintConference(const v1::Conference& conference, std::ostream& out);

// Prints a failed call: "wamsctl: broker answered CODE: message" to `err`
// and, when the status carries details, the decision and receipts to `out`
// (with `json`, the code, message and details as one JSON object instead).
void ReportRpcError(const grpc::Status& status, bool json, std::ostream& out, std::ostream& err);

}  // namespace wams::ctl

#endif  // WAMS_BROKER_TOOLS_CTL_OUTPUT_H_
