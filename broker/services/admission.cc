#include "broker/services/admission.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/base/logging/log.h"

namespace wams::services {

struct Admission::PartyState {
  PartyState(std::string oin_in, std::string name_in, double tokens_in, absl::Time now)
      : oin(std::move(oin_in)), name(std::move(name_in)), tokens(tokens_in), refilled(now) {}

  const std::string oin;
  const std::string name;
  absl::Mutex mu;
  double tokens ABSL_GUARDED_BY(mu);
  absl::Time refilled ABSL_GUARDED_BY(mu);
  AdmissionStats stats ABSL_GUARDED_BY(mu);  // stats.in_flight is the concurrency count
  // Refusals not yet in a log line, and when the last line was written.
  uint64_t unlogged_rate ABSL_GUARDED_BY(mu) = 0;
  uint64_t unlogged_concurrency ABSL_GUARDED_BY(mu) = 0;
  uint64_t unlogged_export_streams ABSL_GUARDED_BY(mu) = 0;
  absl::Time logged ABSL_GUARDED_BY(mu) = absl::InfinitePast();
};

AdmissionOptions AdmissionOptions::FromLimits(const v1::Limits& limits) {
  AdmissionOptions options;
  options.rate = limits.per_party_rate();
  options.burst = limits.per_party_burst();
  options.concurrency = limits.per_party_concurrency();
  options.export_streams = limits.per_party_export_streams() > 0 ? limits.per_party_export_streams()
                                                                 : kDefaultExportStreams;
  return options;
}

Admission::Ticket& Admission::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    Release();
    state_ = other.state_;
    export_stream_ = other.export_stream_;
    other.state_ = nullptr;
    other.export_stream_ = false;
  }
  return *this;
}

void Admission::Ticket::Release() {
  if (state_ == nullptr) return;
  absl::MutexLock lock(&state_->mu);
  --state_->stats.in_flight;
  if (export_stream_) --state_->stats.export_streams;
  state_ = nullptr;
  export_stream_ = false;
}

Admission::Admission(AdmissionOptions options, const base::Clock& clock)
    : options_(options),
      clock_(clock),
      burst_(options_.burst > 0 ? options_.burst : options_.rate) {}

Admission::~Admission() = default;

Admission::PartyState& Admission::StateOf(const v1::Party& party) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto found = parties_.find(party.oin()); found != parties_.end()) return *found->second;
  }
  absl::MutexLock lock(&mu_);
  std::unique_ptr<PartyState>& state = parties_[party.oin()];
  // A party starts with a full bucket: its first burst is allowed.
  if (state == nullptr) {
    state = std::make_unique<PartyState>(party.oin(), party.name(), burst_, clock_.Now());
  }
  return *state;
}

absl::StatusOr<Admission::Ticket> Admission::Admit(const v1::Party& party, CallKind kind) {
  if (!enabled(kind)) return Ticket();
  PartyState& state = StateOf(party);
  absl::Time now = clock_.Now();
  absl::MutexLock lock(&state.mu);
  const bool export_stream = kind == CallKind::kExportStream && options_.export_streams > 0;
  if (export_stream && state.stats.export_streams >= static_cast<int>(options_.export_streams)) {
    ++state.stats.refused_export_streams;
    ++state.unlogged_export_streams;
    MaybeLogRefusals(state, now);
    return absl::ResourceExhaustedError(
        absl::StrCat("limits.per_party_export_streams: ", state.name, " (OIN ", state.oin,
                     ") already has ", options_.export_streams,
                     " export streams open, the most allowed; retry when one has finished"));
  }
  if (options_.concurrency > 0 && state.stats.in_flight >= static_cast<int>(options_.concurrency)) {
    ++state.stats.refused_concurrency;
    ++state.unlogged_concurrency;
    MaybeLogRefusals(state, now);
    return absl::ResourceExhaustedError(absl::StrCat(
        "limits.per_party_concurrency: ", state.name, " (OIN ", state.oin, ") already has ",
        options_.concurrency, " calls in flight, the most allowed; retry when one has finished"));
  }
  if (options_.rate > 0) {
    double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - state.refilled));
    state.tokens = std::min(burst_, state.tokens + elapsed * options_.rate);
    state.refilled = now;
    if (state.tokens < 1.0) {
      ++state.stats.refused_rate;
      ++state.unlogged_rate;
      MaybeLogRefusals(state, now);
      auto wait_ms = static_cast<int64_t>(std::ceil((1.0 - state.tokens) * 1000 / options_.rate));
      return absl::ResourceExhaustedError(absl::StrCat(
          "limits.per_party_rate: ", state.name, " (OIN ", state.oin, ") exceeds ", options_.rate,
          " calls a second (burst ", burst_, "); retry in ", wait_ms, " ms"));
    }
    state.tokens -= 1.0;
  }
  ++state.stats.admitted;
  // A ticket counts in flight whenever it holds anything, so Release can
  // always give back what it took.
  if (options_.concurrency == 0 && !export_stream) return Ticket();
  ++state.stats.in_flight;
  if (export_stream) ++state.stats.export_streams;
  return Ticket(&state, export_stream);
}

// Called with state.mu held. The assertion tells the thread-safety analysis
// so (PartyState is not complete in the header, where the declaration could
// say ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mu)).
void Admission::MaybeLogRefusals(PartyState& state, absl::Time now) {
  state.mu.AssertHeld();
  if (now - state.logged < absl::Seconds(1)) return;
  state.logged = now;
  // One write(2) under the party's lock: rare (once a second at most) and short.
  logging::LogWarning(absl::StrCat(
      "limits: refused calls of ", state.name, " (OIN ", state.oin, "): ", state.unlogged_rate,
      " over limits.per_party_rate, ", state.unlogged_concurrency,
      " over limits.per_party_concurrency, ", state.unlogged_export_streams,
      " over limits.per_party_export_streams (since the last line)"));
  state.unlogged_rate = 0;
  state.unlogged_concurrency = 0;
  state.unlogged_export_streams = 0;
}

AdmissionStats Admission::Stats(const std::string& oin) const {
  PartyState* state = nullptr;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto found = parties_.find(oin);
    if (found == parties_.end()) return AdmissionStats();
    state = found->second.get();
  }
  absl::MutexLock lock(&state->mu);
  return state->stats;
}

}  // namespace wams::services
