// wams-broker: the Wams Broker daemon.
//
//   wams-broker --config /etc/wams/broker.textproto
//   wams-broker --config /etc/wams/broker.textproto --export DIR
//   wams-broker --help | --version
//
// Reads and validates the config (a bad config, or a file it names that is
// missing, unreadable, open to others or malformed, exits 2 naming the field;
// any other start failure exits 1),
// starts the mTLS gRPC server, prints "listening on HOST:PORT" on stdout, and
// on SIGTERM or SIGINT lets in-flight calls finish, closes storage and exits 0.
// With --export, it instead writes the auditor export of a stopped broker's
// receipt log into DIR (see broker/services/offline_export.h) and exits.
// --help and --version print on stdout and exit 0; a bad command line exits
// 2 on stderr (broker/base/cli/command_line.h).
#include <sys/stat.h>

#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/base/cli/command_line.h"
#include "broker/base/files/private_dir.h"
#include "broker/base/logging/log.h"
#include "broker/base/protobuf_log.h"
#include "broker/base/stop_signals.h"
#include "broker/config/config_loader.h"
#include "broker/services/broker_server.h"
#include "broker/services/offline_export.h"
#include "broker/storage/open_backend.h"

namespace {

constexpr int kExitConfigError = 2;
constexpr int kExitStartError = 1;
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

constexpr char kExitCodes[] =
    "Exit codes: 0 stopped cleanly (SIGTERM, SIGINT) or exported, 1 cannot start or export,\n"
    "2 bad command line or config (a field, or a file it names).";

int Export(const wams::broker::v1::BrokerConfig& config, const std::string& dir) {
  absl::StatusOr<wams::broker::v1::Checkpoint> checkpoint =
      wams::services::ExportReceiptLog(config, dir);
  if (!checkpoint.ok()) {
    wams::logging::LogError(absl::StrCat("export failed: ", checkpoint.status().ToString()));
    return kExitStartError;
  }
  std::cout << "exported " << checkpoint->tree_size() << " receipts to " << dir << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything creates a file: whatever umask the broker was started
  // with, its data (cases, minutes, receipts; RocksDB creates files with the
  // process umask) is 0600 in 0700 directories.
  umask(wams::files::kPrivateUmask);
  // A flood of unparsable requests must not flood the log.
  wams::base::InstallProtobufLogHandler();

  CLI::App app("Runs the Wams Broker with the BrokerConfig in FILE (textproto, or JSON).",
               "wams-broker");
  wams::cli::AddVersionFlag(app);
  app.footer(kExitCodes);
  std::string config_path;
  std::string export_dir;
  app.add_option("--config", config_path, "the BrokerConfig")->option_text("FILE")->required();
  app.add_option("--export", export_dir,
                 "write the auditor export of the (stopped) broker's receipt log into DIR")
      ->option_text("DIR");
  std::string log_format = "json";
  app.add_option("--log-format", log_format,
                 "json (the default: one JSON object a line on stderr) or text")
      ->check(CLI::IsMember({"json", "text"}));
  if (std::optional<int> done = wams::cli::Parse(app, argc, argv)) return *done;
  wams::logging::SetFormat(log_format == "text" ? wams::logging::Format::kText
                                                : wams::logging::Format::kJson);

  // Debian's Abseil checks every lock order for deadlock cycles (a debug aid,
  // about 3% of the broker's CPU under load); the unit tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Before any thread starts, so every thread inherits the blocked mask.
  const wams::base::StopSignals stop_signals;

  absl::StatusOr<wams::broker::v1::BrokerConfig> config =
      wams::config::LoadBrokerConfig(config_path);
  if (!config.ok()) {
    wams::logging::LogError(absl::StrCat("invalid config: ", config.status().message()));
    return kExitConfigError;
  }
  if (!export_dir.empty()) {
    return Export(*config, export_dir);
  }
  // A data dir others can read is a config error like a readable key.
  const wams::broker::v1::StorageConfig storage = wams::storage::StorageOf(*config);
  if (absl::Status private_dir =
          storage.has_rocksdb()
              ? wams::files::PreparePrivateDirectory(
                    storage.rocksdb().dir(), std::string(wams::storage::LocalDirField(*config)))
              : absl::OkStatus();
      !private_dir.ok()) {
    wams::logging::LogError(absl::StrCat("invalid config: ", private_dir.message()));
    return kExitConfigError;
  }

  absl::StatusOr<std::unique_ptr<wams::services::BrokerServer>> server =
      wams::services::BrokerServer::Start(*config);
  if (!server.ok()) {
    // A file the config names is part of the config: a missing CA bundle
    // exits 2 like a missing field.
    if (wams::services::IsConfigError(server.status())) {
      wams::logging::LogError(absl::StrCat("invalid config: ", server.status().message()));
      return kExitConfigError;
    }
    wams::logging::LogError(absl::StrCat("cannot start: ", server.status().ToString()));
    return kExitStartError;
  }
  std::string host = config->listen_address().substr(0, config->listen_address().rfind(':'));
  std::cout << "listening on " << host << ":" << (*server)->port() << std::endl;
  if (!config->metrics_address().empty()) {
    std::string metrics_host =
        config->metrics_address().substr(0, config->metrics_address().rfind(':'));
    std::cout << "metrics on " << metrics_host << ":" << (*server)->metrics_port() << std::endl;
  }
  if (!config->rest_address().empty()) {
    std::string rest_host = config->rest_address().substr(0, config->rest_address().rfind(':'));
    std::cout << "rest on " << rest_host << ":" << (*server)->rest_port() << std::endl;
  }
  wams::logging::LogInfo(absl::StrCat("wams-broker serving ", config->parties_size(),
                                      " parties on port ", (*server)->port()));

  const int signal_number = stop_signals.Wait();
  wams::logging::LogInfo(absl::StrCat("signal ", signal_number, ": shutting down"));
  (*server)->Shutdown(kShutdownGrace);
  server->reset();
  wams::logging::LogInfo("stopped cleanly");
  return 0;
}
