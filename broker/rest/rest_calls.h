// rest_calls.h: each v1 method the REST face serves, as a call on the same
// core its gRPC handler calls (broker/services/*_service.cc).
//
// The REST face is a second door to one house: the listener (rest_server.h)
// makes the request message, passes the same CallGate (identity, the
// party's limits, the field rules), then calls the method's entry here. The
// cores decide, receipt and answer exactly as for a gRPC call.
#ifndef WAMS_BROKER_REST_REST_CALLS_H_
#define WAMS_BROKER_REST_REST_CALLS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "broker/base/trace_ids.h"
#include "broker/base/worker_pool.h"
#include "broker/identity/caller_identity.h"
#include "google/protobuf/message.h"

namespace wams::audit {
class AuditCore;
}  // namespace wams::audit
namespace wams::cases {
class CaseManager;
}  // namespace wams::cases
namespace wams::conference {
class ConferenceManager;
}  // namespace wams::conference
namespace wams::exchange {
class ExchangeCore;
}  // namespace wams::exchange
namespace wams::retention {
class Erasure;
}  // namespace wams::retention

namespace wams::rest {

using CallResult = absl::StatusOr<std::unique_ptr<google::protobuf::Message>>;
using CallDone = absl::AnyInvocable<void(CallResult) &&>;
// Runs the method for an admitted caller; calls `done` once, on any thread.
// `request` (of the method's input type) must live until then.
using RestCall =
    std::function<void(const identity::Caller& caller, const google::protobuf::Message& request,
                       const base::TraceIds& trace, CallDone done)>;

// What the calls run on; borrowed, they must outlive the table. `erasure`
// may be null (EraseSubject then answers UNIMPLEMENTED, as over gRPC).
struct RestCores {
  cases::CaseManager* cases = nullptr;
  exchange::ExchangeCore* exchange = nullptr;
  conference::ConferenceManager* conferences = nullptr;
  audit::AuditCore* audit = nullptr;
  retention::Erasure* erasure = nullptr;
  // The cores' synchronous calls may wait for a durable write: on workers.
  base::WorkerPool* workers = nullptr;
};

// Method full name ("wams.broker.v1.CaseService.GetCase") -> its call.
using RestCallTable = absl::flat_hash_map<std::string, RestCall>;
RestCallTable MakeRestCalls(const RestCores& cores);

}  // namespace wams::rest

#endif  // WAMS_BROKER_REST_REST_CALLS_H_
