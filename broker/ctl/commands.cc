#include "broker/ctl/commands.h"

#include <chrono>
#include <functional>
#include <map>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "broker/common/secret_file.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "policy/base/status_macros.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::ctl {
namespace {

namespace v1 = ::wams::broker::v1;

constexpr auto kDeadline = std::chrono::seconds(10);

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const Connection& connection) {
  grpc::SslCredentialsOptions options;
  WAMS_ASSIGN_OR_RETURN(options.pem_root_certs,
                        common::ReadPublicFile(connection.ca_file, "--ca (WAMS_CA)"));
  WAMS_ASSIGN_OR_RETURN(options.pem_cert_chain,
                        common::ReadPublicFile(connection.cert_file, "--cert (WAMS_CERT)"));
  WAMS_ASSIGN_OR_RETURN(options.pem_private_key,
                        common::ReadPrivateFile(connection.key_file, "--key (WAMS_KEY)"));
  return grpc::CreateChannel(connection.broker, grpc::SslCredentials(options));
}

void PrepareContext(const Connection& connection, grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + kDeadline);
  if (!connection.professional_id.empty()) {
    context->AddMetadata("x-wams-professional-id", connection.professional_id);
  }
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

const char* StatusCodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : "UNKNOWN";
}

int PrintRpcError(const grpc::Status& status, std::ostream& err) {
  err << "wamsctl: broker answered " << StatusCodeName(status.error_code()) << ": "
      << status.error_message() << "\n";
  return 1;
}

int WhoAmI(const Connection& connection, bool json, std::ostream& out, std::ostream& err) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(connection);
  if (!channel.ok()) {
    err << "wamsctl: " << channel.status().message() << "\n";
    return 1;
  }
  grpc::ClientContext context;
  PrepareContext(connection, &context);
  v1::WhoAmIResponse response;
  grpc::Status status =
      v1::ExchangeService::NewStub(*channel)->WhoAmI(&context, v1::WhoAmIRequest(), &response);
  if (!status.ok()) return PrintRpcError(status, err);
  if (json) {
    out << ToJson(response) << "\n";
    return 0;
  }
  const v1::Party& party = response.party();
  out << party.name() << "\n"
      << "  OIN           " << party.oin() << "\n"
      << "  domain        " << v1::Domain_Name(party.domain()) << "\n"
      << "  role          " << v1::PartyRole_Name(party.role()) << "\n"
      << "  regime        " << v1::SecrecyRegime_Name(party.secrecy_regime()) << "\n"
      << "  may use BSN   " << (party.may_process_bsn() ? "yes" : "no") << "\n";
  if (!response.professional_id().empty()) {
    out << "  professional  " << response.professional_id() << "\n";
  }
  return 0;
}

}  // namespace

int RunCommand(const std::string& command, const Connection& connection, bool json,
               std::ostream& out, std::ostream& err) {
  using Handler = std::function<int(const Connection&, bool, std::ostream&, std::ostream&)>;
  static const auto* const kCommands = new std::map<std::string, Handler>{
      {"whoami", WhoAmI},
  };
  auto found = kCommands->find(command);
  if (found == kCommands->end()) {
    err << "wamsctl: unknown command " << command << " (see wamsctl --help)\n";
    return 2;
  }
  return found->second(connection, json, out, err);
}

}  // namespace wams::ctl
