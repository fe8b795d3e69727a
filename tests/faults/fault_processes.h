// fault_processes.h: the real processes fault tests start, kill and restart
// around a BrokerFixture: recording providers (tests/faults/recording_provider.cc)
// and the acknowledging load client (tests/faults/crash_load_client.cc); and
// small helpers they share (open a case, count a process's threads).
//
//   ProviderProcess school({.pki_dir = broker.pki_dir(), .cert_name = "school",
//                           .record_file = dir.File("school.rec"), .log_file = ...});
//   ASSERT_TRUE(school.Start());                  // a free port
//   broker.ReplaceInConfig("127.0.0.1:7453", school.endpoint());
//   school.Kill();                                // SIGKILL
//   ASSERT_TRUE(school.Start());                  // the same port again
//   for (const ProviderRecord& r : school.Records()) ...;
#ifndef WAMS_TESTS_FAULTS_FAULT_PROCESSES_H_
#define WAMS_TESTS_FAULTS_FAULT_PROCESSES_H_

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "tests/testing/subprocess.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::testing {

namespace v1 = ::wams::broker::v1;

// Paths of the built helper binaries (compile definitions).
std::string RecordingProviderBinary();
std::string CrashLoadClientBinary();

// One request as a recording provider wrote it to its record file.
struct ProviderRecord {
  std::string request_id;
  std::string transaction_id;
};

struct ProviderProcessOptions {
  // The dev PKI holding `cert_name`.crt/.key and ca.crt. Default: none, required.
  std::filesystem::path pki_dir;
  // The party's certificate, e.g. "school". Default: none, required.
  std::string cert_name;
  // Where the provider records each request before answering (kept across
  // restarts). Default: none, required.
  std::string record_file;
  // The provider's stderr. Default: none, required.
  std::string log_file;
  // Answer after this many milliseconds. Default: 0 (at once).
  int delay_ms = 0;
  // Never answer. Default: false.
  bool hang = false;
};

// A recording_provider process. Not thread-safe.
class ProviderProcess {
 public:
  explicit ProviderProcess(ProviderProcessOptions options) : options_(std::move(options)) {}

  // Starts the provider: on a free port the first time, on the same port
  // after a Kill(). True once it printed its port.
  bool Start();
  // SIGKILL and wait; the exit code (137).
  int Kill();
  bool running() const { return process_ != nullptr; }
  pid_t pid() const { return process_ == nullptr ? -1 : process_->pid(); }
  int port() const { return port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  // Every complete line of the record file, in order (a line cut by a crash
  // is left out: its request was never answered).
  std::vector<ProviderRecord> Records() const;

 private:
  ProviderProcessOptions options_;
  std::unique_ptr<Subprocess> process_;
  int port_ = 0;
};

// Opens a client-initiated research case for `bsn` (laws Wmo and Jeugdwet)
// as the municipality on `channel`, with `domains_in` in the client's scope;
// the case id.
absl::StatusOr<std::string> OpenResearchCase(const std::shared_ptr<grpc::Channel>& channel,
                                             const std::string& request_id, const std::string& bsn,
                                             const std::vector<v1::Domain>& domains_in);

// The number of threads of process `pid` (the "Threads:" line of
// /proc/<pid>/status), or -1 when unreadable.
int ThreadCount(pid_t pid);

}  // namespace wams::testing

#endif  // WAMS_TESTS_FAULTS_FAULT_PROCESSES_H_
