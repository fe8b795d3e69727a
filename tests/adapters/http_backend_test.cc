// The HTTP backend against a real HTTP server on loopback (cpp-httplib), first
// in process, then inside a wams-adapter process called over mTLS: a working
// party system, one that is down, one that returns garbage or errors. The
// adapter answers with a clear reason and keeps running. Shares from the
// municipality (R21) are POSTed to the party's system, which accepts or
// refuses them with its reason.
#include "adapters/backends/http_backend.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/http/serving_thread.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/adapters/adapter_harness.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_pki_suite.h"

namespace wams::testing {
namespace {

using adapters::CategoryAnswer;
using adapters::HttpBackend;
using adapters::HttpBackendOptions;
using adapters::ShareAnswer;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// What the fake party system does for every path.
enum class Mode { kWorking, kGarbage, kServerError };

// A party's student administration on 127.0.0.1, serving /clients/{bsn}/{category}.
class PartySystem {
 public:
  // Listens on `port`, or a free port when 0.
  explicit PartySystem(Mode mode, int port = 0) {
    server_.Get(R"(/clients/(\d+)/(\w+))", [this, mode](const httplib::Request& req,
                                                        httplib::Response& res) {
      {
        absl::MutexLock lock(&mutex_);
        last_request_id_ = req.get_header_value("X-Wams-Request-Id");
      }
      if (mode == Mode::kGarbage) return res.set_content("<html>oops", "text/html");
      if (mode == Mode::kServerError) {
        res.status = 503;
        return res.set_content("maintenance", "text/plain");
      }
      std::string bsn = req.matches[1];
      std::string category = req.matches[2];
      if (bsn != "111222333") {
        res.status = 404;
        return;
      }
      if (category == "support_needs") {
        res.status = 451;
        return res.set_content(R"({"withheld_reason": "the support file is under review"})",
                               "application/json");
      }
      if (category == "slow") std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      if (category == "huge")
        return res.set_content(std::string(4096, ' ') + "{}", "application/json");
      res.set_content(absl::StrCat(R"({"category": ")", category, R"(", "value": 1})"),
                      "application/json");
    });
    // Shares: accepted, except a category the system refuses with its reason.
    server_.Post("/shares", [this, mode](const httplib::Request& req, httplib::Response& res) {
      {
        absl::MutexLock lock(&mutex_);
        shares_.push_back(req.body);
        last_request_id_ = req.get_header_value("X-Wams-Request-Id");
        last_transaction_id_ = req.get_header_value("X-Wams-Transaction-Id");
        last_content_type_ = req.get_header_value("Content-Type");
      }
      if (mode == Mode::kServerError) {
        res.status = 503;
        return res.set_content("maintenance", "text/plain");
      }
      if (req.body.find("debt_relief_status") != std::string::npos) {
        res.status = 422;
        return res.set_content(R"({"refused_reason": "the school keeps no debt data"})",
                               "application/json");
      }
      res.status = 204;
    });
    if (port == 0) {
      port_ = server_.bind_to_any_port("127.0.0.1");
    } else {
      port_ = server_.bind_to_port("127.0.0.1", port) ? port : -1;
    }
    // The socket already listens after bind: clients queue until the loop runs.
    serving_ = std::make_unique<http::ServingThread>(server_);
  }
  ~PartySystem() { serving_->Stop(); }
  int port() const { return port_; }
  std::string last_request_id() {
    absl::MutexLock lock(&mutex_);
    return last_request_id_;
  }
  std::string last_transaction_id() {
    absl::MutexLock lock(&mutex_);
    return last_transaction_id_;
  }
  std::string last_content_type() {
    absl::MutexLock lock(&mutex_);
    return last_content_type_;
  }
  // The bodies of the shares POSTed so far.
  std::vector<std::string> shares() {
    absl::MutexLock lock(&mutex_);
    return shares_;
  }

 private:
  httplib::Server server_;
  std::unique_ptr<http::ServingThread> serving_;
  int port_ = -1;
  absl::Mutex mutex_;
  std::string last_request_id_ ABSL_GUARDED_BY(mutex_);
  std::string last_transaction_id_ ABSL_GUARDED_BY(mutex_);
  std::string last_content_type_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> shares_ ABSL_GUARDED_BY(mutex_);
};

// A loopback port with nothing listening: bound once, then released.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

std::unique_ptr<HttpBackend> BackendFor(int port, absl::Duration timeout = absl::Seconds(2)) {
  HttpBackendOptions options;
  for (const char* category : {"attendance", "support_needs", "slow", "huge"}) {
    options.url_templates[category] =
        absl::StrCat("http://127.0.0.1:", port, "/clients/{bsn}/", category);
  }
  options.timeout = timeout;
  options.max_body_bytes = 1024;
  options.share_url = absl::StrCat("http://127.0.0.1:", port, "/shares");
  absl::StatusOr<std::unique_ptr<HttpBackend>> backend = HttpBackend::Create(std::move(options));
  EXPECT_TRUE(backend.ok()) << backend.status();
  return std::move(backend).value();
}

v1::ProviderRequest Request(const char* bsn) {
  v1::ProviderRequest request;
  request.set_request_id("req-http-1");
  request.set_subject_bsn(bsn);
  return request;
}

// --- HttpBackend in process.

TEST(HttpBackendTest, ReturnsJsonBodyAndSendsRequestId) {
  PartySystem system(Mode::kWorking);
  CategoryAnswer answer = BackendFor(system.port())->Fetch(Request("111222333"), "attendance");
  ASSERT_EQ(answer.kind, CategoryAnswer::Kind::kData) << answer.reason;
  EXPECT_EQ(answer.content, R"({"category": "attendance", "value": 1})");
  EXPECT_EQ(system.last_request_id(), "req-http-1");
}

TEST(HttpBackendTest, NotFoundIsNotHeld) {
  PartySystem system(Mode::kWorking);
  EXPECT_EQ(BackendFor(system.port())->Fetch(Request("123456782"), "attendance").kind,
            CategoryAnswer::Kind::kNotHeld);
}

TEST(HttpBackendTest, UnavailableForLegalReasonsIsWithheldWithItsReason) {
  PartySystem system(Mode::kWorking);
  CategoryAnswer answer = BackendFor(system.port())->Fetch(Request("111222333"), "support_needs");
  EXPECT_EQ(answer.kind, CategoryAnswer::Kind::kWithheld);
  EXPECT_EQ(answer.reason, "the support file is under review");
}

TEST(HttpBackendTest, FailuresAreUnavailableWithClearReasonAndNoUrl) {
  struct Case {
    Mode mode;
    const char* category;
    const char* reason;
  };
  for (const Case& c : {Case{Mode::kGarbage, "attendance", "not JSON"},
                        Case{Mode::kServerError, "attendance", "HTTP 503"},
                        Case{Mode::kWorking, "huge", "more than 1024 bytes"}}) {
    PartySystem system(c.mode);
    CategoryAnswer answer = BackendFor(system.port())->Fetch(Request("111222333"), c.category);
    EXPECT_EQ(answer.kind, CategoryAnswer::Kind::kUnavailable) << c.reason;
    EXPECT_THAT(answer.reason, AllOf(HasSubstr(c.reason), Not(HasSubstr("111222333"))));
  }
}

TEST(HttpBackendTest, RefusedConnectionIsUnavailable) {
  CategoryAnswer answer = BackendFor(ClosedPort())->Fetch(Request("111222333"), "attendance");
  EXPECT_EQ(answer.kind, CategoryAnswer::Kind::kUnavailable);
  EXPECT_THAT(answer.reason, AllOf(HasSubstr("did not answer"), Not(HasSubstr("111222333"))));
}

TEST(HttpBackendTest, SlowSystemTimesOut) {
  PartySystem system(Mode::kWorking);
  CategoryAnswer answer =
      BackendFor(system.port(), absl::Milliseconds(200))->Fetch(Request("111222333"), "slow");
  EXPECT_EQ(answer.kind, CategoryAnswer::Kind::kUnavailable);
  EXPECT_THAT(answer.reason, HasSubstr("imeout"));
}

TEST(HttpBackendTest, RejectsNonHttpTemplate) {
  HttpBackendOptions options;
  options.url_templates["attendance"] = "file:///etc/{bsn}";
  absl::StatusOr<std::unique_ptr<HttpBackend>> backend = HttpBackend::Create(std::move(options));
  EXPECT_EQ(backend.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(backend.status().message(), HasSubstr("url_templates['attendance']"));
}

v1::ProviderRequest Share(const char* category) {
  v1::ProviderRequest share = GrantedRequest("111222333", {category});
  share.set_is_share(true);
  v1::CategoryData* data = share.add_shared_data();
  data->set_category(category);
  data->set_content(R"({"hulp": "ambulant"})");
  data->set_content_type("application/json");
  return share;
}

TEST(HttpBackendShareTest, PostsTheShareDocumentWithItsIds) {
  PartySystem system(Mode::kWorking);
  v1::ProviderRequest share = Share("youth_services");
  ShareAnswer answer = BackendFor(system.port())->Receive(share);

  EXPECT_EQ(answer.kind, ShareAnswer::Kind::kAccepted) << answer.reason;
  ASSERT_EQ(system.shares().size(), 1u);
  const std::string body = system.shares()[0];
  EXPECT_THAT(body, HasSubstr(R"("format": "wams.share.v1")"));
  EXPECT_THAT(body, HasSubstr(absl::StrCat(R"("transaction_id": ")", share.transaction_id())));
  EXPECT_THAT(body, HasSubstr(R"("category": "youth_services")"));
  EXPECT_THAT(body, HasSubstr(R"("content": "{\"hulp\": \"ambulant\"}")"));
  EXPECT_EQ(system.last_request_id(), share.request_id());
  EXPECT_EQ(system.last_transaction_id(), share.transaction_id());
  EXPECT_EQ(system.last_content_type(), "application/json");
}

TEST(HttpBackendShareTest, ARefusalWithItsReasonIsRefused) {
  PartySystem system(Mode::kWorking);
  ShareAnswer answer = BackendFor(system.port())->Receive(Share("debt_relief_status"));
  EXPECT_EQ(answer.kind, ShareAnswer::Kind::kRefused);
  EXPECT_EQ(answer.reason, "the school keeps no debt data");
}

TEST(HttpBackendShareTest, ASystemThatFailsOrIsDownIsUnavailable) {
  PartySystem failing(Mode::kServerError);
  ShareAnswer answer = BackendFor(failing.port())->Receive(Share("youth_services"));
  EXPECT_EQ(answer.kind, ShareAnswer::Kind::kUnavailable);
  EXPECT_THAT(answer.reason, HasSubstr("HTTP 503"));
  answer = BackendFor(ClosedPort())->Receive(Share("youth_services"));
  EXPECT_EQ(answer.kind, ShareAnswer::Kind::kUnavailable);
  EXPECT_THAT(answer.reason, AllOf(HasSubstr("did not answer"), Not(HasSubstr("111222333"))));
}

TEST(HttpBackendShareTest, RejectsANonHttpShareUrl) {
  HttpBackendOptions options;
  options.url_templates["attendance"] = "http://127.0.0.1/{bsn}";
  options.share_url = "file:///tmp/shares";
  absl::StatusOr<std::unique_ptr<HttpBackend>> backend = HttpBackend::Create(std::move(options));
  EXPECT_EQ(backend.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(backend.status().message(), HasSubstr("share_url"));
}

// --- The school-http reference adapter, as a process.

class HttpAdapterTest : public DevPkiSuite {
 protected:
  std::unique_ptr<ReferenceAdapter> StartAdapter(int party_port) {
    auto adapter = std::make_unique<ReferenceAdapter>(
        pki_dir(), "school-http",
        std::vector<std::pair<std::string, std::string>>{
            {"127.0.0.1:8080", absl::StrCat("127.0.0.1:", party_port)}});
    EXPECT_TRUE(adapter->Start()) << adapter->Log();
    return adapter;
  }

 private:
};

TEST_F(HttpAdapterTest, AnswersFromThePartySystem) {
  PartySystem system(Mode::kWorking);
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter(system.port());
  v1::ProviderRequest request =
      GrantedRequest("111222333", {"enrolment", "attendance", "support_needs"});
  v1::ProviderResponse response;
  grpc::Status status = BrokerCaller(pki_dir(), adapter->port()).Deliver(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
  ASSERT_EQ(response.data_size(), 2);
  EXPECT_EQ(response.data(1).content(), R"({"category": "attendance", "value": 1})");
  EXPECT_THAT(response.withheld_categories(), ElementsAre("support_needs"));
  EXPECT_THAT(response.refusal_reasons(), HasSubstr("the support file is under review"));
  EXPECT_EQ(system.last_request_id(), request.request_id());
  ASSERT_EQ(adapter->process().Stop(SIGTERM), 0);
  EXPECT_THAT(adapter->Log(), Not(HasSubstr("111222333")));
}

TEST_F(HttpAdapterTest, PostsAnAcceptedShareAndRefusesAnUnlistedCategoryWithoutPosting) {
  PartySystem system(Mode::kWorking);
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter(system.port());
  // Closed before the adapter stops: an open connection delays its shutdown.
  auto broker = std::make_unique<BrokerCaller>(pki_dir(), adapter->port());

  v1::ProviderResponse accepted;
  grpc::Status status = broker->Deliver(Share("youth_services"), &accepted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(accepted.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  ASSERT_EQ(system.shares().size(), 1u);
  EXPECT_THAT(system.shares()[0], HasSubstr(R"("subject_bsn": "111222333")"));

  // Not in school-http's accepts_shares: refused by the SDK, never POSTed.
  v1::ProviderResponse refused;
  status = broker->Deliver(Share("debt_relief_status"), &refused);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(refused.status(), v1::PROVIDER_ANSWER_STATUS_REFUSED);
  EXPECT_THAT(refused.refusal_reasons(), HasSubstr("debt_relief_status: Voorbeeldcollege"));
  EXPECT_EQ(system.shares().size(), 1u);
  broker.reset();
  ASSERT_EQ(adapter->process().Stop(SIGTERM), 0);
  EXPECT_THAT(adapter->Log(), Not(HasSubstr("111222333")));
}

TEST_F(HttpAdapterTest, SystemDownGivesClearErrorAndAdapterRecovers) {
  int port = ClosedPort();
  std::unique_ptr<ReferenceAdapter> adapter = StartAdapter(port);
  BrokerCaller broker(pki_dir(), adapter->port());
  v1::ProviderResponse response;
  grpc::Status status =
      broker.Deliver(GrantedRequest("111222333", {"enrolment", "attendance"}), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(
      status.error_message(),
      AllOf(HasSubstr("enrolment: Voorbeeldcollege's system could not answer"),
            HasSubstr("attendance:"), HasSubstr("did not answer"), Not(HasSubstr("111222333"))));

  // The party's system comes back on the same port: the same adapter answers.
  PartySystem system(Mode::kWorking, port);
  ASSERT_EQ(system.port(), port);
  response.Clear();
  status = broker.Deliver(GrantedRequest("111222333", {"enrolment"}), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
}

TEST_F(HttpAdapterTest, GarbageOrErrorFromSystemGivesClearErrorAndAdapterKeepsRunning) {
  for (Mode mode : {Mode::kGarbage, Mode::kServerError}) {
    PartySystem system(mode);
    std::unique_ptr<ReferenceAdapter> adapter = StartAdapter(system.port());
    BrokerCaller broker(pki_dir(), adapter->port());
    for (int i = 0; i < 3; ++i) {
      v1::ProviderResponse response;
      grpc::Status status = broker.Deliver(GrantedRequest("111222333", {"attendance"}), &response);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
      EXPECT_THAT(status.error_message(),
                  HasSubstr(mode == Mode::kGarbage ? "not JSON" : "HTTP 503"));
    }
    // Still alive and stopping cleanly: no crash on what the system sent.
    EXPECT_EQ(adapter->process().Stop(SIGTERM), 0);
  }
}

}  // namespace
}  // namespace wams::testing
