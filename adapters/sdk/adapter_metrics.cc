#include "adapters/sdk/adapter_metrics.h"

#include "absl/time/clock.h"

namespace wams::adapters {
namespace {

// Seconds: from a records file (~10 us) to a party system at its timeout.
const prometheus::Histogram::BucketBoundaries& BackendBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

absl::string_view OutcomeOf(CategoryAnswer::Kind kind) {
  switch (kind) {
    case CategoryAnswer::Kind::kData:
      return "data";
    case CategoryAnswer::Kind::kNotHeld:
      return "not_held";
    case CategoryAnswer::Kind::kWithheld:
      return "withheld";
    case CategoryAnswer::Kind::kUnavailable:
      return "unavailable";
  }
  return "unavailable";
}

absl::string_view OutcomeOf(ShareAnswer::Kind kind) {
  switch (kind) {
    case ShareAnswer::Kind::kAccepted:
      return "accepted";
    case ShareAnswer::Kind::kRefused:
      return "refused";
    case ShareAnswer::Kind::kUnavailable:
      return "unavailable";
  }
  return "unavailable";
}

}  // namespace

AdapterMetrics::AdapterMetrics(prometheus::Registry& registry)
    : backend_seconds_(prometheus::BuildHistogram()
                           .Name("wams_adapter_backend_seconds")
                           .Help("The party system's (Backend's) answer time per call, by method "
                                 "(fetch: one category, receive: one share) and outcome.")
                           .Register(registry)),
      refusals_(prometheus::BuildCounter()
                    .Name("wams_adapter_refusals_total")
                    .Help("Requests the adapter refused, and categories it withheld, by reason "
                          "and the Wams rule applied.")
                    .Register(registry)) {}

void AdapterMetrics::ObserveBackend(absl::string_view method, absl::string_view outcome,
                                    absl::Duration latency) {
  backend_seconds_
      .Add({{"method", std::string(method)}, {"outcome", std::string(outcome)}}, BackendBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
}

void AdapterMetrics::CountRefusal(absl::string_view reason, absl::string_view rule) {
  refusals_.Add({{"reason", std::string(reason)}, {"rule", std::string(rule)}}).Increment();
}

std::pair<std::string, std::string> RefusalOfOutcome(absl::string_view tag) {
  if (tag == "not_offered") return {"not_offered", ""};
  if (tag == "no_consent") return {"no_consent", "R17"};
  if (tag == "no_good_care_judgement") return {"no_good_care_judgement", "R17"};
  if (tag == "no_legal_basis") return {"no_legal_basis", "R18"};
  if (tag == "withheld") return {"withheld", "R16"};
  if (tag == "not_accepted") return {"not_accepted", "R21"};
  if (tag == "refused") return {"share_refused", ""};
  return {"", ""};
}

CategoryAnswer MeteredBackend::Fetch(const v1::ProviderRequest& request,
                                     absl::string_view category) {
  const absl::Time start = absl::Now();
  CategoryAnswer answer = backend_.Fetch(request, category);
  metrics_.ObserveBackend("fetch", OutcomeOf(answer.kind), absl::Now() - start);
  return answer;
}

ShareAnswer MeteredBackend::Receive(const v1::ProviderRequest& share) {
  const absl::Time start = absl::Now();
  ShareAnswer answer = backend_.Receive(share);
  metrics_.ObserveBackend("receive", OutcomeOf(answer.kind), absl::Now() - start);
  return answer;
}

}  // namespace wams::adapters
