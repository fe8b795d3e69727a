// The Prometheus endpoints of a real wams-broker and a real wams-adapter
// (the school's), scraped over loopback while real calls run: the counters
// move with a granted request, a refusal citing its rule and the provider
// call it made; connections that never finish a handshake are counted as
// handshaking; nothing personal is in a label; and every metric that the
// alert rules and the dashboard in deploy/monitoring/ use is exported.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/adapters/adapter_harness.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/client_case.h"
#include "tests/testing/dev_parties.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kBsn[] = "111222333";
constexpr char kMetricsLine[] = "metrics_address: \"127.0.0.1:0\"\n";
// Long enough that the raw connections of the handshaking test stay open
// until the test closes them, however slow the machine.
constexpr char kBrokerHandshakeTimeout[] = "handshake_timeout { seconds: 120 }";
constexpr char kAdapterHandshakeTimeout[] =
    "connection_limits { handshake_timeout { seconds: 120 } }\n";

// The port of a "metrics on 127.0.0.1:PORT" line, or 0.
int MetricsPort(Subprocess& process) {
  std::optional<std::string> line = process.ReadStdoutLine(absl::Seconds(30));
  constexpr std::string_view kPrefix = "metrics on 127.0.0.1:";
  int port = 0;
  if (!line.has_value() || !line->starts_with(kPrefix) ||
      !absl::SimpleAtoi(line->substr(kPrefix.size()), &port)) {
    return 0;
  }
  return port;
}

// GET /metrics; the exposition text, or "" when the endpoint did not answer.
std::string Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  httplib::Result result = client.Get("/metrics");
  if (!result || result->status != 200) return "";
  return result->body;
}

// The exposition text as series ("name{labels}") to value.
std::map<std::string, double> Series(const std::string& text) {
  std::map<std::string, double> series;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    size_t space = line.rfind(' ');
    double value = 0;
    if (space == absl::string_view::npos || !absl::SimpleAtod(line.substr(space + 1), &value)) {
      continue;
    }
    series[std::string(line.substr(0, space))] = value;
  }
  return series;
}

// The sum of the series of `name` whose labels include every one of
// `labels` (each `key="value"`).
double Sum(const std::map<std::string, double>& series, const std::string& name,
           const std::vector<std::string>& labels = {}) {
  double sum = 0;
  for (const auto& [key, value] : series) {
    if (key != name && !key.starts_with(name + "{")) continue;
    bool all = true;
    for (const std::string& label : labels) all = all && key.find(label) != std::string::npos;
    if (all) sum += value;
  }
  return sum;
}

using SeriesMap = std::map<std::string, double>;

// Scrapes `port` until `done` holds, at most a minute (the gauges move at the
// listener's sweep, every second); the last series.
SeriesMap ScrapeUntil(int port, const std::function<bool(const SeriesMap&)>& done) {
  const absl::Time deadline = absl::Now() + absl::Minutes(1);
  SeriesMap series = Series(Scrape(port));
  while (!done(series) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
    series = Series(Scrape(port));
  }
  return series;
}

double Handshaking(const SeriesMap& series) { return Sum(series, "wams_connections_handshaking"); }

// A TCP connection to 127.0.0.1:`port` that never starts a TLS handshake,
// or -1.
int RawConnection(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The metric families a scrape declares (# TYPE lines).
std::set<std::string> Families(const std::string& text) {
  std::set<std::string> names;
  std::regex type_line(R"(^# TYPE (\S+) (\S+)$)");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, type_line)) continue;
    names.insert(m[1]);
    if (m[2] == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(m[1].str() + suffix);
    }
  }
  return names;
}

// Every wams_* name in `file`.
std::set<std::string> MetricNamesIn(const std::string& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  std::set<std::string> names;
  std::regex name(R"(\bwams_[a-z0-9_]+)");
  for (auto it = std::sregex_iterator(all.begin(), all.end(), name); it != std::sregex_iterator();
       ++it) {
    names.insert(it->str());
  }
  return names;
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    school_ = std::make_unique<ReferenceAdapter>(
        broker_.pki_dir(), "school",
        std::vector<std::pair<std::string, std::string>>{
            {"broker_oin:", absl::StrCat(kMetricsLine, kAdapterHandshakeTimeout, "broker_oin:")}});
    ASSERT_TRUE(school_->Start()) << school_->Log();
    adapter_metrics_port_ = MetricsPort(school_->process());
    ASSERT_NE(adapter_metrics_port_, 0) << school_->Log();
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7453", school_->address()), 1);
    ASSERT_EQ(broker_.ReplaceInConfig("data_dir:", absl::StrCat(kMetricsLine, "data_dir:")), 1);
    ASSERT_EQ(broker_.ReplaceInConfig("handshake_timeout { seconds: 5 }", kBrokerHandshakeTimeout),
              1);
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
    broker_metrics_port_ = MetricsPort(broker_.process());
    ASSERT_NE(broker_metrics_port_, 0) << ReadFile(broker_.log_path());
  }

  grpc::Status RequestFromSchool(const std::string& case_id, v1::Purpose purpose) {
    v1::DataRequest request;
    request.set_request_id(absl::StrCat("req-", ++next_request_));
    request.set_case_id(case_id);
    request.set_subject_bsn(kBsn);
    request.set_provider_oin(kSchoolOin);
    request.set_purpose(purpose);
    request.add_categories("attendance");
    request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
    v1::DataResponse response;
    return v1::ExchangeService::NewStub(broker_.Channel("municipality"))
        ->RequestData(&context, request, &response);
  }

  // A granted request answered by the school, and one refused citing R08.
  void GrantedAndRefused() {
    std::string case_id = OpenClientCase(broker_, "open-1", kBsn, {v1::DOMAIN_EDUCATION});
    grpc::Status granted = RequestFromSchool(case_id, v1::PURPOSE_RESEARCH);
    ASSERT_TRUE(granted.ok()) << granted.error_message();
    grpc::Status refused = RequestFromSchool(case_id, v1::PURPOSE_FRAUD_CONTROL);
    ASSERT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    ASSERT_THAT(refused.error_message(), HasSubstr("R08"));
  }

  BrokerFixture broker_;
  std::unique_ptr<ReferenceAdapter> school_;
  int broker_metrics_port_ = 0;
  int adapter_metrics_port_ = 0;
  int next_request_ = 0;
};

TEST_F(MetricsEndpointTest, CountersMoveWithRealCalls) {
  std::map<std::string, double> before = Series(Scrape(broker_metrics_port_));
  ASSERT_FALSE(before.empty());

  GrantedAndRefused();

  std::string text = Scrape(broker_metrics_port_);
  std::map<std::string, double> after = Series(text);
  auto moved = [&](const std::string& name, const std::vector<std::string>& labels) {
    return Sum(after, name, labels) - Sum(before, name, labels);
  };
  const std::string exchange = R"(grpc_service="wams.broker.v1.ExchangeService")";
  const std::string request_data = R"(grpc_method="RequestData")";
  EXPECT_EQ(moved("wams_grpc_server_handled_total", {exchange, request_data, R"(grpc_code="OK")"}),
            1);
  EXPECT_EQ(moved("wams_grpc_server_handled_total",
                  {exchange, request_data, R"(grpc_code="PERMISSION_DENIED")"}),
            1);
  EXPECT_EQ(moved("wams_receipts_total", {R"(kind="decision")", R"(outcome="granted")"}), 1);
  EXPECT_EQ(moved("wams_receipts_total", {R"(kind="decision")", R"(outcome="refused")"}), 1);
  EXPECT_EQ(moved("wams_receipts_total", {R"(kind="provider_answer")", R"(outcome="delivered")"}),
            1);
  EXPECT_EQ(moved("wams_receipt_failed_rules_total", {R"(kind="decision")", R"(rule="R08")"}), 1);
  const std::string school = absl::StrCat("provider_oin=\"", kSchoolOin, "\"");
  EXPECT_EQ(moved("wams_provider_call_seconds_count", {school}), 1);
  EXPECT_EQ(moved("wams_provider_calls_total", {school, R"(grpc_code="OK")"}), 1);
  EXPECT_GE(moved("wams_ledger_commit_receipts_sum", {}), 3);
  EXPECT_GE(moved("wams_ledger_append_seconds_count", {}), 3);
  EXPECT_GE(Sum(after, "wams_ledger_tree_size"), 3);
  EXPECT_EQ(Sum(after, "wams_storage_writer"), 1);
  EXPECT_GT(Sum(after, "wams_storage_free_bytes"), Sum(after, "wams_storage_reserve_bytes"));
  EXPECT_GE(Sum(after, "wams_open_connections"), 1);
  // The municipality's calls were admitted; no limit is configured, so none refused.
  EXPECT_EQ(Sum(after, "wams_admission_refusals_total"), 0);
  // Nothing personal: not the BSN, not the case or request ids.
  EXPECT_THAT(text, Not(HasSubstr(kBsn)));
  EXPECT_THAT(text, Not(HasSubstr("req-1")));

  // The adapter counted the one Deliver it answered.
  std::map<std::string, double> adapter = Series(Scrape(adapter_metrics_port_));
  EXPECT_EQ(Sum(adapter, "wams_grpc_server_handled_total",
                {R"(grpc_service="wams.broker.v1.ProviderService")", R"(grpc_method="Deliver")",
                 R"(grpc_code="OK")"}),
            1);
  EXPECT_GE(Sum(adapter, "wams_open_connections"), 1);
}

TEST_F(MetricsEndpointTest, BrokerCountsConnectionsThatCarriedNoCallAsHandshaking) {
  auto none = [](const SeriesMap& s) { return Handshaking(s) == 0; };
  // The fixture's start-up check carried a call on its connection.
  ASSERT_EQ(Handshaking(ScrapeUntil(broker_metrics_port_, none)), 0);

  std::vector<int> raw;
  for (int i = 0; i < 3; ++i) raw.push_back(RawConnection(broker_.port()));
  for (int fd : raw) ASSERT_GE(fd, 0);
  SeriesMap series =
      ScrapeUntil(broker_metrics_port_, [](const SeriesMap& s) { return Handshaking(s) == 3; });
  EXPECT_EQ(Handshaking(series), 3);
  const double open = Sum(series, "wams_open_connections");
  EXPECT_GE(open, 3);

  // A new client's connection: it handshakes, carries a call, and is then
  // open but no longer handshaking.
  grpc::ChannelArguments own_connection;
  own_connection.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFile(broker_.pki_dir() / "ca.crt");
  tls.pem_cert_chain = ReadFile(broker_.pki_dir() / "municipality.crt");
  tls.pem_private_key = ReadFile(broker_.pki_dir() / "municipality.key");
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", broker_.port()),
                                           grpc::SslCredentials(tls), own_connection);
  grpc::Status granted;
  {
    std::string case_id = OpenClientCase(broker_, "open-1", kBsn, {v1::DOMAIN_EDUCATION});
    v1::DataRequest request;
    request.set_request_id("req-handshake");
    request.set_case_id(case_id);
    request.set_subject_bsn(kBsn);
    request.set_provider_oin(kSchoolOin);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    request.add_categories("attendance");
    request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
    v1::DataResponse response;
    granted = v1::ExchangeService::NewStub(channel)->RequestData(&context, request, &response);
  }
  ASSERT_TRUE(granted.ok()) << granted.error_message();
  series = ScrapeUntil(broker_metrics_port_, [open](const SeriesMap& s) {
    return Sum(s, "wams_open_connections") >= open + 1 && Handshaking(s) == 3;
  });
  EXPECT_GE(Sum(series, "wams_open_connections"), open + 1);
  EXPECT_EQ(Handshaking(series), 3);

  for (int fd : raw) close(fd);
  EXPECT_EQ(Handshaking(ScrapeUntil(broker_metrics_port_, none)), 0);
}

TEST_F(MetricsEndpointTest, AdapterCountsConnectionsThatCarriedNoCallAsHandshaking) {
  auto none = [](const SeriesMap& s) { return Handshaking(s) == 0; };
  ASSERT_EQ(Handshaking(ScrapeUntil(adapter_metrics_port_, none)), 0);

  std::vector<int> raw;
  for (int i = 0; i < 2; ++i) raw.push_back(RawConnection(school_->port()));
  for (int fd : raw) ASSERT_GE(fd, 0);
  EXPECT_EQ(Handshaking(ScrapeUntil(adapter_metrics_port_,
                                    [](const SeriesMap& s) { return Handshaking(s) == 2; })),
            2);

  // The broker's connection to the adapter carries the granted request's
  // Deliver: open, not handshaking.
  GrantedAndRefused();
  SeriesMap series = ScrapeUntil(adapter_metrics_port_, [](const SeriesMap& s) {
    return Sum(s, "wams_open_connections") >= 3 && Handshaking(s) == 2;
  });
  EXPECT_GE(Sum(series, "wams_open_connections"), 3);
  EXPECT_EQ(Handshaking(series), 2);

  for (int fd : raw) close(fd);
  EXPECT_EQ(Handshaking(ScrapeUntil(adapter_metrics_port_, none)), 0);
}

TEST_F(MetricsEndpointTest, AdapterShowsItsBackendLatencyAndRefusals) {
  BrokerCaller broker(broker_.pki_dir(), school_->port());
  v1::ProviderResponse response;
  // Served: attendance from the records, a category the school does not offer withheld.
  ASSERT_TRUE(broker.Deliver(GrantedRequest(kBsn, {"attendance", "diagnosis"}), &response).ok());
  // Refused by the SDK (R08), and a caller that is not the broker.
  v1::ProviderRequest forbidden = GrantedRequest(kBsn, {"attendance"});
  forbidden.set_purpose(v1::PURPOSE_FRAUD_CONTROL);
  EXPECT_EQ(broker.Deliver(forbidden, &response).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(BrokerCaller(broker_.pki_dir(), school_->port(), "outsider")
                .Deliver(GrantedRequest(kBsn, {"attendance"}), &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  std::string text = Scrape(adapter_metrics_port_);
  SeriesMap adapter = Series(text);
  EXPECT_EQ(Sum(adapter, "wams_adapter_backend_seconds_count",
                {R"(method="fetch")", R"(outcome="data")"}),
            1);
  EXPECT_EQ(Sum(adapter, "wams_adapter_refusals_total", {R"(reason="not_offered")"}), 1);
  EXPECT_EQ(Sum(adapter, "wams_adapter_refusals_total",
                {R"(reason="forbidden_purpose")", R"(rule="R08")"}),
            1);
  EXPECT_EQ(Sum(adapter, "wams_adapter_refusals_total", {R"(reason="not_the_broker")"}), 1);
  EXPECT_EQ(Sum(adapter, "wams_grpc_server_handled_total",
                {R"(grpc_method="Deliver")", R"(grpc_code="PERMISSION_DENIED")"}),
            2);
  // Nothing personal: not the BSN, not a category, not an OIN.
  EXPECT_THAT(text, Not(HasSubstr(kBsn)));
  EXPECT_THAT(text, Not(HasSubstr("diagnosis")));
  EXPECT_THAT(text, Not(HasSubstr(kOutsiderOin)));
}

TEST_F(MetricsEndpointTest, UnknownMethodsShareOneLabel) {
  // A client may name any method; the labels must stay bounded all the same.
  grpc::GenericStub stub(broker_.Channel("municipality"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::Slice empty_message("");
  grpc::ByteBuffer request(&empty_message, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context, "/wams.broker.v1.ExchangeService/NoSuchMethodXyz", grpc::StubOptions(),
                 &request, &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);

  std::string text = Scrape(broker_metrics_port_);
  EXPECT_THAT(text, Not(HasSubstr("NoSuchMethodXyz")));
  EXPECT_EQ(Sum(Series(text), "wams_grpc_server_handled_total",
                {R"(grpc_service="other")", R"(grpc_method="other")"}),
            1);
}

TEST_F(MetricsEndpointTest, EveryMetricTheAlertsAndDashboardUseIsExported) {
  GrantedAndRefused();
  std::set<std::string> exported = Families(Scrape(broker_metrics_port_));
  std::set<std::string> adapter = Families(Scrape(adapter_metrics_port_));
  exported.insert(adapter.begin(), adapter.end());
  ASSERT_FALSE(exported.empty());
  for (const char* file : {"wams-alerts.yml", "wams-dashboard.json"}) {
    std::set<std::string> used = MetricNamesIn(absl::StrCat(WAMS_MONITORING_DIR, "/", file));
    EXPECT_FALSE(used.empty()) << file;
    for (const std::string& name : used) {
      EXPECT_TRUE(exported.contains(name)) << file << " uses " << name << ", not exported";
    }
  }
}

}  // namespace
}  // namespace wams::testing
