#include "broker/services/call_log_interceptor.h"

#include <map>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "broker/base/logging/call_log.h"
#include "broker/base/logging/trace_context.h"
#include "broker/identity/caller_identity.h"
#include "broker/services/exchange_service.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/interceptor.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::services {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;

// The value of `key` in received metadata when sent exactly once, else "".
std::string ReceivedValue(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                          absl::string_view key) {
  const grpc::string_ref name(key.data(), key.size());
  if (metadata.count(name) != 1) return "";
  const grpc::string_ref value = metadata.find(name)->second;
  return std::string(value.data(), value.size());
}

std::string SentValue(const std::multimap<std::string, std::string>& metadata,
                      absl::string_view key) {
  auto found = metadata.find(std::string(key));
  return found == metadata.end() ? "" : found->second;
}

// The top-level string field `name` of `message`, or "".
std::string StringField(const google::protobuf::Message& message, absl::string_view name) {
  const google::protobuf::FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName(std::string(name));
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
    return "";
  }
  return message.GetReflection()->GetString(message, field);
}

// The failed rules of a top-level Decision field of `message` (a dry run's
// answer), if it has one.
std::vector<std::string> RulesInResponse(const google::protobuf::Message& message) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated() || field->message_type() != v1::Decision::descriptor()) continue;
    const auto& decision =
        static_cast<const v1::Decision&>(message.GetReflection()->GetMessage(message, field));
    return {decision.failed_rule_ids().begin(), decision.failed_rule_ids().end()};
  }
  return {};
}

// The failed rules of a Decision in a refusal's details.
std::vector<std::string> RulesInStatus(const grpc::Status& status) {
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) return {};
  for (const google::protobuf::Any& any : details.details()) {
    v1::Decision decision;
    if (any.UnpackTo(&decision)) {
      return {decision.failed_rule_ids().begin(), decision.failed_rule_ids().end()};
    }
  }
  return {};
}

class CallLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallLogInterceptor(CallLogInterceptorFactory& factory, grpc::experimental::ServerRpcInfo* info)
      : factory_(factory),
        info_(info),
        start_(absl::Now()),
        skipped_(absl::StartsWith(info->method(), "/grpc.")) {
    record_.kind = "request";
    record_.method = info->method();
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    // Health and reflection are not logged, and not looked into: the health
    // service's messages are raw byte buffers, not protobuf messages.
    if (skipped_) {
      methods->Proceed();
      return;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      OnMetadata(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // nullptr when the request did not parse (unparsable_request.h).
      if (const auto* request =
              static_cast<const google::protobuf::Message*>(methods->GetRecvMessage());
          request != nullptr && record_.case_id.empty()) {
        record_.case_id = StringField(*request, "case_id");
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      OnSentMetadata(*methods->GetSendInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      if (const auto* response =
              static_cast<const google::protobuf::Message*>(methods->GetSendMessage());
          response != nullptr && record_.failed_rules.empty()) {
        record_.failed_rules = RulesInResponse(*response);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      OnStatus(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void OnMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    record_.professional_id = ReceivedValue(metadata, identity::kProfessionalIdHeader);
    // Until the exchange service says which ids it used: a valid traceparent
    // sent continues its trace; the broker's span is new.
    const std::string sent = ReceivedValue(metadata, logging::kTraceparentHeader);
    if (logging::IsTraceparent(sent)) {
      record_.trace_id = logging::TraceIdOf(sent);
      record_.parent_span_id = logging::ParentIdOf(sent);
    }
    record_.span_id = logging::NewSpanId();
    if (grpc::ServerContextBase* context = info_->server_context(); context != nullptr) {
      std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
      if (auth != nullptr && auth->IsPeerAuthenticated()) {
        std::vector<grpc::string_ref> pems = auth->FindPropertyValues("x509_pem_cert");
        if (!pems.empty()) {
          record_.caller_oin =
              factory_.OinOf(absl::string_view(pems.front().data(), pems.front().size()));
        }
      }
    }
  }

  void OnSentMetadata(const std::multimap<std::string, std::string>& metadata) {
    const std::string broker_span = SentValue(metadata, kTraceresponseHeader);
    if (!logging::IsTraceparent(broker_span)) return;
    record_.trace_id = logging::TraceIdOf(broker_span);
    record_.span_id = logging::ParentIdOf(broker_span);
    record_.parent_span_id = logging::ParentIdOf(SentValue(metadata, kTraceparentHeader));
    record_.transaction_id = SentValue(metadata, kTransactionIdHeader);
  }

  void OnStatus(const grpc::Status& status) {
    record_.outcome = absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
    if (!status.ok()) record_.failed_rules = RulesInStatus(status);
    record_.latency = absl::Now() - start_;
    logging::LogCall(record_);
  }

  CallLogInterceptorFactory& factory_;
  grpc::experimental::ServerRpcInfo* info_;
  const absl::Time start_;
  logging::CallRecord record_;
  const bool skipped_;
};

}  // namespace

grpc::experimental::Interceptor* CallLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallLogInterceptor(*this, info);
}

std::string CallLogInterceptorFactory::OinOf(absl::string_view pem) {
  absl::StatusOr<std::string> oin = certificates_.OinFromCertificatePem(pem);
  return oin.ok() ? *std::move(oin) : "";
}

}  // namespace wams::services
