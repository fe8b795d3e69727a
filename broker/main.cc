// wams-broker: the Wams Broker daemon.
//
//   wams-broker --config /etc/wams/broker.textproto
//
// Reads and validates the config (a bad config exits 2 naming the field),
// starts the mTLS gRPC server, prints "listening on HOST:PORT" on stdout, and
// on SIGTERM or SIGINT lets in-flight calls finish, closes storage and exits 0.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/common/log.h"
#include "broker/config/config_loader.h"
#include "broker/services/broker_server.h"

namespace {

constexpr int kExitConfigError = 2;
constexpr int kExitStartError = 1;
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

constexpr char kUsage[] =
    "usage: wams-broker --config FILE\n"
    "  Runs the Wams Broker with the BrokerConfig in FILE (textproto, or JSON).\n";

// The config path from argv, or empty when the arguments are wrong.
std::string ConfigPath(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) return argv[i + 1];
    if (arg.starts_with("--config=")) return std::string(arg.substr(9));
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = ConfigPath(argc, argv);
  if (config_path.empty()) {
    std::fputs(kUsage, stderr);
    return kExitConfigError;
  }

  // Block the stop signals before any thread starts, so every thread inherits
  // the mask and only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<wams::broker::v1::BrokerConfig> config =
      wams::config::LoadBrokerConfig(config_path);
  if (!config.ok()) {
    wams::common::LogError(absl::StrCat("invalid config: ", config.status().message()));
    return kExitConfigError;
  }

  absl::StatusOr<std::unique_ptr<wams::services::BrokerServer>> server =
      wams::services::BrokerServer::Start(*config);
  if (!server.ok()) {
    wams::common::LogError(absl::StrCat("cannot start: ", server.status().ToString()));
    return kExitStartError;
  }
  std::string host = config->listen_address().substr(0, config->listen_address().rfind(':'));
  std::cout << "listening on " << host << ":" << (*server)->port() << std::endl;
  wams::common::LogInfo(absl::StrCat("wams-broker serving ", config->parties_size(),
                                     " parties on port ", (*server)->port()));

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  wams::common::LogInfo(absl::StrCat("signal ", signal_number, ": shutting down"));
  (*server)->Shutdown(kShutdownGrace);
  server->reset();
  wams::common::LogInfo("stopped cleanly");
  return 0;
}
