// recording_party_system.h: a party's own HTTP system on 127.0.0.1 (cpp-
// httplib) for the HTTP backend to call, recording the headers of every
// request it gets, so a test can see what an attacker managed to send into
// the partner's system.
//
//   RecordingPartySystem system;
//   ReferenceAdapter adapter(pki, "school-http", {{"http://127.0.0.1:8080", system.base_url()}});
//   ...
//   EXPECT_TRUE(system.Requests().empty());
//
// Thread-safe.
#ifndef WAMS_TESTS_SECURITY_RECORDING_PARTY_SYSTEM_H_
#define WAMS_TESTS_SECURITY_RECORDING_PARTY_SYSTEM_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "broker/base/http/serving_thread.h"

namespace wams::testing {

class RecordingPartySystem {
 public:
  // One request as received: its path and every header (names in lower
  // case), repeats included.
  struct Received {
    std::string path;
    std::multimap<std::string, std::string> headers;
  };

  // Serves /clients/{bsn}/{category} with a small JSON body on a free port.
  RecordingPartySystem();
  ~RecordingPartySystem();

  // "http://127.0.0.1:PORT".
  std::string base_url() const;
  std::vector<Received> Requests() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<http::ServingThread> serving_;
  int port_ = -1;
  mutable absl::Mutex mutex_;
  std::vector<Received> requests_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_SECURITY_RECORDING_PARTY_SYSTEM_H_
