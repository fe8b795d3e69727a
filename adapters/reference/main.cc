// wams-adapter: the reference adapter, one party's ProviderService.
//
//   wams-adapter --config adapters/config/school.textproto
//   wams-adapter --help | --version
//
// --help and --version print on stdout and exit 0; a bad command line exits 2
// on stderr (broker/base/cli/command_line.h, the bottom layer adapters share).
// Reads and validates the AdapterConfig (a bad config, or a TLS or records
// file it names that cannot be used, exits 2 naming the field), starts the
// mTLS gRPC server, prints "listening on HOST:PORT" on stdout, and on SIGTERM
// or SIGINT lets in-flight calls finish and exits 0. Logs go to stderr, one
// line per request, never with a BSN or data.
#include <iostream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "adapters/reference/adapter_config.h"
#include "adapters/sdk/provider_server.h"
#include "broker/base/cli/command_line.h"
#include "broker/base/logging/log.h"
#include "broker/base/stop_signals.h"

namespace {

constexpr int kExitConfigError = 2;
constexpr int kExitStartError = 1;
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

constexpr char kExitCodes[] =
    "Exit codes: 0 stopped cleanly (SIGTERM, SIGINT), 1 cannot start,\n"
    "2 bad command line or config (a field, or a TLS or records file it names).";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Runs one party's adapter with the AdapterConfig in FILE (textproto, or JSON).",
               "wams-adapter");
  wams::cli::AddVersionFlag(app);
  app.footer(kExitCodes);
  std::string config_path;
  app.add_option("--config", config_path, "the AdapterConfig")->option_text("FILE")->required();
  std::string log_format = "json";
  app.add_option("--log-format", log_format,
                 "json (the default: one JSON object a line on stderr) or text")
      ->check(CLI::IsMember({"json", "text"}));
  if (std::optional<int> done = wams::cli::Parse(app, argc, argv)) return *done;
  wams::logging::SetProgram("wams-adapter");
  wams::logging::SetFormat(log_format == "text" ? wams::logging::Format::kText
                                                : wams::logging::Format::kJson);

  // Before any thread starts, so every thread inherits the blocked mask.
  const wams::base::StopSignals stop_signals;

  absl::StatusOr<wams::adapters::AdapterConfig> config =
      wams::adapters::LoadAdapterConfig(config_path);
  if (!config.ok()) {
    wams::logging::LogError(absl::StrCat("invalid config: ", config.status().message()));
    return kExitConfigError;
  }
  absl::Status files = wams::adapters::CheckTlsFiles(*config);
  if (!files.ok()) {
    wams::logging::LogError(absl::StrCat("invalid config: ", files.message()));
    return kExitConfigError;
  }
  absl::StatusOr<wams::adapters::AdapterParts> parts = wams::adapters::BuildAdapter(*config);
  if (!parts.ok()) {
    wams::logging::LogError(absl::StrCat("invalid config: ", parts.status().message()));
    return kExitConfigError;
  }

  absl::StatusOr<std::unique_ptr<wams::adapters::ProviderServer>> server =
      wams::adapters::ProviderServer::Start(std::move(parts->options), std::move(parts->backend));
  if (!server.ok()) {
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
  wams::logging::LogInfo(absl::StrCat(config->party_name(), " adapter serving ",
                                      config->categories_size(), " categories on port ",
                                      (*server)->port(), " for broker ", config->broker_oin()));

  const int signal_number = stop_signals.Wait();
  wams::logging::LogInfo(absl::StrCat("signal ", signal_number, ": shutting down"));
  (*server)->Shutdown(kShutdownGrace);
  server->reset();
  wams::logging::LogInfo("stopped cleanly");
  return 0;
}
