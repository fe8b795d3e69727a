#include "broker/witnessing/witness_pusher.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/logging/log.h"
#include "broker/base/secret_file.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/store/cosignatures.h"
#include "broker/witnessing/protocol.h"

namespace wams::witnessing {
namespace v1 = ::wams::broker::v1;

absl::StatusOr<std::vector<WitnessTarget>> LoadWitnessTargets(const v1::BrokerConfig& config) {
  std::vector<WitnessTarget> targets;
  for (int i = 0; i < config.witnesses_size(); ++i) {
    const v1::Witness& w = config.witnesses(i);
    const std::string field = absl::StrCat("witnesses[", i, "]");
    if (w.url().empty()) {
      if (!w.ca_file().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".ca_file: set without url"));
      }
      continue;  // a witness that polls and calls AddCosignature
    }
    absl::StatusOr<ledger::CosignatureVerifier> key =
        ledger::ParseCosignatureVerifierKey(w.verifier_key());
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".verifier_key: ", key.status().message()));
    }
    if (absl::Status url = ParseWitnessUrl(w.url()).status(); !url.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".url: ", url.message()));
    }
    if (w.ca_file().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".ca_file: required with url"));
    }
    WAMS_RETURN_IF_ERROR(base::ReadPublicFile(w.ca_file(), field + ".ca_file").status());
    targets.push_back(WitnessTarget{*std::move(key), w.url(), w.ca_file()});
  }
  return targets;
}

WitnessPusher::WitnessPusher(const ledger::store::Ledger& ledger, const storage::Backend& backend,
                             std::vector<WitnessTarget> targets, WitnessPusherOptions options)
    : ledger_(ledger), backend_(backend), options_(options) {
  for (WitnessTarget& target : targets) {
    absl::StatusOr<std::unique_ptr<WitnessClient>> client =
        WitnessClient::Create(target.url, target.ca_file, options_.timeout);
    if (!client.ok()) {
      logging::LogError(absl::StrCat("witness ", target.key.name, ": ", client.status().message()));
      std::abort();  // LoadWitnessTargets checked the URL: a bug
    }
    stats_.push_back(WitnessStats{.name = target.key.name});
    witnesses_.push_back(Witness{std::move(target), *std::move(client)});
  }
}

WitnessPusher::~WitnessPusher() { Stop(); }

void WitnessPusher::Start() {
  if (witnesses_.empty()) return;
  thread_ = std::thread([this] { Loop(); });
}

void WitnessPusher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::vector<WitnessStats> WitnessPusher::Stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void WitnessPusher::Loop() {
  // Waits in short slices so that Stop() is quick; the ledger wakes the
  // wait as soon as a checkpoint is stored.
  constexpr absl::Duration kSlice = absl::Milliseconds(200);
  uint64_t seen = 0;
  absl::Time next_retry = absl::InfinitePast();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    absl::StatusOr<v1::Checkpoint> newest = ledger_.AwaitCheckpoint(seen + 1, absl::Now() + kSlice);
    if (!newest.ok()) {
      // No newer checkpoint: ask the witnesses that lack the newest again
      // when the retry interval is over.
      if (seen == 0 || absl::Now() < next_retry) continue;
      newest = ledger_.LatestCheckpoint();
      if (!newest.ok()) continue;
    }
    seen = newest->tree_size();
    // A standby broker (not the writer) could not store a cosignature.
    if (!ledger_.WriteHealth().ok()) continue;
    PushAll(*newest);
    next_retry = absl::Now() + options_.retry_interval;
  }
}

void WitnessPusher::PushAll(const v1::Checkpoint& checkpoint) {
  for (size_t i = 0; i < witnesses_.size(); ++i) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      if (stats_[i].cosigned_size >= checkpoint.tree_size()) continue;
    }
    (void)PushTo(i, checkpoint);
  }
}

absl::StatusOr<WitnessAnswer> WitnessPusher::Send(Witness& witness, uint64_t old_size,
                                                  const v1::Checkpoint& checkpoint) {
  AddCheckpointRequest request;
  request.old_size = old_size;
  request.note = checkpoint.note();
  if (old_size > 0 && old_size < checkpoint.tree_size()) {
    WAMS_ASSIGN_OR_RETURN(v1::ConsistencyProof proof,
                          ledger_.GetConsistencyProof(old_size, checkpoint.tree_size()));
    for (const std::string& hash : proof.hashes()) {
      WAMS_ASSIGN_OR_RETURN(ledger::Digest digest, ledger::DigestFromBytes(hash));
      request.proof.push_back(digest);
    }
  }
  return witness.client->AddCheckpoint(FormatAddCheckpointRequest(request));
}

absl::Status WitnessPusher::PushTo(size_t index, const v1::Checkpoint& checkpoint) {
  Witness& witness = witnesses_[index];
  const uint64_t size = checkpoint.tree_size();
  absl::Status status;
  absl::StatusOr<WitnessAnswer> answer;
  // At most twice: the second time with the size a 409 named.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (witness.known_size > size) {
      status = absl::FailedPreconditionError(absl::StrCat(
          "it has cosigned a tree of ", witness.known_size, " receipts, this log has ", size));
      break;
    }
    answer = Send(witness, witness.known_size, checkpoint);
    if (!answer.ok()) {
      status = answer.status();
      break;
    }
    if (answer->status == 409 && attempt == 0) {
      absl::StatusOr<uint64_t> known = ParseTreeSize(answer->body);
      if (answer->content_type.find(kTreeSizeContentType) != 0 || !known.ok()) {
        status = absl::InvalidArgumentError("its 409 answer does not name a tree size");
        break;
      }
      // Same size and still 409: the witness holds another root (a fork).
      if (*known == witness.known_size) {
        status = absl::AbortedError(
            absl::StrCat("it refuses the checkpoint of ", size, " (409, another root)"));
        break;
      }
      witness.known_size = *known;
      continue;
    }
    break;
  }
  if (status.ok()) {
    switch (answer->status) {
      case 200:
        break;
      case 400:
        status = absl::InvalidArgumentError("it answered 400 Bad Request");
        break;
      case 403:
      case 404:
        status = absl::PermissionDeniedError(absl::StrCat(
            "it answered ", answer->status, " (it does not know this log or its key)"));
        break;
      case 409:
      case 422:
        status = absl::AbortedError(
            absl::StrCat("it refuses the checkpoint of ", size, " (", answer->status, ")"));
        break;
      default:
        status = absl::UnavailableError(absl::StrCat("it answered HTTP ", answer->status));
    }
  }
  if (status.ok()) status = StoreVerified(witness, checkpoint, answer->body);
  if (status.ok()) witness.known_size = size;
  Note(witness, index, status, size);
  return status;
}

absl::Status WitnessPusher::StoreVerified(const Witness& witness, const v1::Checkpoint& checkpoint,
                                          std::string_view body) {
  WAMS_ASSIGN_OR_RETURN(std::vector<std::string> lines, ParseCosignatureLines(body));
  WAMS_ASSIGN_OR_RETURN(ledger::ParsedNote note, ledger::ParseNote(checkpoint.note()));
  // Lines by other keys are ignored (the spec); one must be this witness's.
  for (const std::string& line : lines) {
    if (ledger::VerifyCosignatureLine(line, witness.target.key.name, witness.target.key.key,
                                      note.text)
            .ok()) {
      return ledger::store::StoreCosignature(backend_, checkpoint.tree_size(),
                                             witness.target.key.name, line);
    }
  }
  return absl::UnauthenticatedError("its answer holds no valid cosignature by its key");
}

void WitnessPusher::Note(Witness& witness, size_t index, const absl::Status& status,
                         uint64_t size) {
  {
    absl::MutexLock lock(&mu_);
    if (status.ok()) {
      stats_[index].cosigned_size = size;
      ++stats_[index].cosignatures;
    } else {
      ++stats_[index].failures;
    }
  }
  const absl::Time now = absl::Now();
  if (status.ok()) {
    if (witness.failing) {
      logging::LogInfo(absl::StrCat("witness ", witness.target.key.name,
                                    " cosigns again (checkpoint of ", size, ")"));
    }
    witness.failing = false;
    return;
  }
  if (!witness.failing || now - witness.last_logged >= options_.log_interval) {
    logging::LogWarning(absl::StrCat("witness ", witness.target.key.name, " (", witness.target.url,
                                     ") did not cosign the checkpoint of ", size, ": ",
                                     status.message()));
    witness.last_logged = now;
  }
  witness.failing = true;
}

}  // namespace wams::witnessing
