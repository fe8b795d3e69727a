// recording_provider: a ProviderService process for fault tests. It appends
// every request it receives to a record file and fsyncs it BEFORE answering,
// so after any crash the file lists every request the broker forwarded (and
// perhaps one whose answer never left). The crash test compares these ids
// with the decision receipts in the log: nothing may reach a provider without
// a durable decision.
//
//   recording_provider --pki DIR --cert school --record FILE [--port P]
//                      [--delay-ms N] [--hang]
//
// Prints "listening on 127.0.0.1:PORT" on stdout once serving (--port 0, the
// default, picks a free port; a restarted provider passes its old port).
// Every record line is "<request_id> <transaction_id>\n". The answer provides
// every category asked, with a good-care statement and a legal basis when
// the broker placed those obligations. --delay-ms answers after N ms; --hang
// never answers (the broker's deadline must end the call). Uses the callback
// API, so neither mode holds a thread per call. Exits 0 at once on SIGTERM or
// SIGINT.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/stop_signals.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/provider.grpc.pb.h"

namespace {

namespace v1 = ::wams::broker::v1;

struct Flags {
  std::string pki;
  std::string cert;
  std::string record;
  int port = 0;
  int delay_ms = 0;
  bool hang = false;
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--pki") {
      flags->pki = value();
    } else if (arg == "--cert") {
      flags->cert = value();
    } else if (arg == "--record") {
      flags->record = value();
    } else if (arg == "--port") {
      if (!absl::SimpleAtoi(value(), &flags->port)) return false;
    } else if (arg == "--delay-ms") {
      if (!absl::SimpleAtoi(value(), &flags->delay_ms)) return false;
    } else if (arg == "--hang") {
      flags->hang = true;
    } else {
      return false;
    }
  }
  return !flags->pki.empty() && !flags->cert.empty() && !flags->record.empty();
}

bool HasObligation(const v1::ProviderRequest& request, v1::ObligationKind kind) {
  for (const v1::Obligation& obligation : request.obligations()) {
    if (obligation.kind() == kind) return true;
  }
  return false;
}

void Answer(const v1::ProviderRequest& request, v1::ProviderResponse* response) {
  response->set_status(v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  for (const std::string& category : request.categories()) {
    v1::CategoryData* data = response->add_data();
    data->set_category(category);
    data->set_content(absl::StrCat("{\"category\":\"", category, "\"}"));
    data->set_content_type("application/json");
  }
  if (HasObligation(request, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT)) {
    response->set_good_care_statement("Verstrekking is nodig vanuit goed hulpverlenerschap.");
  }
  if (HasObligation(request, v1::OBLIGATION_KIND_LEGAL_BASIS)) {
    response->set_legal_basis("Wpg artikel 19 / Wjsg artikel 8a (test)");
  }
}

class RecordingService final : public v1::ProviderService::CallbackService {
 public:
  RecordingService(int record_fd, const Flags& flags)
      : record_fd_(record_fd), delay_(absl::Milliseconds(flags.delay_ms)), hang_(flags.hang) {
    if (delay_ > absl::ZeroDuration()) timer_ = std::thread([this] { RunTimer(); });
  }

  ~RecordingService() override {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    if (timer_.joinable()) timer_.join();
  }

  grpc::ServerUnaryReactor* Deliver(grpc::CallbackServerContext* context,
                                    const v1::ProviderRequest* request,
                                    v1::ProviderResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (!Record(*request)) {
      reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL, "cannot record the request"));
      return reactor;
    }
    Answer(*request, response);
    absl::MutexLock lock(&mu_);
    if (hang_) {
      hung_.push_back(reactor);
    } else if (delay_ > absl::ZeroDuration()) {
      delayed_.emplace(absl::Now() + delay_, reactor);
    } else {
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

 private:
  // One write() per line, then fdatasync: the line is on disk before the
  // answer leaves. Serialised so lines never interleave. It blocks a gRPC
  // thread for the sync, which a stand-in for a party's system may do.
  bool Record(const v1::ProviderRequest& request) {
    std::string line = absl::StrCat(request.request_id(), " ", request.transaction_id(), "\n");
    absl::MutexLock lock(&record_mu_);
    return write(record_fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
           fdatasync(record_fd_) == 0;
  }

  void RunTimer() {
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      absl::Time now = absl::Now();
      while (!delayed_.empty() && delayed_.begin()->first <= now) {
        delayed_.begin()->second->Finish(grpc::Status::OK);
        delayed_.erase(delayed_.begin());
      }
      absl::Time next = delayed_.empty() ? now + absl::Milliseconds(50) : delayed_.begin()->first;
      mu_.AwaitWithDeadline(absl::Condition(&stopping_), next);
    }
  }

  const int record_fd_;
  const absl::Duration delay_;
  const bool hang_;
  absl::Mutex record_mu_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Calls never finished (--hang); the broker's deadline cancels them.
  std::vector<grpc::ServerUnaryReactor*> hung_ ABSL_GUARDED_BY(mu_);
  std::multimap<absl::Time, grpc::ServerUnaryReactor*> delayed_ ABSL_GUARDED_BY(mu_);
  std::thread timer_;
};

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    std::cerr << "usage: recording_provider --pki DIR --cert NAME --record FILE [--port P]"
                 " [--delay-ms N] [--hang]\n";
    return 2;
  }
  // Before any thread starts, so every thread inherits the blocked mask.
  const wams::base::StopSignals stop_signals;

  int record_fd = open(flags.record.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (record_fd < 0) {
    std::cerr << "cannot open " << flags.record << "\n";
    return 1;
  }
  std::filesystem::path pki(flags.pki);
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = wams::testing::ReadFile(pki / "ca.crt");
  tls.pem_key_cert_pairs.push_back({wams::testing::ReadFile(pki / (flags.cert + ".key")),
                                    wams::testing::ReadFile(pki / (flags.cert + ".crt"))});
  RecordingService service(record_fd, flags);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", flags.port), grpc::SslServerCredentials(tls),
                           &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "cannot listen on 127.0.0.1:" << flags.port << "\n";
    return 1;
  }
  std::cout << "listening on 127.0.0.1:" << port << std::endl;

  stop_signals.Wait();
  // Every record is already on disk, and hung calls would hold up an orderly
  // server shutdown: exit at once.
  std::_Exit(0);
}
