// admission.h: per-party rate and concurrency limits (BrokerConfig.limits).
//
// Every broker call of an identified party passes here before its core runs:
// the ExchangeService, CaseService, ConferenceService and AuditService (incl.
// the Export stream). Health and reflection do not (they carry no identity
// and reveal nothing). A party beyond a limit gets RESOURCE_EXHAUSTED naming
// the limit and the party; other parties are not affected, each has its own
// bucket and counter.
//
//   - Rate: a token bucket per party, refilled at `rate` tokens a second and
//     holding at most `burst`. A call takes a token.
//   - Concurrency: calls in flight per party. The Ticket a call holds gives
//     its slot back when released, which the handlers do just before they
//     finish the call: for a data request that is when the provider has
//     answered (or timed out), however long after the handler returned.
//   - Export streams: AuditService.Export streams open per party, counted
//     apart (and also as calls in flight): a stream holds buffers for as
//     long as it is open, so even a party without a concurrency limit may
//     hold only a few.
//
// A refused call gets no receipt: it never reaches the policy, so there is no
// decision to receipt, and a party flooding the broker must not be able to
// grow the receipt log (which auditors must verify) at its rate. Refusals are
// counted per party (Stats) and logged without any request content, at most
// one line a second per party with the count since the last line.
//
//   Admission admission(AdmissionOptions{.rate = 50, .concurrency = 20}, clock);
//   absl::StatusOr<Admission::Ticket> ticket = admission.Admit(*caller.party);
//   if (!ticket.ok()) return ticket.status();  // RESOURCE_EXHAUSTED
//   ... run the call ...
//   ticket->Release();  // or let it go out of scope
#ifndef WAMS_BROKER_SERVICES_ADMISSION_H_
#define WAMS_BROKER_SERVICES_ADMISSION_H_

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "wams/broker/v1/common.pb.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::services {

namespace v1 = ::wams::broker::v1;

// limits.per_party_export_streams when unset.
inline constexpr uint32_t kDefaultExportStreams = 2;

struct AdmissionOptions {
  // Sustained calls per second per party; 0: no limit. Default: 0.
  uint32_t rate = 0;
  // Token bucket size per party; 0: `rate`. Default: 0.
  uint32_t burst = 0;
  // Calls in flight per party; 0: no limit. Default: 0.
  uint32_t concurrency = 0;
  // Export streams open per party; 0: no limit. Default: 0 (FromLimits
  // gives kDefaultExportStreams when the config sets none).
  uint32_t export_streams = 0;

  // The options of a validated config's limits.
  static AdmissionOptions FromLimits(const v1::Limits& limits);
};

// Counters of one party, for tests and monitoring.
struct AdmissionStats {
  uint64_t admitted = 0;
  uint64_t refused_rate = 0;
  uint64_t refused_concurrency = 0;
  uint64_t refused_export_streams = 0;
  int in_flight = 0;
  int export_streams = 0;
};

// Thread-safe. Per-party state is made on a party's first call; parties come
// from the registry, so their number is bounded by the config.
class Admission {
 private:
  struct PartyState;

 public:
  // An admitted call's concurrency slot. Move-only; releases on destruction.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept : state_(other.state_), export_stream_(other.export_stream_) {
      other.state_ = nullptr;
      other.export_stream_ = false;
    }
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { Release(); }

    // Gives the slot back; later calls do nothing.
    void Release();

   private:
    friend class Admission;
    Ticket(PartyState* state, bool export_stream) : state_(state), export_stream_(export_stream) {}
    PartyState* state_ = nullptr;  // null: nothing held
    bool export_stream_ = false;   // also holds an export-stream slot
  };

  // `clock` refills the token buckets and paces the refusal log lines;
  // borrowed, must outlive the Admission.
  Admission(AdmissionOptions options, const base::Clock& clock);
  ~Admission();
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  // What is being admitted: an ordinary call, or an Export stream (which
  // also needs an export-stream slot).
  enum class CallKind { kCall, kExportStream };

  // A ticket for a call of `party`, or RESOURCE_EXHAUSTED naming the limit
  // (limits.per_party_export_streams, limits.per_party_concurrency or
  // limits.per_party_rate) and the party. A refused call takes no token.
  absl::StatusOr<Ticket> Admit(const v1::Party& party, CallKind kind = CallKind::kCall);

  // The counters of the party with `oin` (all zero before its first call).
  AdmissionStats Stats(const std::string& oin) const;

  // Whether any limit applies to calls of `kind`.
  bool enabled(CallKind kind = CallKind::kCall) const {
    return options_.rate > 0 || options_.concurrency > 0 ||
           (kind == CallKind::kExportStream && options_.export_streams > 0);
  }

 private:
  PartyState& StateOf(const v1::Party& party);
  // Logs the refusals of `state` when a second has passed since its last line.
  void MaybeLogRefusals(PartyState& state, absl::Time now);

  const AdmissionOptions options_;
  const base::Clock& clock_;
  const double burst_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<PartyState>> parties_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_ADMISSION_H_
