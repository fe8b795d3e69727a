#include "broker/base/cli/command_line.h"

#include <algorithm>
#include <iostream>

#include "broker/base/cli/build_info.h"

namespace wams::cli {
namespace {

// CLI11 ends the help with the footer as given, without a newline.
std::string EndLine(std::string text) {
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

}  // namespace

std::string VersionLine(std::string_view program) {
  return std::string(program) + " " + WAMS_VERSION + " (commit " + WAMS_GIT_COMMIT +
         ", policy engine " + WAMS_POLICY_ENGINE + ")";
}

void AddVersionFlag(CLI::App& app) {
  app.set_version_flag("--version", VersionLine(app.get_name()), "print the version and exit");
}

std::optional<int> Parse(CLI::App& app, std::vector<std::string> args, std::ostream& out,
                         std::ostream& err) {
  // CLI11 takes the arguments last first.
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
    return std::nullopt;
  } catch (const CLI::CallForHelp&) {
    out << EndLine(app.help());
  } catch (const CLI::CallForAllHelp&) {
    out << EndLine(app.help("", CLI::AppFormatMode::All));
  } catch (const CLI::CallForVersion& version) {
    out << version.what() << "\n";
  } catch (const CLI::ParseError& error) {
    // CLI11 checks required flags before it complains about unknown ones;
    // the unknown ones are the likelier mistake (a typo), so they come first.
    std::string message = error.what();
    if (std::vector<std::string> unknown = app.remaining(true); !unknown.empty()) {
      message = "unexpected argument";
      for (const std::string& argument : unknown) message += " " + argument;
    }
    err << app.get_name() << ": " << message << "\n"
        << "Run with --help for more information.\n";
    return kExitUsage;
  }
  return kExitOk;
}

std::optional<int> Parse(CLI::App& app, int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return Parse(app, std::move(args), std::cout, std::cerr);
}

}  // namespace wams::cli
