#include "broker/tools/ctl/commands.h"

#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/cli/command_line.h"
#include "broker/base/message_limits.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "broker/base/uuid.h"
#include "broker/tools/ctl/command.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace wams::ctl {
namespace {

// Long enough for a provider round trip behind the broker (whose own
// provider deadline is shorter), short enough that a dead broker is noticed.
constexpr auto kDeadline = std::chrono::seconds(30);

// Under the top-level help; exit code 1 is wamsctl's own, 0 and 2 every
// binary's (broker/base/cli).
constexpr char kTopFooter[] =
    "Global options may appear anywhere on the line; --broker, --cert, --key, --ca and\n"
    "--professional default to WAMS_BROKER, WAMS_CERT, WAMS_KEY, WAMS_CA and\n"
    "WAMS_PROFESSIONAL_ID. `wamsctl COMMAND --help` shows a command's flags and an example.\n\n"
    "Exit codes: 0 success, 1 refused or failed (or the answer is no), 2 bad command line.";

// Under each command's help: its flags are shown, the global ones are not.
constexpr char kCommandFooter[] =
    "Global options (--broker, --cert, --key, --ca, --professional, --json) may appear\n"
    "anywhere: see wamsctl --help. Exit codes: 0 success, 1 refused or failed, 2 bad\n"
    "command line.";

std::string FromEnv(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::move(fallback);
}

const std::vector<Command>& AllCommands() {
  static const auto* const kAll = [] {
    auto* all = new std::vector<Command>(ExchangeCommands());
    for (auto group : {CaseCommands(), ConferenceCommands(), AuditCommands()}) {
      for (Command& command : group) all->push_back(std::move(command));
    }
    return all;
  }();
  return *kAll;
}

// The options every command takes; they override `connection`.
void AddGlobalOptions(CLI::App& app, Connection& connection, bool& json) {
  app.add_option("--broker", connection.broker,
                 "broker address (WAMS_BROKER, default 127.0.0.1:7443)")
      ->option_text("HOST:PORT");
  app.add_option("--cert", connection.cert_file, "your PEM certificate (WAMS_CERT)")
      ->option_text("FILE");
  app.add_option("--key", connection.key_file, "your PEM private key, mode 0600 (WAMS_KEY)")
      ->option_text("FILE");
  app.add_option("--ca", connection.ca_file, "the CA bundle to trust (WAMS_CA)")
      ->option_text("FILE");
  app.add_option("--professional", connection.professional_id,
                 "acting professional's id (WAMS_PROFESSIONAL_ID)")
      ->option_text("ID");
  app.add_flag("--json", json, "print the answer (or a refusal's details) as JSON");
}

// The command tree: "whoami" directly under wamsctl, "case open" under the
// group "case". Returns each command's subcommand with its row.
std::map<const CLI::App*, const Command*> AddCommands(CLI::App& app) {
  std::map<const CLI::App*, const Command*> commands;
  std::map<std::string, CLI::App*> groups;
  std::map<std::string, std::vector<std::string>> group_members;
  for (const Command& command : AllCommands()) {
    CLI::App* parent = &app;
    std::string name = command.name;
    if (size_t space = name.find(' '); space != std::string::npos) {
      const std::string group = name.substr(0, space);
      name = name.substr(space + 1);
      CLI::App*& group_app = groups[group];
      if (group_app == nullptr) {
        group_app = app.add_subcommand(group);
        group_app->require_subcommand(1);
        group_app->footer(absl::StrCat("`wamsctl ", group, " SUBCOMMAND --help` shows its flags."));
      }
      parent = group_app;
      group_members[group].push_back(name);
    }
    CLI::App* sub = parent->add_subcommand(name, command.summary);
    sub->footer(absl::StrCat("Example:\n  ", command.example, "\n\n", kCommandFooter));
    if (command.flags) command.flags(*sub);
    commands[sub] = &command;
  }
  // The top-level help lists the groups; their line names every member.
  for (const auto& [group, members] : group_members) {
    groups[group]->description(absl::StrCat(group, " commands: ", absl::StrJoin(members, ", ")));
  }
  return commands;
}

}  // namespace

Connection ConnectionFromEnvironment() {
  Connection defaults;
  return Connection{
      .broker = FromEnv("WAMS_BROKER", defaults.broker),
      .cert_file = FromEnv("WAMS_CERT", ""),
      .key_file = FromEnv("WAMS_KEY", ""),
      .ca_file = FromEnv("WAMS_CA", ""),
      .professional_id = FromEnv("WAMS_PROFESSIONAL_ID", ""),
  };
}

int UsageError(const Invocation& invocation, const std::string& message) {
  invocation.err << "wamsctl " << invocation.command << ": " << message << "\n"
                 << "(see wamsctl " << invocation.command << " --help)\n";
  return kExitUsage;
}

std::string RequestIdOrNew(const Invocation& invocation) {
  if (invocation.flags.Has("request-id")) return invocation.flags.Get("request-id");
  std::string id = base::NewUuidV7();
  invocation.err << "wamsctl: request id " << id << " (retry with --request-id " << id << ")\n";
  return id;
}

absl::StatusOr<v1::Language> ParseLanguage(const FlagValues& flags) {
  if (!flags.Has("lang")) return v1::LANGUAGE_UNSPECIFIED;
  const std::string& code = flags.Get("lang");
  if (code == "en") return v1::LANGUAGE_ENGLISH;
  if (code == "nl") return v1::LANGUAGE_DUTCH;
  return ParseEnum<v1::Language>("lang", code);
}

CLI::Validator LanguageName() {
  const CLI::Validator enum_name = EnumName<v1::Language>();
  return CLI::Validator(
      [enum_name](std::string& code) -> std::string {
        if (code == "en" || code == "nl") return "";
        std::string message = enum_name(code);
        return message.empty() ? "" : message + " (or en, nl)";
      },
      "");
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const Connection& connection) {
  for (const auto& [value, flag] : {std::pair{&connection.cert_file, "--cert (or WAMS_CERT)"},
                                    std::pair{&connection.key_file, "--key (or WAMS_KEY)"},
                                    std::pair{&connection.ca_file, "--ca (or WAMS_CA)"}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat("no TLS identity: give ", flag));
    }
  }
  grpc::SslCredentialsOptions options;
  WAMS_ASSIGN_OR_RETURN(options.pem_root_certs,
                        base::ReadPublicFile(connection.ca_file, "--ca (WAMS_CA)"));
  WAMS_ASSIGN_OR_RETURN(options.pem_cert_chain,
                        base::ReadPublicFile(connection.cert_file, "--cert (WAMS_CERT)"));
  WAMS_ASSIGN_OR_RETURN(options.pem_private_key,
                        base::ReadPrivateFile(connection.key_file, "--key (WAMS_KEY)"));
  // The broker's largest response (a data response with the provider's
  // payload, a page of receipts) must fit: see common/message_limits.h.
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(base::kClientReceiveLimitBytes);
  return grpc::CreateCustomChannel(connection.broker, grpc::SslCredentials(options), arguments);
}

void PrepareContext(const Connection& connection, grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + kDeadline);
  if (!connection.professional_id.empty()) {
    context->AddMetadata("x-wams-professional-id", connection.professional_id);
  }
}

int Run(const std::vector<std::string>& args, Connection connection, std::ostream& out,
        std::ostream& err) {
  CLI::App app("A command line for Wams Broker: cases, data requests and case conferences.",
               "wamsctl");
  cli::AddVersionFlag(app);
  app.footer(kTopFooter);
  app.require_subcommand(1);
  // Global options anywhere: a subcommand passes the options it does not
  // know up to wamsctl. Set before the subcommands, which inherit it.
  app.fallthrough();
  bool json = false;
  AddGlobalOptions(app, connection, json);
  const std::map<const CLI::App*, const Command*> commands = AddCommands(app);

  if (std::optional<int> done = cli::Parse(app, args, out, err)) return *done;
  // Parse went on, so every group on the line has its one subcommand.
  const CLI::App* chosen = &app;
  while (!chosen->get_subcommands().empty()) chosen = chosen->get_subcommands().front();
  const Command& command = *commands.at(chosen);
  const FlagValues flags(*chosen);
  return command.run(Invocation{.command = command.name,
                                .connection = connection,
                                .json = json,
                                .flags = flags,
                                .out = out,
                                .err = err});
}

}  // namespace wams::ctl
