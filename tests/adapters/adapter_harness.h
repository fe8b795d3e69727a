// adapter_harness.h: a real wams-adapter process on 127.0.0.1, and a caller
// that plays the broker against it over mutual TLS.
//
// The reference configs (adapters/config/NAME.textproto) are copied into a
// temp dir with the dev PKI, the demo records and port 0 put in, so the test
// runs exactly what a partner runs. Until the broker's exchange flow calls
// adapters, BrokerCaller plays the broker: a gRPC client presenting the dev
// PKI's `broker` certificate. A later test can hand the same AdapterProcess to
// a real broker instead (its registry endpoint is adapter.address()).
//
//   ReferenceAdapter adapter(pki_dir, "school");
//   ASSERT_TRUE(adapter.Start());
//   BrokerCaller broker(pki_dir, adapter.port());
//   v1::ProviderResponse response;
//   grpc::Status status = broker.Deliver(
//       GrantedRequest("111222333", {"attendance"}), &response);
#ifndef WAMS_TESTS_ADAPTERS_ADAPTER_HARNESS_H_
#define WAMS_TESTS_ADAPTERS_ADAPTER_HARNESS_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grpcpp/channel.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/provider.grpc.pb.h"

namespace wams::testing {

namespace v1 = ::wams::broker::v1;

// Path of the built wams-adapter.
std::string AdapterBinary();

// A wams-adapter run from a reference config.
class ReferenceAdapter {
 public:
  // Copies adapters/config/`name`.textproto into a fresh temp dir, pointing
  // its TLS files at `pki_dir`, its records at the source tree's demo records
  // and its listen address at port 0, then applies `replacements` (e.g. an
  // HTTP backend's port).
  ReferenceAdapter(const std::filesystem::path& pki_dir, std::string_view name,
                   std::vector<std::pair<std::string, std::string>> replacements = {});

  // Starts the process; true once it printed "listening on 127.0.0.1:PORT".
  // `launcher` goes in front of the command (see BrokerFixture::Start).
  bool Start(const std::vector<std::string>& launcher = {});
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string config_path() const { return dir_.File("adapter.textproto"); }
  // Everything the adapter wrote to stderr so far.
  std::string Log() const { return ReadFile(dir_.File("adapter.log")); }
  Subprocess& process() { return *process_; }

 private:
  TempDir dir_;
  std::unique_ptr<Subprocess> process_;
  int port_ = 0;
};

// Calls ProviderService.Deliver presenting `cert_name` of the dev PKI
// ("broker" by default; "" for no certificate), with a 10-second deadline.
class BrokerCaller {
 public:
  BrokerCaller(const std::filesystem::path& pki_dir, int port,
               std::string_view cert_name = "broker");
  grpc::Status Deliver(const v1::ProviderRequest& request, v1::ProviderResponse* response);

 private:
  std::unique_ptr<v1::ProviderService::Stub> stub_;
};

// A granted research request from the municipality, as the broker delivers
// it: explicit consent recorded for none of the categories, no obligations.
v1::ProviderRequest GrantedRequest(std::string_view bsn, std::vector<std::string> categories);

// Adds an obligation of `kind` covering `categories` (empty: all).
void AddObligation(v1::ProviderRequest& request, v1::ObligationKind kind,
                   std::vector<std::string> categories = {});

// Records explicit consent for `category`.
void AddConsent(v1::ProviderRequest& request, std::string_view category);

}  // namespace wams::testing

#endif  // WAMS_TESTS_ADAPTERS_ADAPTER_HARNESS_H_
