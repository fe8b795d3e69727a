#include "broker/base/http/serving_thread.h"

#include <chrono>

namespace wams::http {

ServingThread::ServingThread(httplib::Server& server)
    : server_(server), thread_([this] {
        server_.listen_after_bind();
        finished_.store(true);
      }) {}

ServingThread::~ServingThread() { Stop(); }

void ServingThread::Stop() {
  if (!thread_.joinable()) return;
  // A loop that never ran (listen failed) has finished; one that is about to
  // run is stopped only once it runs.
  while (!finished_.load() && !server_.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_.stop();
  thread_.join();
}

}  // namespace wams::http
