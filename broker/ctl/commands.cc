#include "broker/ctl/commands.h"

#include <chrono>
#include <cstdlib>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/cli/command_line.h"
#include "broker/common/message_limits.h"
#include "broker/common/secret_file.h"
#include "broker/common/uuid.h"
#include "broker/ctl/command.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "policy/base/status_macros.h"

namespace wams::ctl {
namespace {

// Long enough for a provider round trip behind the broker (whose own
// provider deadline is shorter), short enough that a dead broker is noticed.
constexpr auto kDeadline = std::chrono::seconds(30);

constexpr char kGlobalOptions[] =
    R"(Global options (anywhere on the line; each also from the environment variable shown):
  --broker HOST:PORT    broker address            (WAMS_BROKER, default 127.0.0.1:7443)
  --cert FILE           your PEM certificate      (WAMS_CERT)
  --key FILE            your PEM private key      (WAMS_KEY)
  --ca FILE             the CA bundle to trust    (WAMS_CA)
  --professional ID     acting professional's id  (WAMS_PROFESSIONAL_ID)
  --json                print the answer (or a refusal's details) as JSON
  --help                help, for wamsctl or for one command
  --version             print the version (git commit, policy engine) and exit

Exit codes: 0 success, 1 refused or failed, 2 bad command line.
)";

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

const Command* FindCommand(const std::string& name) {
  for (const Command& command : AllCommands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

// The commands whose name starts with `prefix` ("" for all), as help lines.
std::string CommandList(const std::string& prefix) {
  size_t width = 0;
  for (const Command& command : AllCommands()) width = std::max(width, command.name.size());
  std::string list;
  for (const Command& command : AllCommands()) {
    if (!absl::StartsWith(command.name, prefix)) continue;
    absl::StrAppend(&list, "  ", command.name, std::string(width - command.name.size() + 2, ' '),
                    command.summary, "\n");
  }
  return list;
}

std::string TopHelp() {
  return absl::StrCat("usage: wamsctl [global options] COMMAND [flags]\n\n",
                      "A command line for Wams Broker: cases, data requests and case "
                      "conferences.\n\nCommands:\n",
                      CommandList(""), "\n", kGlobalOptions,
                      "\n`wamsctl COMMAND --help` shows a command's flags and an example.\n");
}

std::string GroupHelp(const std::string& group) {
  return absl::StrCat("usage: wamsctl ", group, " SUBCOMMAND [flags]\n\nSubcommands:\n",
                      CommandList(group + " "), "\n`wamsctl ", group,
                      " SUBCOMMAND --help` shows its flags.\n");
}

std::string CommandHelp(const Command& command) {
  std::string help =
      absl::StrCat("usage: wamsctl ", command.name, command.flags.empty() ? "" : " [flags]", "\n\n",
                   command.summary, "\n");
  if (!command.flags.empty()) absl::StrAppend(&help, "\nFlags:\n", FlagHelp(command.flags));
  absl::StrAppend(&help, "\nExample:\n  ", command.example, "\n\n", kGlobalOptions);
  return help;
}

bool IsGroup(const std::string& word) {
  return std::any_of(AllCommands().begin(), AllCommands().end(), [&](const Command& command) {
    return absl::StartsWith(command.name, word + " ");
  });
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
  std::string id = common::NewUuidV7();
  invocation.err << "wamsctl: request id " << id << " (retry with --request-id " << id << ")\n";
  return id;
}

absl::StatusOr<v1::Language> ParseLanguage(const ParsedFlags& flags) {
  if (!flags.Has("lang")) return v1::LANGUAGE_UNSPECIFIED;
  const std::string& code = flags.Get("lang");
  if (code == "en") return v1::LANGUAGE_ENGLISH;
  if (code == "nl") return v1::LANGUAGE_DUTCH;
  return ParseEnum<v1::Language>("lang", code);
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
                        common::ReadPublicFile(connection.ca_file, "--ca (WAMS_CA)"));
  WAMS_ASSIGN_OR_RETURN(options.pem_cert_chain,
                        common::ReadPublicFile(connection.cert_file, "--cert (WAMS_CERT)"));
  WAMS_ASSIGN_OR_RETURN(options.pem_private_key,
                        common::ReadPrivateFile(connection.key_file, "--key (WAMS_KEY)"));
  // The broker's largest response (a data response with the provider's
  // payload, a page of receipts) must fit: see common/message_limits.h.
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(common::kClientReceiveLimitBytes);
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
  const std::map<std::string, std::string*> global_values = {
      {"--broker", &connection.broker},
      {"--cert", &connection.cert_file},
      {"--key", &connection.key_file},
      {"--ca", &connection.ca_file},
      {"--professional", &connection.professional_id},
  };
  bool json = false;
  bool help = false;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (arg == "--version") {
      out << cli::VersionLine("wamsctl") << "\n";
      return kExitOk;
    } else if (arg == "--json") {
      json = true;
    } else if (auto global = global_values.find(name); global != global_values.end()) {
      if (equals != std::string::npos) {
        *global->second = arg.substr(equals + 1);
      } else if (i + 1 < args.size()) {
        *global->second = args[++i];
      } else {
        err << "wamsctl: option " << arg << " needs a value\n";
        return kExitUsage;
      }
    } else {
      rest.push_back(arg);
    }
  }

  // The command is the leading words: "request", or "case open".
  size_t words = 0;
  while (words < rest.size() && words < 2 && !absl::StartsWith(rest[words], "-")) ++words;
  const Command* command = nullptr;
  size_t used = 0;
  if (words >= 2) {
    command = FindCommand(absl::StrCat(rest[0], " ", rest[1]));
    used = 2;
  }
  if (command == nullptr && words >= 1) {
    command = FindCommand(rest[0]);
    used = 1;
  }

  if (command == nullptr) {
    if (words == 0) {
      if (!help && !rest.empty()) {
        err << "wamsctl: unknown option " << rest[0] << " (see wamsctl --help)\n";
        return kExitUsage;
      }
      (help ? out : err) << TopHelp();
      return help ? kExitOk : kExitUsage;
    }
    if (IsGroup(rest[0])) {
      if (help && words == 1) {
        out << GroupHelp(rest[0]);
        return kExitOk;
      }
      if (words == 1) {
        err << "wamsctl " << rest[0] << ": which one?\n" << GroupHelp(rest[0]);
      } else {
        err << "wamsctl: unknown command \"" << rest[0] << " " << rest[1] << "\"\n"
            << GroupHelp(rest[0]);
      }
      return kExitUsage;
    }
    err << "wamsctl: unknown command \"" << rest[0] << "\" (see wamsctl --help)\n";
    return kExitUsage;
  }
  if (help) {
    out << CommandHelp(*command);
    return kExitOk;
  }
  std::vector<std::string> flag_args(rest.begin() + static_cast<std::ptrdiff_t>(used), rest.end());
  absl::StatusOr<ParsedFlags> flags = ParseFlags(command->flags, flag_args);
  if (!flags.ok()) {
    err << "wamsctl " << command->name << ": " << flags.status().message() << "\n"
        << "(see wamsctl " << command->name << " --help)\n";
    return kExitUsage;
  }
  return command->run(Invocation{.command = command->name,
                                 .connection = connection,
                                 .json = json,
                                 .flags = *flags,
                                 .out = out,
                                 .err = err});
}

}  // namespace wams::ctl
