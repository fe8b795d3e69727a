// witness_client.h: one HTTPS connection to one C2SP tlog-witness, for the
// broker's witness pusher: POST <url>/add-checkpoint with a bounded time and
// a bounded answer, the witness's certificate checked against its CA and
// its host name against the URL. Built on cpp-httplib (OpenSSL).
//
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<WitnessClient> client,
//                         WitnessClient::Create("https://w1.example:8443/w", "ca.pem", options));
//   WAMS_ASSIGN_OR_RETURN(WitnessAnswer answer, client->AddCheckpoint(body));
//
// Not thread-safe: one caller at a time (the pusher's thread).
#ifndef WAMS_BROKER_WITNESSING_WITNESS_CLIENT_H_
#define WAMS_BROKER_WITNESSING_WITNESS_CLIENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace httplib {
class SSLClient;
}  // namespace httplib

namespace wams::witnessing {

// A witness URL split up: "https://host[:port][/path]".
struct WitnessUrl {
  std::string host;
  int port = 443;
  // The path prefix without a trailing "/" ("" for none).
  std::string path;
};
// INVALID_ARGUMENT saying what is wrong: not https, no host, a bad port, a
// query or fragment, white space or control characters.
absl::StatusOr<WitnessUrl> ParseWitnessUrl(std::string_view url);

// What the witness answered.
struct WitnessAnswer {
  int status = 0;
  std::string content_type;
  // At most protocol.h's kMaxResponseBytes (a longer body is an error).
  std::string body;
};

class WitnessClient {
 public:
  // Reads nothing yet; the CA file is read at the first connection.
  // INVALID_ARGUMENT for a bad URL.
  static absl::StatusOr<std::unique_ptr<WitnessClient>> Create(std::string_view url,
                                                               const std::string& ca_file,
                                                               absl::Duration timeout);
  ~WitnessClient();

  // POSTs `body` to <url>/add-checkpoint. UNAVAILABLE when no answer came
  // (connection, TLS or certificate failure, timeout) or it was longer than
  // kMaxResponseBytes; any HTTP status is an answer.
  absl::StatusOr<WitnessAnswer> AddCheckpoint(const std::string& body);

 private:
  WitnessClient(WitnessUrl url, std::unique_ptr<httplib::SSLClient> client);

  WitnessUrl url_;
  std::unique_ptr<httplib::SSLClient> client_;
};

}  // namespace wams::witnessing

#endif  // WAMS_BROKER_WITNESSING_WITNESS_CLIENT_H_
