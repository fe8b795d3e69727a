#ifndef WAMS_BROKER_BASE_HTTP_SERVING_THREAD_H_
#define WAMS_BROKER_BASE_HTTP_SERVING_THREAD_H_

#include <httplib.h>

#include <atomic>
#include <thread>

namespace wams::http {

// Runs `server.listen_after_bind()` on its own thread. The server must be
// bound already (bind_to_port / bind_to_any_port); clients that connect
// before the loop runs wait in the socket's backlog.
//
// Why not a bare std::thread: in cpp-httplib 0.11 `Server::stop()` does
// nothing until the loop has marked itself running, so a stop that comes
// first (a SIGTERM right after start) is lost and the join hangs for ever.
// Stop() waits for the loop to run (or to have ended) before it stops it.
class ServingThread {
 public:
  // Borrows `server`, which must outlive this object.
  explicit ServingThread(httplib::Server& server);
  ServingThread(const ServingThread&) = delete;
  ServingThread& operator=(const ServingThread&) = delete;
  ~ServingThread();

  // Stops the loop and joins the thread. Idempotent.
  void Stop();

 private:
  httplib::Server& server_;
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace wams::http

#endif  // WAMS_BROKER_BASE_HTTP_SERVING_THREAD_H_
