#include "adapters/backends/http_backend.h"

#include <curl/curl.h>

#include <mutex>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "nlohmann/json.hpp"
#include "proto/wire/field_validator.h"

namespace wams::adapters {
namespace {

using Json = nlohmann::json;

constexpr char kBsnPlaceholder[] = "{bsn}";
constexpr char kNoBsn[] =
    "the request carries no BSN, and this party finds people by BSN only (R19)";

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Body {
  std::string bytes;
  size_t limit = 0;
  bool too_large = false;
};

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  Body* body = static_cast<Body*>(user);
  size_t length = size * count;
  if (body->bytes.size() + length > body->limit) {
    body->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  body->bytes.append(data, length);
  return length;
}

// "Name: value" for a request header, or the reason it is not built: `value`
// must keep the field rule of the ProviderRequest `field` it comes from and,
// whatever that rule says, hold no control character (CR/LF would end the
// header and start the caller's own).
absl::StatusOr<std::string> HeaderLine(absl::string_view name, absl::string_view field,
                                       absl::string_view value) {
  const v1::FieldRule& rule = wire::RuleOf(*v1::ProviderRequest::descriptor(), field);
  if (std::optional<wire::Violation> bad = wire::CheckValue(field, rule, value)) {
    return bad->ToStatus();
  }
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": holds a control character"));
    }
  }
  return absl::StrCat(name, ": ", value);
}

// libcurl's global set-up is not thread-safe and must run once before any
// handle exists; Create is the first point an adapter touches libcurl.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpBackend>> HttpBackend::Create(HttpBackendOptions options) {
  if (options.url_templates.empty()) {
    return absl::InvalidArgumentError("url_templates: at least one category is required");
  }
  for (const auto& [category, url] : options.url_templates) {
    if (!absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
      return absl::InvalidArgumentError(
          absl::StrCat("url_templates['", category, "']: must start with http:// or https://"));
    }
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("timeout: must be positive");
  }
  if (options.max_body_bytes == 0) {
    return absl::InvalidArgumentError("max_body_bytes: must be positive");
  }
  InitCurlOnce();
  return std::unique_ptr<HttpBackend>(new HttpBackend(std::move(options)));
}

CategoryAnswer HttpBackend::Fetch(const v1::ProviderRequest& request, absl::string_view category) {
  auto it = options_.url_templates.find(category);
  if (it == options_.url_templates.end()) {
    return CategoryAnswer::Unavailable("no URL is configured for this category");
  }
  bool needs_bsn = absl::StrContains(it->second, kBsnPlaceholder);
  if (needs_bsn && request.subject_bsn().empty()) return CategoryAnswer::Withheld(kNoBsn);
  // The SDK has checked the BSN is nine digits, so it needs no URL escaping.
  std::string url = absl::StrReplaceAll(it->second, {{kBsnPlaceholder, request.subject_bsn()}});

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) return CategoryAnswer::Unavailable("cannot create an HTTP client handle");
  // No header is built from a value that was not checked here, whatever the
  // SDK checked before: a partner's system trusts these headers.
  std::vector<absl::StatusOr<std::string>> lines = {
      std::string("Accept: application/json"),
      HeaderLine("X-Wams-Request-Id", "request_id", request.request_id()),
      HeaderLine("X-Wams-Transaction-Id", "transaction_id", request.transaction_id()),
      HeaderLine("X-Wams-Requester-Oin", "requester_oin", request.requester_oin()),
      absl::StrCat("X-Wams-Purpose: ", v1::Purpose_Name(request.purpose())),
  };
  if (!request.traceparent().empty()) {
    lines.push_back(HeaderLine("traceparent", "traceparent", request.traceparent()));
  }
  curl_slist* raw_headers = nullptr;
  for (const absl::StatusOr<std::string>& line : lines) {
    if (!line.ok()) {
      curl_slist_free_all(raw_headers);
      return CategoryAnswer::Unavailable(
          absl::StrCat("refused to send an unsafe header value: ", line.status().message()));
    }
    raw_headers = curl_slist_append(raw_headers, line->c_str());
  }
  std::unique_ptr<curl_slist, CurlDeleter> headers(raw_headers);

  Body body;
  body.limit = options_.max_body_bytes;
  long timeout_ms = static_cast<long>(absl::ToInt64Milliseconds(options_.timeout));
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could carry the BSN away
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);        // required with threads
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &body);
  if (!options_.ca_bundle_file.empty()) {
    curl_easy_setopt(handle, CURLOPT_CAINFO, options_.ca_bundle_file.c_str());
  }

  CURLcode code = curl_easy_perform(handle);
  if (body.too_large) {
    return CategoryAnswer::Unavailable(
        absl::StrCat("the party's system sent more than ", options_.max_body_bytes, " bytes"));
  }
  if (code != CURLE_OK) {
    // curl_easy_strerror names the failure without the URL, which holds the BSN.
    return CategoryAnswer::Unavailable(
        absl::StrCat("the party's system did not answer: ", curl_easy_strerror(code)));
  }
  long http_status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &http_status);

  if (http_status >= 200 && http_status < 300) {
    if (!Json::accept(body.bytes)) {
      return CategoryAnswer::Unavailable(absl::StrCat(
          "the party's system answered HTTP ", http_status, " with a body that is not JSON"));
    }
    return CategoryAnswer::Data(std::move(body.bytes));
  }
  if (http_status == 404) return CategoryAnswer::NotHeld();
  if (http_status == 403 || http_status == 451) {
    Json reply = Json::parse(body.bytes, nullptr, /*allow_exceptions=*/false);
    if (reply.is_object() && reply.contains("withheld_reason") &&
        reply["withheld_reason"].is_string() &&
        !reply["withheld_reason"].get<std::string>().empty()) {
      return CategoryAnswer::Withheld(reply["withheld_reason"].get<std::string>());
    }
  }
  return CategoryAnswer::Unavailable(
      absl::StrCat("the party's system answered HTTP ", http_status));
}

}  // namespace wams::adapters
