// Every binary behaves like its neighbours on the command line (issue 18
// point 5): `--help` and `--version` print to stdout and exit 0, `--version`
// names the version, the git commit and the policy engine; an unknown flag
// is a usage error, on stderr, exit 2. Real processes, one per case.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;

struct ProcessRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `binary` with `args`, stdout and stderr kept apart.
ProcessRun RunBinary(const std::string& binary, const std::vector<std::string>& args) {
  TempDir dir;
  std::string command = "exec '" + binary + "'";
  for (const std::string& arg : args) command += " '" + arg + "'";
  command += " >'" + dir.File("out") + "' 2>'" + dir.File("err") + "' </dev/null";
  std::string ignored;
  ProcessRun run;
  run.exit_code = RunCommand({"/bin/sh", "-c", command}, &ignored);
  run.out = ReadFile(dir.path() / "out");
  run.err = ReadFile(dir.path() / "err");
  return run;
}

std::vector<std::string> Binaries() {
  return absl::StrSplit(WAMS_CLI_BINARIES, ',', absl::SkipEmpty());
}

std::string NameOf(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).filename().string();
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

class CommandLineTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string program() const { return std::filesystem::path(GetParam()).filename().string(); }
};

TEST_P(CommandLineTest, HelpGoesToStdoutWithExitZero) {
  ProcessRun run = RunBinary(GetParam(), {"--help"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr(program()));
  EXPECT_THAT(run.out, HasSubstr("--version"));
  EXPECT_THAT(run.err, IsEmpty());
}

TEST_P(CommandLineTest, VersionNamesVersionCommitAndPolicyOnStdout) {
  ProcessRun run = RunBinary(GetParam(), {"--version"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  // e.g. "wams-broker 0.1.0 (commit 6db2f89, policy engine wams-policy-1)"
  EXPECT_THAT(run.out,
              MatchesRegex(program() + " [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit [0-9a-f]{7,}(-dirty)?, "
                                       "policy engine wams-policy-[0-9]+\\)\n"));
  EXPECT_THAT(run.err, IsEmpty());
}

TEST_P(CommandLineTest, UnknownFlagIsAUsageErrorOnStderrWithExitTwo) {
  ProcessRun run = RunBinary(GetParam(), {"--no-such-flag"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("--no-such-flag"));
  EXPECT_THAT(run.out, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(EveryBinary, CommandLineTest, ::testing::ValuesIn(Binaries()), NameOf);

}  // namespace
}  // namespace wams::testing
