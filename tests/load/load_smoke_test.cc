// Keeps the load tools working: wams-load drives a real wams-broker with the
// school's reference adapter, and the same client drives wams-passthrough in
// front of the same adapter, both over mutual TLS on loopback, for about a
// second each with a few calls in flight. Only correctness is asserted (every
// call succeeded, some completed, the report is well-formed); the figures on
// this shared machine are for tests/load/run-load.sh, not for a test.
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/adapters/adapter_harness.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {
namespace {

using ::testing::Gt;
using ::testing::HasSubstr;

std::string LoadBinary() { return WAMS_LOAD_BINARY; }
std::string PassthroughBinary() { return WAMS_PASSTHROUGH_BINARY; }

class LoadSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(school_.Start()) << school_.Log(); }

  // wams-load's flags for a short closed-loop run against 127.0.0.1:`port`
  // as the municipality.
  std::vector<std::string> LoadArgs(int port) const {
    const std::filesystem::path pki = broker_.pki_dir();
    return {LoadBinary(),
            "--target",
            absl::StrCat("127.0.0.1:", port),
            "--ca",
            (pki / "ca.crt").string(),
            "--cert",
            (pki / "municipality.crt").string(),
            "--key",
            (pki / "municipality.key").string(),
            "--provider-oin",
            kSchoolOin,
            "--categories",
            "enrolment,attendance",
            "--in-flight",
            "4",
            "--cases",
            "2",
            "--warmup",
            "200ms",
            "--duration",
            "1s",
            "--json"};
  }

  // Runs wams-load and returns its JSON report; the table goes to `log`.
  nlohmann::json RunLoad(const std::vector<std::string>& args) {
    Subprocess load(args, log_.File("load.log"));
    std::optional<std::string> line = load.ReadStdoutLine(absl::Seconds(60));
    EXPECT_EQ(load.Wait(), 0) << ReadFile(log_.File("load.log"));
    if (!line.has_value()) {
      ADD_FAILURE() << "no report: " << ReadFile(log_.File("load.log"));
      return nlohmann::json::object();
    }
    nlohmann::json report = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(report.is_discarded()) << *line;
    return report;
  }

  BrokerFixture broker_;
  ReferenceAdapter school_{broker_.pki_dir(), "school"};
  TempDir log_;
};

TEST_F(LoadSmokeTest, DrivesGrantedRequestsThroughTheBrokerWithoutErrors) {
  ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7453", school_.address()), 1);
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  std::vector<std::string> args = LoadArgs(broker_.port());
  for (std::string flag : {absl::StrCat("broker=", broker_.process().pid()),
                           absl::StrCat("adapter=", school_.process().pid())}) {
    args.push_back("--pid");
    args.push_back(flag);
  }

  nlohmann::json report = RunLoad(args);

  EXPECT_EQ(report.value("total_errors", -1), 0) << report.dump();
  EXPECT_EQ(report.value("unfinished", -1), 0) << report.dump();
  EXPECT_THAT(report.value("completed", 0), Gt(0)) << report.dump();
  EXPECT_THAT(report["latency_us"].value("samples", 0), Gt(0)) << report.dump();
  // Every named process was found and measured.
  for (const char* process : {"broker", "adapter", "wams-load"}) {
    EXPECT_GE(report["cpu_us_per_request"].value(process, -1.0), 0.0) << process;
  }
  // The broker really forwarded them: the adapter logged provided answers.
  EXPECT_NE(school_.Log().find("outcome=PROVIDER_ANSWER_STATUS_PROVIDED"), std::string::npos)
      << "the adapter logged no provided answer";
}

TEST_F(LoadSmokeTest, DrivesThePassthroughWithTheSameClient) {
  const std::filesystem::path pki = broker_.pki_dir();
  Subprocess passthrough({PassthroughBinary(), "--listen", "127.0.0.1:0", "--cert",
                          (pki / "broker.crt").string(), "--key", (pki / "broker.key").string(),
                          "--ca", (pki / "ca.crt").string(), "--upstream", school_.address()},
                         log_.File("passthrough.log"));
  std::optional<std::string> line = passthrough.ReadStdoutLine(absl::Seconds(30));
  constexpr std::string_view kPrefix = "listening on 127.0.0.1:";
  ASSERT_TRUE(line.has_value() && line->starts_with(kPrefix))
      << ReadFile(log_.File("passthrough.log"));
  int port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(line->substr(kPrefix.size()), &port));
  std::vector<std::string> args = LoadArgs(port);
  // The pass-through has no CaseService: any case id goes.
  args.insert(args.end(), {"--case-id", "passthrough-case", "--label", "passthrough"});

  nlohmann::json report = RunLoad(args);

  EXPECT_EQ(report.value("total_errors", -1), 0) << report.dump();
  EXPECT_THAT(report.value("completed", 0), Gt(0)) << report.dump();
  EXPECT_EQ(report.value("label", ""), "passthrough");
  EXPECT_EQ(passthrough.Stop(SIGTERM), 0);
}

// Two targets, the first down (port 1: nothing listens): the cases are opened
// and every call is answered by the second, with no failed call; each
// acknowledged call is recorded with its receipts' leaves and signed bytes.
TEST_F(LoadSmokeTest, GoesToTheNextTargetOnUnavailableAndRecordsTheAcknowledgedReceipts) {
  ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7453", school_.address()), 1);
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  std::vector<std::string> args = LoadArgs(broker_.port());
  const std::string acks = log_.File("acks");
  args[2] = absl::StrCat("127.0.0.1:1,127.0.0.1:", broker_.port());
  args.insert(args.end(), {"--acks", acks});

  nlohmann::json report = RunLoad(args);

  EXPECT_EQ(report.value("total_errors", -1), 0) << report.dump();
  EXPECT_THAT(report.value("completed", 0), Gt(0)) << report.dump();
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(ReadFile(acks), '\n', absl::SkipEmpty())) {
    // ACK unix_ms target request_id decision_leaf decision answer_leaf answer
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    ASSERT_EQ(f.size(), 8u) << line;
    EXPECT_EQ(f[2], "1") << "answered by the second target: " << line;
    std::string bytes;
    v1::Receipt decision;
    ASSERT_TRUE(absl::Base64Unescape(f[5], &bytes)) << line;
    ASSERT_TRUE(decision.ParseFromString(bytes)) << line;
    EXPECT_EQ(decision.request_id(), f[3]);
    EXPECT_EQ(decision.kind(), v1::RECEIPT_KIND_DECISION);
    v1::Receipt answer;
    ASSERT_TRUE(absl::Base64Unescape(f[7], &bytes)) << line;
    ASSERT_TRUE(answer.ParseFromString(bytes)) << line;
    EXPECT_EQ(answer.kind(), v1::RECEIPT_KIND_PROVIDER_ANSWER);
    EXPECT_EQ(absl::StrCat(answer.decision_leaf_index()), f[4]) << line;
    ++lines;
  }
  EXPECT_EQ(lines, report.value("total_calls", -1)) << "one line per acknowledged call";
}

TEST_F(LoadSmokeTest, RefusesToRunWithoutClientCertificate) {
  std::string output;
  int code = RunCommand({LoadBinary(), "--target", "127.0.0.1:1", "--ca", "ca.crt"}, &output);

  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("--cert is required"));
}

}  // namespace
}  // namespace wams::testing
