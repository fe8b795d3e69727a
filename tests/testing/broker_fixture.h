// broker_fixture.h: a real wams-broker process on 127.0.0.1 with a dev PKI
// made at test time, and mTLS client channels for its parties.
//
// Layout in a fresh temp dir, mirroring deploy/:
//   dev-pki/    certificates and keys from deploy/dev-pki.sh
//   config/     broker.textproto: deploy/config/broker.example.textproto with port 0
//   dev-data/   the broker's data directory
//
//   BrokerFixture fixture;                       // PKI + config
//   ASSERT_TRUE(fixture.Start());                // process up, port known
//   auto stub = v1::ExchangeService::NewStub(fixture.Channel("ggz"));
#ifndef WAMS_TESTS_TESTING_BROKER_FIXTURE_H_
#define WAMS_TESTS_TESTING_BROKER_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {

// Absolute paths of the source tree and built binaries (compile definitions).
std::string SourcePath(std::string_view relative);
std::string BrokerBinary();
std::string AuditBinary();

// Runs deploy/dev-pki.sh into `dir`; aborts the test binary on failure.
void MakeDevPki(const std::filesystem::path& dir);

// A channel to 127.0.0.1:`port` presenting `cert_name`.crt/.key from
// `pki_dir`, trusting `pki_dir`/ca.crt. An empty `cert_name` presents no
// client certificate.
std::shared_ptr<grpc::Channel> MutualTlsChannel(const std::filesystem::path& pki_dir,
                                                std::string_view cert_name, int port);

class BrokerFixture {
 public:
  BrokerFixture();

  const std::filesystem::path& root() const { return dir_.path(); }
  std::filesystem::path pki_dir() const { return dir_.path() / "dev-pki"; }
  std::string config_path() const { return dir_.File("config/broker.textproto"); }
  std::string log_path() const { return dir_.File("broker.log"); }

  // Replaces every `from` in the config with `to` (before Start()), e.g. a
  // provider endpoint with a test provider's. Returns how many it replaced.
  int ReplaceInConfig(std::string_view from, std::string_view to);

  // Starts wams-broker with config_path(); true once it printed its port.
  // `launcher` goes in front of the command, e.g. {"/usr/bin/prlimit",
  // "--nofile=1024:1024", "--"} to run the broker with fewer descriptors.
  bool Start(const std::vector<std::string>& launcher = {});
  // SIGTERM and wait; the exit code.
  int Stop();
  // Runs `wams-broker --config ... --export DIR` (the broker must be stopped)
  // and then `wams-audit verify DIR`; returns verify's exit code, its output
  // in `output`.
  int ExportAndVerify(const std::filesystem::path& dir, std::string* output) const;
  int port() const { return port_; }
  Subprocess& process() { return *process_; }
  // A channel presenting the named dev-PKI certificate ("" for none).
  std::shared_ptr<grpc::Channel> Channel(std::string_view cert_name) const;

 private:
  TempDir dir_;
  std::unique_ptr<Subprocess> process_;
  int port_ = 0;
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_BROKER_FIXTURE_H_
