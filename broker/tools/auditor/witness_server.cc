#include "broker/tools/auditor/witness_server.h"

#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/files/private_dir.h"
#include "broker/base/http/bind.h"
#include "broker/base/http/connection_threads.h"
#include "broker/base/logging/log.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/witnessing/protocol.h"

namespace wams::auditor {
namespace {

// Connections served at once; more wait in the accept queue.
constexpr size_t kMaxConnections = 256;

std::string HexOf(const ledger::Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string Base64Of(const ledger::Digest& digest) {
  return ledger::Base64Encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

HttpAnswer Answer(int status, absl::string_view message) {
  return HttpAnswer{.status = status, .body = absl::StrCat(message, "\n")};
}

absl::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::InternalError(absl::StrCat("writing ", path, ": ", strerror(errno)));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Witness>> Witness::Create(WitnessConfig config) {
  if (!ledger::IsValidNoteKeyName(config.name)) {
    return absl::InvalidArgumentError("witness name: no '+' or white space allowed");
  }
  std::map<std::string, std::vector<ledger::NoteVerifier>, std::less<>> logs;
  std::string_view rest = config.log_keys;
  int line_number = 0;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    ++line_number;
    if (line.empty()) continue;
    absl::StatusOr<ledger::NoteVerifier> verifier = ledger::NoteVerifier::FromVerifierKey(line);
    if (!verifier.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("log keys line ", line_number, ": ", verifier.status().message()));
    }
    const std::string origin(verifier->name());  // before the move below
    logs[origin].push_back(*std::move(verifier));
  }
  if (logs.empty()) return absl::InvalidArgumentError("log keys: no key");
  WAMS_RETURN_IF_ERROR(files::PreparePrivateDirectory(config.state_dir, "--state-dir"));
  auto witness = std::unique_ptr<Witness>(new Witness(std::move(config)));
  witness->logs_ = std::move(logs);
  // Read every state now, so a damaged file stops the start, not a request.
  absl::MutexLock lock(&witness->mu_);
  for (const auto& [origin, keys] : witness->logs_) {
    WAMS_ASSIGN_OR_RETURN(LogState state, witness->LoadState(origin));
    witness->states_[origin] = state;
  }
  return witness;
}

Witness::Witness(WitnessConfig config) : config_(std::move(config)) {}

std::string Witness::StatePath(std::string_view origin) const {
  // An origin may hold '/': the file is named by its hash.
  return absl::StrCat(config_.state_dir, "/", HexOf(ledger::Sha256(origin)).substr(0, 32),
                      ".state");
}

absl::StatusOr<Witness::LogState> Witness::LoadState(std::string_view origin) const {
  const std::string path = StatePath(origin);
  absl::StatusOr<std::string> text = ledger_export::ReadSmallFile(path);
  if (absl::IsNotFound(text.status())) return LogState{};  // never cosigned
  if (!text.ok()) return text.status();
  // "<origin>\n<size>\n<base64 root>\n": a checkpoint body.
  absl::StatusOr<ledger::CheckpointBody> body = ledger::ParseCheckpointBody(*text);
  if (!body.ok() || body->origin != origin) {
    return absl::DataLossError(absl::StrCat("witness state ", path, " is damaged"));
  }
  return LogState{body->tree_size, body->root_hash};
}

absl::Status Witness::SaveState(std::string_view origin, const LogState& state) const {
  const std::string path = StatePath(origin);
  const std::string tmp = path + ".tmp";
  const std::string text =
      ledger::FormatCheckpointBody({std::string(origin), state.size, state.root});
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("creating ", tmp, ": ", strerror(errno)));
  absl::Status written = WriteAll(fd, text, tmp);
  if (written.ok() && ::fsync(fd) != 0) {
    written = absl::InternalError(absl::StrCat("fsync ", tmp, ": ", strerror(errno)));
  }
  ::close(fd);
  WAMS_RETURN_IF_ERROR(written);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("renaming ", tmp, ": ", strerror(errno)));
  }
  const int dir = ::open(config_.state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) {
    if (dir >= 0) ::close(dir);
    return absl::InternalError(absl::StrCat("fsync ", config_.state_dir, ": ", strerror(errno)));
  }
  ::close(dir);
  return absl::OkStatus();
}

HttpAnswer Witness::AddCheckpoint(std::string_view body) {
  absl::StatusOr<witnessing::AddCheckpointRequest> request =
      witnessing::ParseAddCheckpointRequest(body);
  if (!request.ok()) return Answer(400, request.status().message());
  absl::StatusOr<ledger::ParsedNote> note = ledger::ParseNote(request->note);
  if (!note.ok()) return Answer(400, note.status().message());
  absl::StatusOr<ledger::CheckpointBody> checkpoint = ledger::ParseCheckpointBody(note->text);
  if (!checkpoint.ok()) return Answer(400, checkpoint.status().message());
  auto log = logs_.find(checkpoint->origin);
  if (log == logs_.end()) return Answer(404, "unknown log origin");
  if (std::none_of(log->second.begin(), log->second.end(),
                   [&](const ledger::NoteVerifier& v) { return v.Open(request->note).ok(); })) {
    return Answer(403, "no valid signature by a known key of this log");
  }
  if (request->old_size > checkpoint->tree_size) {
    return Answer(400, "old size is larger than the checkpoint's size");
  }
  if (request->old_size == 0 && !request->proof.empty()) {
    return Answer(400, "a proof from old size 0");
  }

  // The check and the new state under one lock (the spec's race).
  absl::MutexLock lock(&mu_);
  LogState& state = states_[checkpoint->origin];
  if (request->old_size != state.size) {
    return HttpAnswer{.status = 409,
                      .content_type = witnessing::kTreeSizeContentType,
                      .body = witnessing::FormatTreeSize(state.size)};
  }
  const std::string what = absl::StrCat("log ", checkpoint->origin, ": the checkpoint of ",
                                        checkpoint->tree_size, " receipts");
  if (state.size == checkpoint->tree_size) {
    if (state.root != checkpoint->root_hash) {
      logging::LogError(absl::StrCat("ALARM: ", what, " has root ", Base64Of(checkpoint->root_hash),
                                     ", the one cosigned has ", Base64Of(state.root), " (a fork)"));
      return HttpAnswer{.status = 409,
                        .content_type = witnessing::kTreeSizeContentType,
                        .body = witnessing::FormatTreeSize(state.size)};
    }
  } else if (state.size > 0) {
    absl::Status consistent = ledger::VerifyConsistency(
        state.size, checkpoint->tree_size, state.root, checkpoint->root_hash, request->proof);
    if (!consistent.ok()) {
      logging::LogError(absl::StrCat("ALARM: ", what, " is not consistent with the one of ",
                                     state.size,
                                     " it cosigned (a fork or a rewrite): ", consistent.message()));
      return Answer(422, "the consistency proof does not verify");
    }
  }
  const LogState next{checkpoint->tree_size, checkpoint->root_hash};
  if (absl::Status saved = SaveState(checkpoint->origin, next); !saved.ok()) {
    logging::LogError(absl::StrCat("witness state not saved: ", saved.message()));
    return Answer(500, "the witness could not save its state");
  }
  state = next;
  return HttpAnswer{
      .status = 200,
      .body = ledger::CosignatureLine(config_.name, config_.key, note->text,
                                      static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now())))};
}

absl::StatusOr<std::unique_ptr<WitnessServer>> WitnessServer::Start(Witness& witness,
                                                                    const std::string& host,
                                                                    int port,
                                                                    const std::string& cert_file,
                                                                    const std::string& key_file) {
  WAMS_RETURN_IF_ERROR(base::ReadPublicFile(cert_file, "--tls-cert").status());
  WAMS_RETURN_IF_ERROR(base::ReadPrivateFile(key_file, "--tls-key").status());
  auto server = std::unique_ptr<WitnessServer>(new WitnessServer());
  server->server_ = std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str());
  if (!server->server_->is_valid()) {
    return absl::FailedPreconditionError("--tls-cert/--tls-key: not a certificate and its key");
  }
  httplib::SSLServer& http = *server->server_;
  http.set_payload_max_length(witnessing::kMaxRequestBytes);
  // A thread per connection (as the broker's REST face): idle connections,
  // which anyone can open, cannot hold up the broker's pushes.
  http.new_task_queue = [] { return new http::ConnectionThreads(kMaxConnections); };
  http.set_read_timeout(5, 0);
  http.set_write_timeout(10, 0);
  http.set_keep_alive_max_count(100);
  // An idle kept-alive connection (the broker's) holds up a stop for this long.
  http.set_keep_alive_timeout(1);
  http.Post(witnessing::kAddCheckpointPath,
            [&witness](const httplib::Request& request, httplib::Response& response) {
              HttpAnswer answer = witness.AddCheckpoint(request.body);
              response.status = answer.status;
              response.set_content(answer.body, answer.content_type.c_str());
            });
  server->port_ = http::BindForServing(http, host, port);
  if (server->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port));
  }
  server->serving_ = std::make_unique<http::ServingThread>(http);
  return server;
}

WitnessServer::~WitnessServer() { Stop(); }

void WitnessServer::Stop() {
  if (serving_ != nullptr) serving_->Stop();
}

}  // namespace wams::auditor
