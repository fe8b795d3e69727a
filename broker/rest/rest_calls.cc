#include "broker/rest/rest_calls.h"

#include <utility>

#include "broker/audit/audit_core.h"
#include "broker/cases/case_manager.h"
#include "broker/conference/conference_manager.h"
#include "broker/exchange/exchange_core.h"
#include "broker/retention/erasure.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::rest {
namespace {

namespace v1 = ::wams::broker::v1;

template <typename Response>
CallResult Boxed(absl::StatusOr<Response> result) {
  if (!result.ok()) return result.status();
  return std::unique_ptr<google::protobuf::Message>(new Response(*std::move(result)));
}

const google::protobuf::ServiceDescriptor* ServiceNamed(const char* name) {
  return google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
}

std::string MethodName(const google::protobuf::ServiceDescriptor* service, const char* method) {
  return service->FindMethodByName(method)->full_name();
}

// A synchronous core method, run on the workers as ServeOnPool does.
template <typename Request, typename Response>
RestCall OnWorkers(
    base::WorkerPool& workers,
    std::function<absl::StatusOr<Response>(const identity::Caller&, const Request&)> core) {
  return [&workers, core = std::move(core)](const identity::Caller& caller,
                                            const google::protobuf::Message& request,
                                            const base::TraceIds&, CallDone done) {
    workers.Schedule([caller, &request, core, done = std::move(done)]() mutable {
      std::move(done)(Boxed(core(caller, static_cast<const Request&>(request))));
    });
  };
}

// An asynchronous exchange core method, which calls back itself.
template <typename Request, typename Response, typename Method>
RestCall Exchange(exchange::ExchangeCore& core, Method method) {
  return [&core, method](const identity::Caller& caller, const google::protobuf::Message& request,
                         const base::TraceIds& trace, CallDone done) {
    (core.*method)(caller, static_cast<const Request&>(request), trace,
                   [done = std::move(done)](absl::StatusOr<Response> result) mutable {
                     std::move(done)(Boxed(std::move(result)));
                   });
  };
}

void AddCaseCalls(cases::CaseManager& m, base::WorkerPool& w, RestCallTable& t) {
  const auto* s = ServiceNamed(v1::CaseService::service_full_name());
  using R = v1::CaseResponse;
  using C = identity::Caller;
  t[MethodName(s, "OpenClientCase")] = OnWorkers<v1::OpenClientCaseRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.OpenClientCase(c, r); });
  t[MethodName(s, "OpenProfessionalCase")] = OnWorkers<v1::OpenProfessionalCaseRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.OpenProfessionalCase(c, r); });
  t[MethodName(s, "DecideProfessionalRequest")] =
      OnWorkers<v1::DecideProfessionalRequestRequest, R>(
          w, [&m](const C& c, const auto& r) { return m.DecideProfessionalRequest(c, r); });
  t[MethodName(s, "InformClient")] = OnWorkers<v1::InformClientRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.InformClient(c, r); });
  t[MethodName(s, "RecordConsent")] = OnWorkers<v1::RecordConsentRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.RecordConsent(c, r); });
  t[MethodName(s, "WithdrawConsent")] = OnWorkers<v1::WithdrawConsentRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.WithdrawConsent(c, r); });
  t[MethodName(s, "SetClientScope")] = OnWorkers<v1::SetClientScopeRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.SetClientScope(c, r); });
  t[MethodName(s, "AddFamilyMember")] = OnWorkers<v1::AddFamilyMemberRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.AddFamilyMember(c, r); });
  t[MethodName(s, "StartCoordination")] = OnWorkers<v1::StartCoordinationRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.StartCoordination(c, r); });
  t[MethodName(s, "CloseCase")] = OnWorkers<v1::CloseCaseRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.CloseCase(c, r); });
  t[MethodName(s, "GetCase")] = OnWorkers<v1::GetCaseRequest, R>(
      w, [&m](const C& c, const auto& r) { return m.GetCase(c, r); });
}

void AddExchangeCalls(exchange::ExchangeCore& core, RestCallTable& t) {
  const auto* s = ServiceNamed(v1::ExchangeService::service_full_name());
  t[MethodName(s, "RequestData")] =
      Exchange<v1::DataRequest, v1::DataResponse>(core, &exchange::ExchangeCore::RequestData);
  t[MethodName(s, "ShareData")] =
      Exchange<v1::ShareRequest, v1::ShareResponse>(core, &exchange::ExchangeCore::ShareData);
  t[MethodName(s, "CheckRequest")] =
      Exchange<v1::DataRequest, v1::CheckResponse>(core, &exchange::ExchangeCore::CheckRequest);
  // As the gRPC handler: who the certificate and the header say the caller is.
  t[MethodName(s, "WhoAmI")] = [](const identity::Caller& caller, const google::protobuf::Message&,
                                  const base::TraceIds&, CallDone done) {
    auto response = std::make_unique<v1::WhoAmIResponse>();
    *response->mutable_party() = *caller.party;
    response->set_certificate_oin(caller.certificate_oin);
    response->set_professional_id(caller.professional_id);
    std::move(done)(std::unique_ptr<google::protobuf::Message>(std::move(response)));
  };
}

void AddConferenceCalls(conference::ConferenceManager& m, base::WorkerPool& w, RestCallTable& t) {
  const auto* s = ServiceNamed(v1::ConferenceService::service_full_name());
  using C = identity::Caller;
  t[MethodName(s, "Convene")] = OnWorkers<v1::ConveneRequest, v1::ConferenceResponse>(
      w, [&m](const C& c, const auto& r) { return m.Convene(c, r); });
  t[MethodName(s, "Invite")] = OnWorkers<v1::InviteRequest, v1::ConferenceResponse>(
      w, [&m](const C& c, const auto& r) { return m.Invite(c, r); });
  t[MethodName(s, "SetClientInvitation")] =
      OnWorkers<v1::SetClientInvitationRequest, v1::ConferenceResponse>(
          w, [&m](const C& c, const auto& r) { return m.SetClientInvitation(c, r); });
  t[MethodName(s, "ShareItem")] = OnWorkers<v1::ShareItemRequest, v1::ShareItemResponse>(
      w, [&m](const C& c, const auto& r) { return m.ShareItem(c, r); });
  t[MethodName(s, "FetchItems")] = OnWorkers<v1::FetchItemsRequest, v1::FetchItemsResponse>(
      w, [&m](const C& c, const auto& r) { return m.FetchItems(c, r); });
  t[MethodName(s, "AssentOnwardUse")] =
      OnWorkers<v1::AssentOnwardUseRequest, v1::OnwardUseResponse>(
          w, [&m](const C& c, const auto& r) { return m.AssentOnwardUse(c, r); });
  t[MethodName(s, "RequestOnwardUse")] =
      OnWorkers<v1::RequestOnwardUseRequest, v1::OnwardUseResponse>(
          w, [&m](const C& c, const auto& r) { return m.RequestOnwardUse(c, r); });
}

void AddAuditCalls(audit::AuditCore& a, retention::Erasure* erasure, base::WorkerPool& w,
                   RestCallTable& t) {
  const auto* s = ServiceNamed(v1::AuditService::service_full_name());
  using C = identity::Caller;
  t[MethodName(s, "GetCheckpoint")] = OnWorkers<v1::GetCheckpointRequest, v1::Checkpoint>(
      w, [&a](const C& c, const auto& r) { return a.GetCheckpoint(c, r); });
  t[MethodName(s, "ListReceipts")] = OnWorkers<v1::ListReceiptsRequest, v1::ListReceiptsResponse>(
      w, [&a](const C& c, const auto& r) { return a.ListReceipts(c, r); });
  t[MethodName(s, "GetInclusionProof")] =
      OnWorkers<v1::GetInclusionProofRequest, v1::InclusionProof>(
          w, [&a](const C& c, const auto& r) { return a.GetInclusionProof(c, r); });
  t[MethodName(s, "GetReceipt")] = OnWorkers<v1::GetReceiptRequest, v1::ReceiptView>(
      w, [&a](const C& c, const auto& r) { return a.GetReceipt(c, r); });
  t[MethodName(s, "GetConsistencyProof")] =
      OnWorkers<v1::GetConsistencyProofRequest, v1::ConsistencyProof>(
          w, [&a](const C& c, const auto& r) { return a.GetConsistencyProof(c, r); });
  t[MethodName(s, "GetDisclosureOverview")] =
      OnWorkers<v1::DisclosureRequest, v1::DisclosureResponse>(
          w, [&a](const C& c, const auto& r) { return a.GetDisclosureOverview(c, r); });
  t[MethodName(s, "EraseSubject")] = OnWorkers<v1::EraseSubjectRequest, v1::EraseSubjectResponse>(
      w, [erasure](const C& c, const auto& r) -> absl::StatusOr<v1::EraseSubjectResponse> {
        if (erasure == nullptr) {
          return absl::UnimplementedError("EraseSubject: this broker has no subject keys to shred");
        }
        return erasure->EraseSubject(c, r);
      });
}

}  // namespace

RestCallTable MakeRestCalls(const RestCores& cores) {
  RestCallTable table;
  AddCaseCalls(*cores.cases, *cores.workers, table);
  AddExchangeCalls(*cores.exchange, table);
  AddConferenceCalls(*cores.conferences, *cores.workers, table);
  AddAuditCalls(*cores.audit, cores.erasure, *cores.workers, table);
  return table;
}

}  // namespace wams::rest
