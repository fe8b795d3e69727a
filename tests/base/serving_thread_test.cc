// ServingThread (broker/base/http): a stop that comes at once after the
// start is never lost, and a started server answers.
#include "broker/base/http/serving_thread.h"

#include <httplib.h>

#include <memory>

#include "gtest/gtest.h"

namespace wams::http {
namespace {

// The race that hung a witness test in CI: httplib 0.11 ignores a stop()
// before its loop runs. Stopped at once, many times over, every join must
// return (a lost stop hangs the test until ctest's timeout fails it).
TEST(ServingThreadTest, AStopRightAfterTheStartIsNeverLost) {
  for (int round = 0; round < 200; ++round) {
    httplib::Server server;
    ASSERT_GT(server.bind_to_any_port("127.0.0.1"), 0);
    ServingThread serving(server);
    serving.Stop();
    EXPECT_FALSE(server.is_running()) << "round " << round;
  }
}

TEST(ServingThreadTest, ServesUntilStoppedAndStopIsIdempotent) {
  httplib::Server server;
  server.Get("/ping", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("pong", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  auto serving = std::make_unique<ServingThread>(server);
  httplib::Client client("127.0.0.1", port);
  httplib::Result answer = client.Get("/ping");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->body, "pong");
  serving->Stop();
  serving->Stop();
  serving.reset();
  httplib::Client after("127.0.0.1", port);
  after.set_connection_timeout(1, 0);
  EXPECT_FALSE(after.Get("/ping"));
}

// A loop that never ran (nothing bound) ends at once; Stop() still returns.
TEST(ServingThreadTest, StopsAServerThatCouldNotListen) {
  httplib::Server server;
  ServingThread serving(server);
  serving.Stop();
  EXPECT_FALSE(server.is_running());
}

}  // namespace
}  // namespace wams::http
