#include "adapters/backends/http_backend.h"

#include <curl/curl.h>

#include <mutex>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/backends/share_document.h"
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

// What the party's system answered to one call.
struct Reply {
  // Set when there is no HTTP answer to look at: the reason, naming no URL
  // (it may hold the BSN).
  std::string failure;
  long http_status = 0;
  std::string body;
};

// The request's ids as headers, so the party's system can log the access in
// its own audit trail, after `first`. No header is built from a value that was
// not checked here, whatever the SDK checked before: a partner's system trusts
// these headers. The reason when a value is unsafe.
absl::StatusOr<std::unique_ptr<curl_slist, CurlDeleter>> AuditHeaders(
    const v1::ProviderRequest& request, std::vector<absl::StatusOr<std::string>> lines) {
  lines.push_back(HeaderLine("X-Wams-Request-Id", "request_id", request.request_id()));
  lines.push_back(HeaderLine("X-Wams-Transaction-Id", "transaction_id", request.transaction_id()));
  lines.push_back(HeaderLine("X-Wams-Requester-Oin", "requester_oin", request.requester_oin()));
  lines.push_back(absl::StrCat("X-Wams-Purpose: ", v1::Purpose_Name(request.purpose())));
  // W3C Trace Context, as the SDK set it: the adapter's span as the parent.
  if (!request.traceparent().empty()) {
    lines.push_back(HeaderLine("traceparent", "traceparent", request.traceparent()));
  }
  if (!request.tracestate().empty()) {
    lines.push_back(HeaderLine("tracestate", "tracestate", request.tracestate()));
  }
  curl_slist* raw_headers = nullptr;
  for (const absl::StatusOr<std::string>& line : lines) {
    if (!line.ok()) {
      curl_slist_free_all(raw_headers);
      return absl::InvalidArgumentError(
          absl::StrCat("refused to send an unsafe header value: ", line.status().message()));
    }
    raw_headers = curl_slist_append(raw_headers, line->c_str());
  }
  return std::unique_ptr<curl_slist, CurlDeleter>(raw_headers);
}

// One call to `url` with `headers`: a GET, or a POST of `post_body` when set.
Reply Call(const HttpBackendOptions& options, const std::string& url, curl_slist* headers,
           const std::string* post_body) {
  Reply reply;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) {
    reply.failure = "cannot create an HTTP client handle";
    return reply;
  }
  Body body;
  body.limit = options.max_body_bytes;
  long timeout_ms = static_cast<long>(absl::ToInt64Milliseconds(options.timeout));
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could carry the BSN away
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);        // required with threads
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &body);
  if (post_body != nullptr) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, post_body->data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(post_body->size()));
  }
  if (!options.ca_bundle_file.empty()) {
    curl_easy_setopt(handle, CURLOPT_CAINFO, options.ca_bundle_file.c_str());
  }

  CURLcode code = curl_easy_perform(handle);
  if (body.too_large) {
    reply.failure =
        absl::StrCat("the party's system sent more than ", options.max_body_bytes, " bytes");
    return reply;
  }
  if (code != CURLE_OK) {
    // curl_easy_strerror names the failure without the URL, which holds the BSN.
    reply.failure = absl::StrCat("the party's system did not answer: ", curl_easy_strerror(code));
    return reply;
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.http_status);
  reply.body = std::move(body.bytes);
  return reply;
}

// The string `key` of a JSON object body, or empty.
std::string ReasonIn(const std::string& body, const char* key) {
  Json reply = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_object() && reply.contains(key) && reply[key].is_string()) {
    return reply[key].get<std::string>();
  }
  return "";
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
  if (!options.share_url.empty() && !absl::StartsWith(options.share_url, "http://") &&
      !absl::StartsWith(options.share_url, "https://")) {
    return absl::InvalidArgumentError("share_url: must start with http:// or https://");
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

  auto headers = AuditHeaders(request, {std::string("Accept: application/json")});
  if (!headers.ok()) return CategoryAnswer::Unavailable(std::string(headers.status().message()));
  Reply reply = Call(options_, url, headers->get(), /*post_body=*/nullptr);
  if (!reply.failure.empty()) return CategoryAnswer::Unavailable(std::move(reply.failure));

  const long http_status = reply.http_status;
  if (http_status >= 200 && http_status < 300) {
    if (!Json::accept(reply.body)) {
      return CategoryAnswer::Unavailable(absl::StrCat(
          "the party's system answered HTTP ", http_status, " with a body that is not JSON"));
    }
    return CategoryAnswer::Data(std::move(reply.body));
  }
  if (http_status == 404) return CategoryAnswer::NotHeld();
  if (http_status == 403 || http_status == 451) {
    std::string reason = ReasonIn(reply.body, "withheld_reason");
    if (!reason.empty()) return CategoryAnswer::Withheld(std::move(reason));
  }
  return CategoryAnswer::Unavailable(
      absl::StrCat("the party's system answered HTTP ", http_status));
}

ShareAnswer HttpBackend::Receive(const v1::ProviderRequest& share) {
  if (options_.share_url.empty()) {
    return ShareAnswer::Refused("this party's system takes no shared data");
  }
  auto headers = AuditHeaders(share, {std::string("Content-Type: application/json"),
                                      std::string("Accept: application/json")});
  if (!headers.ok()) return ShareAnswer::Unavailable(std::string(headers.status().message()));
  const std::string document = ShareDocument(share);
  Reply reply = Call(options_, options_.share_url, headers->get(), &document);
  if (!reply.failure.empty()) return ShareAnswer::Unavailable(std::move(reply.failure));

  const long http_status = reply.http_status;
  if (http_status >= 200 && http_status < 300) return ShareAnswer::Accepted();
  if (http_status == 403 || http_status == 422 || http_status == 451) {
    std::string reason = ReasonIn(reply.body, "refused_reason");
    if (!reason.empty()) return ShareAnswer::Refused(std::move(reason));
  }
  return ShareAnswer::Unavailable(absl::StrCat("the party's system answered HTTP ", http_status));
}

}  // namespace wams::adapters
