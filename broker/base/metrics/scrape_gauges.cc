#include "broker/base/metrics/scrape_gauges.h"

#include <utility>

namespace wams::metrics {

void ScrapeGauges::Add(std::string name, std::string help, prometheus::MetricType type, Read read) {
  absl::MutexLock lock(&mu_);
  families_.push_back(Family{std::move(name), std::move(help), type, std::move(read)});
}

std::vector<prometheus::MetricFamily> ScrapeGauges::Collect() const {
  absl::MutexLock lock(&mu_);
  std::vector<prometheus::MetricFamily> out;
  out.reserve(families_.size());
  for (const Family& family : families_) {
    prometheus::MetricFamily& collected = out.emplace_back();
    collected.name = family.name;
    collected.help = family.help;
    collected.type = family.type;
    for (Sample& sample : family.read()) {
      prometheus::ClientMetric& metric = collected.metric.emplace_back();
      for (auto& [name, value] : sample.labels) metric.label.push_back({name, value});
      if (family.type == prometheus::MetricType::Counter) {
        metric.counter.value = sample.value;
      } else {
        metric.gauge.value = sample.value;
      }
    }
  }
  return out;
}

}  // namespace wams::metrics
