// exchange_service.h: the ExchangeService gRPC handlers.
//
// Thin: identify and admit the caller (call_handler.h), hand the request to
// the exchange core, finish when the core calls back. RequestData, ShareData
// and CheckRequest never block a gRPC thread: the core's receipts and
// provider calls are asynchronous. Each of them uses a checked trace context
// (common/trace_ids.h) and answers with it in its initial metadata.
#ifndef WAMS_BROKER_SERVICES_EXCHANGE_SERVICE_H_
#define WAMS_BROKER_SERVICES_EXCHANGE_SERVICE_H_

#include "broker/exchange/exchange_core.h"
#include "broker/services/call_handler.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::services {

namespace v1 = ::wams::broker::v1;

// Metadata keys of the trace context: read from the request, and the ids
// the call used written back in the response's initial metadata (all but
// tracestate). `traceresponse` (W3C Trace Context Level 2) says the broker's
// own span of the call: "00-<trace-id>-<broker's span id>-<flags>".
inline constexpr char kTraceparentHeader[] = "traceparent";
inline constexpr char kTracestateHeader[] = "tracestate";
inline constexpr char kTransactionIdHeader[] = "fsc-transaction-id";
inline constexpr char kTraceresponseHeader[] = "traceresponse";

// Thread-safe; borrows the gate and core, which must outlive it.
class ExchangeService final : public v1::ExchangeService::CallbackService {
 public:
  ExchangeService(const CallGate& gate, exchange::ExchangeCore& core) : gate_(gate), core_(core) {}

  grpc::ServerUnaryReactor* RequestData(grpc::CallbackServerContext* context,
                                        const v1::DataRequest* request,
                                        v1::DataResponse* response) override;
  grpc::ServerUnaryReactor* ShareData(grpc::CallbackServerContext* context,
                                      const v1::ShareRequest* request,
                                      v1::ShareResponse* response) override;
  grpc::ServerUnaryReactor* CheckRequest(grpc::CallbackServerContext* context,
                                         const v1::DataRequest* request,
                                         v1::CheckResponse* response) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* context,
                                   const v1::WhoAmIRequest* request,
                                   v1::WhoAmIResponse* response) override;

 private:
  const CallGate& gate_;
  exchange::ExchangeCore& core_;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_EXCHANGE_SERVICE_H_
