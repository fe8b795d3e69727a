// adapter_metrics.h: what an adapter's metrics endpoint shows beyond its
// calls and connections: its backend's latency and its refusals.
//
//   wams_adapter_backend_seconds{method, outcome}   one Backend::Fetch or Receive
//   wams_adapter_refusals_total{reason, rule}       requests refused, categories withheld
//
// `method` is "fetch" or "receive"; `outcome` what the backend answered
// ("data", "not_held", "withheld", "unavailable"; "accepted", "refused",
// "unavailable"). A refusal's `reason` is a fixed tag (the request's:
// "unauthenticated", "not_the_broker", "invalid_request", "forbidden_purpose",
// "too_few_subject_details"; a category's, as the call line's detail names
// it: "not_offered", "no_consent", "no_good_care_judgement",
// "no_legal_basis", "withheld", "not_accepted", "share_refused") and `rule`
// the Wams rule it applies ("" for none). Every label is bounded: never a
// category, OIN, id or BSN.
//
//   AdapterMetrics metrics(endpoint.registry());
//   MeteredBackend metered(backend, metrics);     // hand `metered` to the policy
//   metrics.CountRefusal("forbidden_purpose", "R08");
//
// Thread-safe; must outlive the backends it meters.
#ifndef WAMS_ADAPTERS_SDK_ADAPTER_METRICS_H_
#define WAMS_ADAPTERS_SDK_ADAPTER_METRICS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "adapters/sdk/backend.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace wams::adapters {

class AdapterMetrics {
 public:
  explicit AdapterMetrics(prometheus::Registry& registry);

  // One backend call of `method` ("fetch", "receive") that answered `outcome`.
  void ObserveBackend(absl::string_view method, absl::string_view outcome, absl::Duration latency);
  // One refusal: a whole request, or one category of it.
  void CountRefusal(absl::string_view reason, absl::string_view rule);

 private:
  prometheus::Family<prometheus::Histogram>& backend_seconds_;
  prometheus::Family<prometheus::Counter>& refusals_;
};

// The refusal reason and rule ("" for none) of a category's outcome tag in
// an Answer (answer_policy.h, share_policy.h); {"", ""} when the tag is no
// refusal ("provided", "accepted", "not_held", "unavailable").
std::pair<std::string, std::string> RefusalOfOutcome(absl::string_view tag);

// Times every call to `backend` into `metrics`. Thread-safe when `backend` is.
class MeteredBackend : public Backend {
 public:
  MeteredBackend(Backend& backend, AdapterMetrics& metrics)
      : backend_(backend), metrics_(metrics) {}

  CategoryAnswer Fetch(const v1::ProviderRequest& request, absl::string_view category) override;
  ShareAnswer Receive(const v1::ProviderRequest& share) override;

 private:
  Backend& backend_;
  AdapterMetrics& metrics_;
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_ADAPTER_METRICS_H_
