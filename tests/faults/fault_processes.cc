#include "tests/faults/fault_processes.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/client_context.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/case.grpc.pb.h"

namespace wams::testing {

std::string RecordingProviderBinary() { return WAMS_RECORDING_PROVIDER_BINARY; }

std::string CrashLoadClientBinary() { return WAMS_CRASH_LOAD_CLIENT_BINARY; }

bool ProviderProcess::Start() {
  std::vector<std::string> argv = {RecordingProviderBinary(),
                                   "--pki",
                                   options_.pki_dir.string(),
                                   "--cert",
                                   options_.cert_name,
                                   "--record",
                                   options_.record_file,
                                   "--port",
                                   std::to_string(port_),
                                   "--delay-ms",
                                   std::to_string(options_.delay_ms)};
  if (options_.hang) argv.push_back("--hang");
  process_ = std::make_unique<Subprocess>(argv, options_.log_file);
  std::optional<std::string> line = process_->ReadStdoutLine(absl::Seconds(20));
  constexpr std::string_view kPrefix = "listening on 127.0.0.1:";
  int port = 0;
  if (!line.has_value() || !line->starts_with(kPrefix) ||
      !absl::SimpleAtoi(line->substr(kPrefix.size()), &port) || (port_ != 0 && port != port_)) {
    process_.reset();
    return false;
  }
  port_ = port;
  return true;
}

int ProviderProcess::Kill() {
  if (process_ == nullptr) return -1;
  int code = process_->Stop(SIGKILL);
  process_.reset();
  return code;
}

std::vector<ProviderRecord> ProviderProcess::Records() const {
  std::string text = ReadFile(options_.record_file);
  std::vector<ProviderRecord> records;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    std::vector<std::string> fields = absl::StrSplit(text.substr(start, end - start), ' ');
    if (fields.size() == 2) records.push_back({fields[0], fields[1]});
  }
  return records;
}

absl::StatusOr<std::string> OpenResearchCase(const std::shared_ptr<grpc::Channel>& channel,
                                             const std::string& request_id, const std::string& bsn,
                                             const std::vector<v1::Domain>& domains_in) {
  v1::OpenClientCaseRequest request;
  request.set_request_id(request_id);
  request.set_client_bsn(bsn);
  request.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  request.add_social_laws(v1::SOCIAL_LAW_JEUGDWET);
  for (v1::Domain domain : domains_in) request.mutable_scope()->add_domains_in(domain);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
  v1::CaseResponse response;
  grpc::Status status =
      v1::CaseService::NewStub(channel)->OpenClientCase(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  return response.case_().case_id();
}

int ThreadCount(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    constexpr std::string_view kThreads = "Threads:";
    if (!line.starts_with(kThreads)) continue;
    int threads = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(kThreads.size())), &threads)) {
      return threads;
    }
  }
  return -1;
}

}  // namespace wams::testing
