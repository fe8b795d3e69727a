#include "tests/testing/broker_fixture.h"

#include <signal.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace wams::testing {

std::string SourcePath(std::string_view relative) {
  return (std::filesystem::path(WAMS_SOURCE_DIR) / relative).string();
}

std::string BrokerBinary() { return WAMS_BROKER_BINARY; }

std::string AuditBinary() { return WAMS_AUDIT_BINARY; }

void MakeDevPki(const std::filesystem::path& dir) {
  std::string output;
  int code = RunCommand({"bash", SourcePath("deploy/dev-pki.sh"), dir.string()}, &output);
  if (code != 0) {
    std::cerr << "deploy/dev-pki.sh failed (" << code << "): " << output;
    std::abort();
  }
}

std::shared_ptr<grpc::Channel> MutualTlsChannel(const std::filesystem::path& pki_dir,
                                                std::string_view cert_name, int port) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFile(pki_dir / "ca.crt");
  if (!cert_name.empty()) {
    options.pem_cert_chain = ReadFile(pki_dir / (std::string(cert_name) + ".crt"));
    options.pem_private_key = ReadFile(pki_dir / (std::string(cert_name) + ".key"));
  }
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::SslCredentials(options));
}

BrokerFixture::BrokerFixture() {
  MakeDevPki(pki_dir());
  std::filesystem::create_directories(dir_.path() / "config");
  std::string config = ReadFile(SourcePath("deploy/config/broker.example.textproto"));
  config = absl::StrReplaceAll(config, {{"127.0.0.1:7443", "127.0.0.1:0"}});
  WriteFile(config_path(), config);
}

int BrokerFixture::ReplaceInConfig(std::string_view from, std::string_view to) {
  std::string config = ReadFile(config_path());
  int replaced = absl::StrReplaceAll(
      {{absl::string_view(from.data(), from.size()), absl::string_view(to.data(), to.size())}},
      &config);
  WriteFile(config_path(), config);
  return replaced;
}

int BrokerFixture::Stop() { return process_ == nullptr ? -1 : process_->Stop(SIGTERM); }

int BrokerFixture::ExportAndVerify(const std::filesystem::path& dir, std::string* output) const {
  int exported =
      RunCommand({BrokerBinary(), "--config", config_path(), "--export", dir.string()}, output);
  if (exported != 0) return exported;
  return RunCommand({AuditBinary(), "verify", dir.string()}, output);
}

bool BrokerFixture::Start(const std::vector<std::string>& launcher) {
  std::vector<std::string> argv = launcher;
  argv.insert(argv.end(), {BrokerBinary(), "--config", config_path()});
  process_ = std::make_unique<Subprocess>(argv, log_path());
  std::optional<std::string> line = process_->ReadStdoutLine(absl::Seconds(30));
  constexpr std::string_view kPrefix = "listening on 127.0.0.1:";
  if (!line.has_value() || !line->starts_with(kPrefix)) return false;
  return absl::SimpleAtoi(line->substr(kPrefix.size()), &port_);
}

std::shared_ptr<grpc::Channel> BrokerFixture::Channel(std::string_view cert_name) const {
  return MutualTlsChannel(pki_dir(), cert_name, port_);
}

}  // namespace wams::testing
