// wamsctl_runner.h: runs the real wamsctl binary with a clean environment and
// its stdout and stderr kept apart (so --json output can be parsed).
//
//   CliResult result = RunWamsctl({"whoami"}, {"WAMS_CERT=/tmp/x/ggz.crt", ...});
//   EXPECT_EQ(result.exit_code, 0) << result.err;
#ifndef WAMS_TESTS_CTL_WAMSCTL_RUNNER_H_
#define WAMS_TESTS_CTL_WAMSCTL_RUNNER_H_

#include <string>
#include <vector>

namespace wams::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The built wamsctl (a compile definition).
std::string WamsctlBinary();

// Runs wamsctl with `args` and exactly the environment `env` ("NAME=value").
CliResult RunWamsctl(const std::vector<std::string>& args, const std::vector<std::string>& env);

}  // namespace wams::testing

#endif  // WAMS_TESTS_CTL_WAMSCTL_RUNNER_H_
