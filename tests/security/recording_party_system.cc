#include "tests/security/recording_party_system.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace wams::testing {

RecordingPartySystem::RecordingPartySystem() : server_(std::make_unique<httplib::Server>()) {
  server_->Get(R"(/clients/(\d+)/(\w+))", [this](const httplib::Request& request,
                                                 httplib::Response& response) {
    Received received{.path = request.path, .headers = {}};
    for (const auto& [name, value] : request.headers) {
      received.headers.emplace(absl::AsciiStrToLower(name), value);
    }
    {
      absl::MutexLock lock(&mutex_);
      requests_.push_back(std::move(received));
    }
    response.set_content(absl::StrCat(R"({"category": ")", std::string(request.matches[2]), "\"}"),
                         "application/json");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  // The socket listens after bind: clients queue until the loop runs.
  serving_ = std::make_unique<http::ServingThread>(*server_);
}

RecordingPartySystem::~RecordingPartySystem() { serving_->Stop(); }

std::string RecordingPartySystem::base_url() const {
  return absl::StrCat("http://127.0.0.1:", port_);
}

std::vector<RecordingPartySystem::Received> RecordingPartySystem::Requests() const {
  absl::MutexLock lock(&mutex_);
  return requests_;
}

}  // namespace wams::testing
