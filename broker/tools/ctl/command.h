// command.h: how a wamsctl command is described and run. Each command is one
// row of a table (name, summary, flags, example, run function); Run builds
// the CLI11 subcommand tree and the --help text from the tables and calls the
// chosen command's run function with its parsed flags.
//
//   Command{.name = "case close",
//           .summary = "close a case (R10)",
//           .flags = [](CLI::App& command) {
//             Text(command, "case", "ID", "the case")->required();
//           },
//           .example = "wamsctl case close --case 0190... --reason \"...\"",
//           .run = [](const Invocation& inv) {
//             v1::CloseCaseRequest request;
//             request.set_case_id(inv.flags.Get("case"));
//             return Call<v1::CaseResponse>(inv, ..., PrintCaseResponse);
//           }};
#ifndef WAMS_BROKER_TOOLS_CTL_COMMAND_H_
#define WAMS_BROKER_TOOLS_CTL_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/base/cli/command_line.h"
#include "broker/tools/ctl/command_flags.h"
#include "broker/tools/ctl/commands.h"
#include "broker/tools/ctl/enum_names.h"
#include "broker/tools/ctl/output.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "wams/broker/v1/conference.pb.h"
#include "wams/broker/v1/exchange.pb.h"

namespace wams::ctl {

inline constexpr int kExitOk = cli::kExitOk;
inline constexpr int kExitFailed = 1;               // refused, or the broker or TLS failed
inline constexpr int kExitUsage = cli::kExitUsage;  // bad command line

// Everything a command's run function sees.
struct Invocation {
  const std::string& command;  // e.g. "case open"
  const Connection& connection;
  bool json;
  const FlagValues& flags;
  std::ostream& out;
  std::ostream& err;
};

struct Command {
  // One or two words, e.g. "whoami", "case open".
  std::string name;
  // One line, shown in the command list.
  std::string summary;
  // Declares the command's flags on its CLI11 subcommand (command_flags.h).
  // Default: none.
  std::function<void(CLI::App&)> flags;
  // One example command line, shown in the command's help.
  std::string example;
  // Returns the exit code.
  std::function<int(const Invocation&)> run;
};

// The command tables, by file.
std::vector<Command> CaseCommands();
std::vector<Command> ExchangeCommands();
std::vector<Command> ConferenceCommands();
std::vector<Command> AuditCommands();

// Prints "wamsctl COMMAND: message" and a pointer to the command's help;
// returns kExitUsage.
int UsageError(const Invocation& invocation, const std::string& message);

// The --request-id flag, or a fresh UUIDv7 that is printed to `err` so the
// user can retry the same request with it (the broker answers a retry with
// the same outcome).
std::string RequestIdOrNew(const Invocation& invocation);

// Adds each value of the repeated enum flag `flag` through `add`. The flag's
// EnumName check has let only known values through; INVALID_ARGUMENT naming
// the flag all the same for one that has none.
template <typename Enum, typename Add>
absl::Status AddEnums(const FlagValues& flags, const std::string& flag, Add add) {
  for (const std::string& text : flags.GetAll(flag)) {
    absl::StatusOr<Enum> value = ParseEnum<Enum>(flag, text);
    if (!value.ok()) return value.status();
    add(*value);
  }
  return absl::OkStatus();
}

// --lang: "en" and "nl" (what people type) or a Language name; unset when
// absent. INVALID_ARGUMENT naming the flag.
absl::StatusOr<v1::Language> ParseLanguage(const FlagValues& flags);

// The CLI11 check of --lang: "en", "nl" or a Language name (ParseLanguage).
CLI::Validator LanguageName();

// A TLS channel with the connection's identity. INVALID_ARGUMENT when a TLS
// file is not named; the file readers' errors when one cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const Connection& connection);

// Deadline and the professional-id metadata.
void PrepareContext(const Connection& connection, grpc::ClientContext* context);

// The exit code for a successful answer: 1 when the answer itself says no
// (a dry run that would be refused, onward use not allowed), else 0.
inline int ExitCodeFor(const v1::CheckResponse& response) {
  return response.decision().allowed() ? kExitOk : kExitFailed;
}
inline int ExitCodeFor(const v1::OnwardUseResponse& response) {
  return response.allowed() ? kExitOk : kExitFailed;
}
template <typename Response>
int ExitCodeFor(const Response& /*response*/) {
  return kExitOk;
}

// Opens a channel, runs `call(channel, context, &response)`, and prints the
// response (as JSON with --json, else with `print`) or the refusal with its
// details. Returns the exit code.
template <typename Response, typename CallFn, typename PrintFn>
int Call(const Invocation& invocation, CallFn call, PrintFn print) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(invocation.connection);
  if (!channel.ok()) {
    invocation.err << "wamsctl: " << channel.status().message() << "\n";
    return channel.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  grpc::ClientContext context;
  PrepareContext(invocation.connection, &context);
  Response response;
  grpc::Status status = call(*channel, &context, &response);
  if (!status.ok()) {
    ReportRpcError(status, invocation.json, invocation.out, invocation.err);
    return kExitFailed;
  }
  if (invocation.json) {
    invocation.out << ToJson(response) << "\n";
  } else {
    print(response, invocation.out);
  }
  return ExitCodeFor(response);
}

}  // namespace wams::ctl

#define WAMS_CTL_USAGE_IF_ERROR(invocation, expr)                                            \
  do {                                                                                       \
    if (const absl::Status& wams_ctl_status_ = (expr); !wams_ctl_status_.ok()) {             \
      return ::wams::ctl::UsageError((invocation), std::string(wams_ctl_status_.message())); \
    }                                                                                        \
  } while (false)

#endif  // WAMS_BROKER_TOOLS_CTL_COMMAND_H_
