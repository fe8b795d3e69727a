#include "broker/base/request_binding.h"

#include <cstdint>

#include "broker/base/deterministic_bytes.h"

namespace wams::base {
namespace {

constexpr absl::string_view kBoundPrefix = "\xffWB1";
constexpr size_t kDigestBytes = 32;
// Versions the encoding (and separates it from a BSN under the same HMAC
// key): a change here makes old digests unequal, which refuses retries
// across the change instead of mismatching them.
constexpr absl::string_view kBindingContext = "wams-request-binding/1";

void AppendField(std::string& out, absl::string_view field) {
  const uint32_t size = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  out.append(field.data(), field.size());
}

}  // namespace

std::string RequestBindingText(absl::string_view kind, absl::string_view party_oin,
                               absl::string_view professional_id,
                               const google::protobuf::MessageLite& request) {
  // Length-prefixed fields, so no two different inputs encode alike.
  std::string text;
  AppendField(text, kBindingContext);
  AppendField(text, kind);
  AppendField(text, party_oin);
  AppendField(text, professional_id);
  AppendField(text, DeterministicBytes(request));
  return text;
}

std::string BindValue(absl::string_view digest, absl::string_view value) {
  std::string stored;
  stored.reserve(kBoundPrefix.size() + digest.size() + value.size());
  stored.append(kBoundPrefix.data(), kBoundPrefix.size());
  stored.append(digest.data(), digest.size());
  stored.append(value.data(), value.size());
  return stored;
}

BoundValue UnbindValue(absl::string_view stored) {
  BoundValue out;
  if (stored.size() < kBoundPrefix.size() + kDigestBytes ||
      stored.substr(0, kBoundPrefix.size()) != kBoundPrefix) {
    out.value = std::string(stored);
    return out;
  }
  out.digest = std::string(stored.substr(kBoundPrefix.size(), kDigestBytes));
  out.value = std::string(stored.substr(kBoundPrefix.size() + kDigestBytes));
  return out;
}

std::optional<Reuse> ReuseOf(const BoundValue& stored, absl::string_view digest) {
  if (!stored.digest.has_value()) return Reuse::kUnbound;
  if (*stored.digest != digest) return Reuse::kOtherRequest;
  return std::nullopt;
}

absl::Status ReusedRequestId(Reuse reuse) {
  switch (reuse) {
    case Reuse::kUnbound:
      return absl::InvalidArgumentError(
          "request_id: used before this broker bound request ids to their request, so a retry "
          "cannot be told from another request; send the request with a new request_id");
    case Reuse::kOtherRequestInFlight:
      return absl::InvalidArgumentError(
          "request_id: in use by this party for another request still in flight (other content "
          "or another professional); a new request needs a new request_id");
    case Reuse::kOtherRequest:
      break;
  }
  return absl::InvalidArgumentError(
      "request_id: already used by this party for another request (other content or another "
      "professional); a retry must repeat the request exactly, a new request needs a new "
      "request_id");
}

}  // namespace wams::base
