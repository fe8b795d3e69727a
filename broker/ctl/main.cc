// wamsctl: the integrator's and operator's command line for Wams Broker.
//
//   wamsctl [--broker HOST:PORT] [--cert FILE --key FILE --ca FILE]
//           [--professional ID] [--json] COMMAND
//
// The TLS identity comes from flags or from the environment (WAMS_BROKER,
// WAMS_CERT, WAMS_KEY, WAMS_CA, WAMS_PROFESSIONAL_ID). Exit codes: 0 success,
// 1 the broker answered with an error (printed with its gRPC code), 2 usage.
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/ctl/commands.h"

namespace {

constexpr char kUsage[] = R"(usage: wamsctl [options] COMMAND

Commands:
  whoami      show the party the broker matches to your certificate

Options (each also from the environment variable shown):
  --broker HOST:PORT    broker address            (WAMS_BROKER, default 127.0.0.1:7443)
  --cert FILE           your PEM certificate      (WAMS_CERT)
  --key FILE            your PEM private key      (WAMS_KEY)
  --ca FILE             the CA bundle to trust    (WAMS_CA)
  --professional ID     acting professional's id  (WAMS_PROFESSIONAL_ID)
  --json                print the answer as JSON
  --help                this text
)";

std::string FromEnv(const char* name, const char* fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  wams::ctl::Connection connection{
      .broker = FromEnv("WAMS_BROKER", "127.0.0.1:7443"),
      .cert_file = FromEnv("WAMS_CERT"),
      .key_file = FromEnv("WAMS_KEY"),
      .ca_file = FromEnv("WAMS_CA"),
      .professional_id = FromEnv("WAMS_PROFESSIONAL_ID"),
  };
  bool json = false;
  std::vector<std::string> words;
  const std::map<std::string, std::string*> value_flags = {
      {"--broker", &connection.broker},
      {"--cert", &connection.cert_file},
      {"--key", &connection.key_file},
      {"--ca", &connection.ca_file},
      {"--professional", &connection.professional_id},
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--json") {
      json = true;
    } else if (auto flag = value_flags.find(arg); flag != value_flags.end()) {
      if (i + 1 >= argc) {
        std::cerr << "wamsctl: " << arg << " needs a value\n" << kUsage;
        return 2;
      }
      *flag->second = argv[++i];
    } else if (arg.starts_with("--")) {
      std::cerr << "wamsctl: unknown option " << arg << "\n" << kUsage;
      return 2;
    } else {
      words.push_back(arg);
    }
  }
  if (words.size() != 1) {
    std::cerr << kUsage;
    return 2;
  }
  return wams::ctl::RunCommand(words.front(), connection, json, std::cout, std::cerr);
}
