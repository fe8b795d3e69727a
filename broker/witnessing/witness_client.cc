#include "broker/witnessing/witness_client.h"

#include <httplib.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/witnessing/protocol.h"

namespace wams::witnessing {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

absl::StatusOr<WitnessUrl> ParseWitnessUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("white space or a control character");
    }
  }
  if (!url.starts_with(kScheme)) return absl::InvalidArgumentError("not an https:// URL");
  url.remove_prefix(kScheme.size());
  if (url.find_first_of("?#@") != std::string_view::npos) {
    return absl::InvalidArgumentError("no user, query or fragment allowed");
  }
  const size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  WitnessUrl parsed;
  if (slash != std::string_view::npos) parsed.path = std::string(url.substr(slash));
  while (parsed.path.ends_with('/')) parsed.path.pop_back();
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    if (!absl::SimpleAtoi(Av(authority.substr(colon + 1)), &parsed.port) || parsed.port < 1 ||
        parsed.port > 65535) {
      return absl::InvalidArgumentError("bad port");
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return absl::InvalidArgumentError("no host");
  parsed.host = std::string(authority);
  return parsed;
}

absl::StatusOr<std::unique_ptr<WitnessClient>> WitnessClient::Create(std::string_view url,
                                                                     const std::string& ca_file,
                                                                     absl::Duration timeout) {
  absl::StatusOr<WitnessUrl> parsed = ParseWitnessUrl(url);
  if (!parsed.ok()) return parsed.status();
  auto client = std::make_unique<httplib::SSLClient>(parsed->host, parsed->port);
  client->set_ca_cert_path(ca_file);
  client->enable_server_certificate_verification(true);
  client->set_keep_alive(true);
  const time_t seconds = static_cast<time_t>(absl::ToInt64Seconds(timeout));
  client->set_connection_timeout(seconds, 0);
  client->set_read_timeout(seconds, 0);
  client->set_write_timeout(seconds, 0);
  client->set_follow_location(false);
  return std::unique_ptr<WitnessClient>(new WitnessClient(*std::move(parsed), std::move(client)));
}

WitnessClient::WitnessClient(WitnessUrl url, std::unique_ptr<httplib::SSLClient> client)
    : url_(std::move(url)), client_(std::move(client)) {}

WitnessClient::~WitnessClient() = default;

absl::StatusOr<WitnessAnswer> WitnessClient::AddCheckpoint(const std::string& body) {
  httplib::Request request;
  request.method = "POST";
  request.path = url_.path + kAddCheckpointPath;
  request.body = body;
  request.set_header("Content-Type", "text/plain; charset=utf-8");
  // The answer is read through this receiver so that a witness cannot make
  // the broker hold more than kMaxResponseBytes.
  std::string answer_body;
  bool too_long = false;
  request.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
    if (answer_body.size() + length > kMaxResponseBytes) {
      too_long = true;
      return false;
    }
    answer_body.append(data, length);
    return true;
  };
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  if (!client_->send(request, response, error)) {
    if (too_long) {
      return absl::UnavailableError(
          absl::StrCat("the answer is longer than ", kMaxResponseBytes, " bytes"));
    }
    std::string reason = httplib::to_string(error);
    if (error == httplib::Error::SSLServerVerification) {
      reason = "its certificate does not verify against ca_file (or not for this host)";
    }
    return absl::UnavailableError(absl::StrCat("no answer: ", reason));
  }
  return WitnessAnswer{response.status, response.get_header_value("Content-Type"),
                       std::move(answer_body)};
}

}  // namespace wams::witnessing
