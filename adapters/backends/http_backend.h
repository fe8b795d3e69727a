// http_backend.h: a Backend asking the party's own system over HTTP(S)/JSON.
//
// One GET per category to its URL template, with "{bsn}" replaced by the
// subject's BSN. The BSN thus travels in the URL: configure only the party's
// own system, on a network the party controls, or use https. The reply decides
// the answer:
//   2xx with a JSON body                    -> provided, the body as is
//   404                                     -> the party holds none
//   403 or 451 with {"withheld_reason": s}  -> withheld for weighty reasons s (R16)
//   anything else, a timeout, a refused
//   connection, a body that is not JSON     -> unavailable, with a reason that
//                                              names no URL (it holds the BSN)
// Each call also sends the request's ids (X-Wams-Request-Id,
// X-Wams-Transaction-Id, X-Wams-Requester-Oin, X-Wams-Purpose, traceparent),
// so the party's system can log the access in its own audit trail.
//
// A share from the municipality (R21) is one POST of its JSON document
// (share_document.h) to `share_url`, with the same headers:
//   2xx                                          -> accepted
//   403, 422 or 451 with {"refused_reason": s}   -> refused, s goes to the municipality
//   anything else, a timeout, a refused
//   connection                                   -> unavailable (a retry may succeed)
// The party's system must take a share delivered again under the same
// X-Wams-Transaction-Id once only.
//
//   HttpBackendOptions options;
//   options.url_templates["attendance"] = "http://10.0.0.5:8080/clients/{bsn}/attendance";
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<HttpBackend> backend, HttpBackend::Create(options));
#ifndef WAMS_ADAPTERS_BACKENDS_HTTP_BACKEND_H_
#define WAMS_ADAPTERS_BACKENDS_HTTP_BACKEND_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/sdk/backend.h"

namespace wams::adapters {

struct HttpBackendOptions {
  // Category -> URL template (http:// or https://). Default: none; at least one.
  absl::flat_hash_map<std::string, std::string> url_templates;
  // Limit for one call, connecting included. Keep the sum over a request's
  // categories under the broker's provider deadline. Default: 2 seconds.
  absl::Duration timeout = absl::Seconds(2);
  // Largest body accepted; a larger one makes the category unavailable.
  // Default: 1 MiB.
  size_t max_body_bytes = size_t{1} << 20;
  // CA bundle for https URLs. Default: empty, the system's CA store.
  std::string ca_bundle_file;
  // Where shares are POSTed (http:// or https://). Default: empty, every share
  // refused.
  std::string share_url;
};

// Thread-safe: every Fetch and Receive uses its own libcurl handle.
class HttpBackend : public Backend {
 public:
  // INVALID_ARGUMENT naming the category whose template, or share_url when
  // it, is not an http(s) URL; or a non-positive timeout or body limit.
  static absl::StatusOr<std::unique_ptr<HttpBackend>> Create(HttpBackendOptions options);

  CategoryAnswer Fetch(const v1::ProviderRequest& request, absl::string_view category) override;
  ShareAnswer Receive(const v1::ProviderRequest& share) override;

 private:
  explicit HttpBackend(HttpBackendOptions options) : options_(std::move(options)) {}

  const HttpBackendOptions options_;
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_BACKENDS_HTTP_BACKEND_H_
