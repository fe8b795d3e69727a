// scrape_gauges.h: gauges whose values are read when Prometheus scrapes.
//
// For state that already lives elsewhere (the ledger's tree size, a
// party's admission counters, free disk space): instead of copying it into a
// gauge on every change, a callback reads it at scrape time. Each family has
// a fixed label set chosen by its owner, which must keep it bounded.
//
//   auto gauges = std::make_shared<ScrapeGauges>();
//   gauges->Add("wams_ledger_tree_size", "Receipts in the log.", prometheus::MetricType::Gauge,
//               [&] { return std::vector<Sample>{{{}, double(ledger.TreeSize())}}; });
//   endpoint.Register(gauges);
//
// Thread-safe: Add and Collect may run concurrently; callbacks run on the
// scraping thread and must be thread-safe themselves.
#ifndef WAMS_BROKER_BASE_METRICS_SCRAPE_GAUGES_H_
#define WAMS_BROKER_BASE_METRICS_SCRAPE_GAUGES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/collectable.h"
#include "prometheus/labels.h"
#include "prometheus/metric_family.h"
#include "prometheus/metric_type.h"

namespace wams::metrics {

// One value of a family, with its labels.
struct Sample {
  prometheus::Labels labels;
  double value = 0;
};

class ScrapeGauges : public prometheus::Collectable {
 public:
  using Read = std::function<std::vector<Sample>()>;

  // `type` is Gauge or Counter (a counter's callback must never decrease).
  void Add(std::string name, std::string help, prometheus::MetricType type, Read read);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Family {
    std::string name;
    std::string help;
    prometheus::MetricType type;
    Read read;
  };
  mutable absl::Mutex mu_;
  std::vector<Family> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::metrics

#endif  // WAMS_BROKER_BASE_METRICS_SCRAPE_GAUGES_H_
