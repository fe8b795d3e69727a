#include "broker/services/broker_metrics.h"

#include <sys/statvfs.h>

#include <cctype>
#include <vector>

#include "absl/status/status.h"
#include "broker/base/metrics/scrape_gauges.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::services {
namespace {

using metrics::Sample;
using prometheus::Histogram;
using prometheus::MetricType;

namespace v1 = ::wams::broker::v1;

// The services whose calls are counted by method.
const std::vector<std::string>& BrokerServices() {
  static const auto* services = new std::vector<std::string>{
      "wams.broker.v1.ExchangeService", "wams.broker.v1.CaseService",
      "wams.broker.v1.ConferenceService", "wams.broker.v1.AuditService"};
  return *services;
}

// "RECEIPT_KIND_DECISION" -> "decision".
std::string Lower(const std::string& enum_name, size_t prefix) {
  std::string out = enum_name.size() > prefix ? enum_name.substr(prefix) : enum_name;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string KindLabel(v1::ReceiptKind kind) {
  return Lower(v1::ReceiptKind_Name(kind), sizeof("RECEIPT_KIND_") - 1);
}

std::string OutcomeLabel(v1::ReceiptOutcome outcome) {
  return Lower(v1::ReceiptOutcome_Name(outcome), sizeof("RECEIPT_OUTCOME_") - 1);
}

// Rule ids come from the policy's catalogue and the validation ids: short
// upper-case words. Anything else is not made a label.
std::string RuleLabel(const std::string& rule) {
  if (rule.empty() || rule.size() > 32) return "other";
  for (char c : rule) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      return "other";
    }
  }
  return rule;
}

Histogram::BucketBoundaries SecondsBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
}

Histogram::BucketBoundaries BatchBuckets() { return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}; }

std::vector<Sample> One(double value) { return {Sample{{}, value}}; }

}  // namespace

BrokerMetrics::BrokerMetrics()
    : calls_(endpoint_.registry(), BrokerServices()),
      receipts_(prometheus::BuildCounter()
                    .Name("wams_receipts_total")
                    .Help("Durable receipts, by kind (decision, provider_answer, ...) and outcome "
                          "(granted, refused, ...): every decision the broker made.")
                    .Register(endpoint_.registry())),
      failed_rules_(prometheus::BuildCounter()
                        .Name("wams_receipt_failed_rules_total")
                        .Help("Failed rule ids on durable receipts, by receipt kind and rule id.")
                        .Register(endpoint_.registry())),
      append_seconds_(prometheus::BuildHistogram()
                          .Name("wams_ledger_append_seconds")
                          .Help("Time from a receipt's append to its being durable.")
                          .Register(endpoint_.registry())
                          .Add({}, SecondsBuckets())),
      commit_seconds_(prometheus::BuildHistogram()
                          .Name("wams_ledger_commit_seconds")
                          .Help("Time of one group commit's durable storage write.")
                          .Register(endpoint_.registry())
                          .Add({}, SecondsBuckets())),
      commit_receipts_(prometheus::BuildHistogram()
                           .Name("wams_ledger_commit_receipts")
                           .Help("Receipts per group commit.")
                           .Register(endpoint_.registry())
                           .Add({}, BatchBuckets())),
      provider_seconds_(prometheus::BuildHistogram()
                            .Name("wams_provider_call_seconds")
                            .Help("Provider (adapter) call latency, by provider OIN.")
                            .Register(endpoint_.registry())),
      provider_calls_(prometheus::BuildCounter()
                          .Name("wams_provider_calls_total")
                          .Help("Provider (adapter) calls, by provider OIN and gRPC code.")
                          .Register(endpoint_.registry())),
      checkpoint_unix_nanos_(absl::ToUnixNanos(absl::Now())) {}

void BrokerMetrics::ObserveProviderCall(const std::string& oin, absl::StatusCode code,
                                        absl::Duration latency) {
  provider_seconds_.Add({{"provider_oin", oin}}, SecondsBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
  provider_calls_
      .Add({{"provider_oin", oin},
            {"grpc_code", metrics::CodeName(static_cast<grpc::StatusCode>(code))}})
      .Increment();
}

void BrokerMetrics::OnGroupCommitted(absl::Duration write_time,
                                     std::span<const ledger::store::CommittedReceipt> receipts) {
  commit_seconds_.Observe(absl::ToDoubleSeconds(write_time));
  commit_receipts_.Observe(static_cast<double>(receipts.size()));
  for (const ledger::store::CommittedReceipt& r : receipts) {
    const std::string kind = KindLabel(r.kind);
    receipts_.Add({{"kind", kind}, {"outcome", OutcomeLabel(r.outcome)}}).Increment();
    for (const std::string& rule : r.failed_rule_ids) {
      failed_rules_.Add({{"kind", kind}, {"rule", RuleLabel(rule)}}).Increment();
    }
    append_seconds_.Observe(absl::ToDoubleSeconds(r.append_latency));
  }
}

void BrokerMetrics::OnCheckpointStored(uint64_t /*tree_size*/) {
  checkpoint_unix_nanos_.store(absl::ToUnixNanos(absl::Now()), std::memory_order_relaxed);
}

void BrokerMetrics::Watch(const WatchedParts& parts) {
  auto gauges = std::make_shared<metrics::ScrapeGauges>();
  const ledger::store::Ledger* ledger = parts.ledger;
  gauges->Add("wams_ledger_tree_size", "Receipts in the log (durable).", MetricType::Gauge,
              [ledger] { return One(static_cast<double>(ledger->TreeSize())); });
  gauges->Add("wams_ledger_checkpoint_tree_size", "Tree size of the latest checkpoint.",
              MetricType::Gauge, [ledger] {
                absl::StatusOr<v1::Checkpoint> cp = ledger->LatestCheckpoint();
                return One(cp.ok() ? static_cast<double>(cp->tree_size()) : 0);
              });
  gauges->Add("wams_ledger_checkpoint_age_seconds",
              "Seconds since this broker last stored a checkpoint (since its start before the "
              "first).",
              MetricType::Gauge, [this] {
                return One(absl::ToDoubleSeconds(
                    absl::Now() - absl::FromUnixNanos(checkpoint_unix_nanos_.load())));
              });
  gauges->Add("wams_ledger_writable", "1 while the receipt log can write, else 0.",
              MetricType::Gauge, [ledger] { return One(ledger->WriteHealth().ok() ? 1 : 0); });
  gauges->Add("wams_ledger_recoveries_total", "Recoveries of the receipt log after a failed write.",
              MetricType::Counter,
              [ledger] { return One(static_cast<double>(ledger->recoveries())); });

  if (const witnessing::WitnessPusher* witnesses = parts.witnesses; witnesses != nullptr) {
    // Per witness (by its name, from the config): what it cosigned and how
    // often a push failed.
    auto per_witness = [witnesses](auto value) {
      std::vector<Sample> samples;
      for (const witnessing::WitnessStats& w : witnesses->Stats()) {
        samples.push_back({{{"witness", w.name}}, static_cast<double>(value(w))});
      }
      return samples;
    };
    gauges->Add(
        "wams_witness_cosigned_tree_size",
        "Tree size of the newest checkpoint the witness cosigned since the start.",
        MetricType::Gauge, [per_witness] {
          return per_witness([](const witnessing::WitnessStats& w) { return w.cosigned_size; });
        });
    gauges->Add(
        "wams_witness_cosignatures_total", "Cosignatures received and stored.", MetricType::Counter,
        [per_witness] {
          return per_witness([](const witnessing::WitnessStats& w) { return w.cosignatures; });
        });
    gauges->Add("wams_witness_failures_total",
                "Pushes that got no cosignature (unreachable, refused, or a bad answer).",
                MetricType::Counter, [per_witness] {
                  return per_witness([](const witnessing::WitnessStats& w) { return w.failures; });
                });
  }

  const storage::Backend* storage = parts.storage;
  gauges->Add("wams_storage_writer", "1 while this broker is the storage writer, else 0.",
              MetricType::Gauge, [storage] {
                return std::vector<Sample>{{{{"backend", std::string(storage->name())}},
                                            storage->WriteHealth().ok() ? 1.0 : 0.0}};
              });
  gauges->Add("wams_storage_writer_epoch",
              "The storage writer epoch; changes every time this broker becomes the writer.",
              MetricType::Gauge,
              [storage] { return One(static_cast<double>(storage->writer_epoch())); });
  if (!parts.rocksdb_dir.empty()) {
    const std::string dir = parts.rocksdb_dir;
    gauges->Add("wams_storage_free_bytes",
                "Free bytes on the file system of the RocksDB directory.", MetricType::Gauge,
                [dir] {
                  struct statvfs fs {};
                  if (statvfs(dir.c_str(), &fs) != 0) return One(0);
                  return One(static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize));
                });
    gauges->Add("wams_storage_reserve_bytes",
                "Free bytes below which the broker refuses writes (the RocksDB reserve).",
                MetricType::Gauge,
                [] { return One(static_cast<double>(storage::RocksDbOptions{}.min_free_bytes)); });
  }

  if (parts.retention != nullptr) {
    const retention::RetentionJob* job = parts.retention;
    gauges->Add("wams_retention_items_removed_total",
                "Records removed and keys shredded by the retention job (cases, consents, "
                "conference records, subject-index entries, keys).",
                MetricType::Counter,
                [job] { return One(static_cast<double>(job->stats().items_removed)); });
    gauges->Add("wams_retention_runs_total", "Runs of the retention job, by outcome.",
                MetricType::Counter, [job] {
                  retention::RetentionJob::Stats stats = job->stats();
                  return std::vector<Sample>{
                      {{{"outcome", "ok"}}, static_cast<double>(stats.runs - stats.failed_runs)},
                      {{{"outcome", "failed"}}, static_cast<double>(stats.failed_runs)}};
                });
    gauges->Add("wams_retention_last_run_timestamp_seconds",
                "When the last retention run ended (Unix seconds); 0 before the first.",
                MetricType::Gauge, [job] {
                  absl::Time last = job->stats().last_run;
                  return One(last == absl::InfinitePast()
                                 ? 0.0
                                 : static_cast<double>(absl::ToUnixSeconds(last)));
                });
  }

  const Admission* admission = parts.admission;
  const std::vector<std::string> oins = parts.party_oins;
  gauges->Add("wams_admission_refusals_total",
              "Calls refused by a party's limits, by party OIN and the limit (setting).",
              MetricType::Counter, [admission, oins] {
                std::vector<Sample> samples;
                for (const std::string& oin : oins) {
                  AdmissionStats stats = admission->Stats(oin);
                  samples.push_back({{{"party_oin", oin}, {"limit", "per_party_rate"}},
                                     static_cast<double>(stats.refused_rate)});
                  samples.push_back({{{"party_oin", oin}, {"limit", "per_party_concurrency"}},
                                     static_cast<double>(stats.refused_concurrency)});
                  samples.push_back({{{"party_oin", oin}, {"limit", "per_party_export_streams"}},
                                     static_cast<double>(stats.refused_export_streams)});
                }
                return samples;
              });
  gauges->Add("wams_admission_in_flight", "Calls in flight per party OIN.", MetricType::Gauge,
              [admission, oins] {
                std::vector<Sample> samples;
                samples.reserve(oins.size());
                for (const std::string& oin : oins) {
                  samples.push_back(
                      {{{"party_oin", oin}}, static_cast<double>(admission->Stats(oin).in_flight)});
                }
                return samples;
              });

  const listener::BoundedListener* listener = parts.listener;
  gauges->Add("wams_open_connections",
              "Connections open on the gRPC port, handshaking or established (as of the "
              "listener's last sweep).",
              MetricType::Gauge, [listener] { return One(listener->open_connections()); });
  gauges->Add("wams_connections_handshaking",
              "Connections open on the gRPC port that have not carried a call yet, as of the "
              "listener's last sweep: mostly TLS handshakes in progress (a gRPC client connects "
              "for its first call).",
              MetricType::Gauge, [listener] { return One(listener->handshaking_connections()); });
  gauges->Add("wams_max_connections", "The bound on open connections (limits.max_connections).",
              MetricType::Gauge, [listener] { return One(listener->max_connections()); });
  gauges->Add("wams_connections_refused_total",
              "Connections closed at once because the bound was reached.", MetricType::Counter,
              [listener] { return One(static_cast<double>(listener->refused_at_bound_total())); });
  endpoint_.Register(std::move(gauges));
}

}  // namespace wams::services
