#include "broker/common/trace_ids.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/common/uuid.h"

namespace wams::common {
namespace {

// "vv-" + 32 + "-" + 16 + "-" + 2: the length of a version-00 traceparent.
constexpr size_t kTraceparentSize = 55;
constexpr size_t kTraceIdAt = 3;
constexpr size_t kParentIdAt = 36;
constexpr size_t kFlagsAt = 53;

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Only lower-case hex digits, and not all zeros when `nonzero`.
bool IsHexField(absl::string_view text, bool nonzero) {
  bool all_zero = true;
  for (char c : text) {
    if (!IsLowerHex(c)) return false;
    all_zero = all_zero && c == '0';
  }
  return !(nonzero && all_zero);
}

// The first 55 characters of `text` by version 00's field rules (the
// version is not looked at).
bool HasVersion00Fields(absl::string_view text) {
  return text.size() >= kTraceparentSize && text[2] == '-' && text[kParentIdAt - 1] == '-' &&
         text[kFlagsAt - 1] == '-' && IsHexField(text.substr(kTraceIdAt, 32), true) &&
         IsHexField(text.substr(kParentIdAt, 16), true) &&
         IsHexField(text.substr(kFlagsAt, 2), false);
}

template <size_t N>
std::string RandomHex() {
  std::array<uint8_t, N> bytes{};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  do {
    // OpenSSL's CSPRNG; all zeros is an invalid id (a chance of 2^-64 at most).
    RAND_bytes(bytes.data(), N);
    text.clear();
    for (uint8_t byte : bytes) {
      text.push_back(kHex[byte >> 4]);
      text.push_back(kHex[byte & 0x0f]);
    }
  } while (text.find_first_not_of('0') == std::string::npos);
  return text;
}

}  // namespace

bool IsTraceparent(absl::string_view text) {
  return text.size() == kTraceparentSize && text.substr(0, 2) == "00" && HasVersion00Fields(text);
}

std::optional<std::string> ContinuedTraceparent(absl::string_view sent) {
  if (IsTraceparent(sent)) return std::string(sent);
  if (sent.size() < kTraceparentSize || !IsHexField(sent.substr(0, 2), false) ||
      sent.substr(0, 2) == "00" || sent.substr(0, 2) == "ff") {
    return std::nullopt;
  }
  if (!HasVersion00Fields(sent) ||
      (sent.size() > kTraceparentSize && sent[kTraceparentSize] != '-')) {
    return std::nullopt;
  }
  // The sampled flag is the lowest bit of the flags, so of their last digit.
  const char last_flags_digit = sent[kFlagsAt + 1];
  const int low_nibble =
      last_flags_digit <= '9' ? last_flags_digit - '0' : last_flags_digit - 'a' + 10;
  const bool sampled = (low_nibble & 1) == 1;
  return absl::StrCat("00-", sent.substr(kTraceIdAt, 32), "-", sent.substr(kParentIdAt, 16),
                      sampled ? "-01" : "-00");
}

std::string NewTraceparent() {
  return absl::StrCat("00-", RandomHex<16>(), "-", RandomHex<8>(), "-00");
}

TraceIds ResolveTraceIds(absl::string_view traceparent, absl::string_view transaction_id) {
  TraceIds ids;
  std::optional<std::string> continued = ContinuedTraceparent(traceparent);
  ids.traceparent = continued.has_value() ? *std::move(continued) : NewTraceparent();
  ids.transaction_id = IsUuidV7(transaction_id) ? std::string(transaction_id) : NewUuidV7();
  return ids;
}

std::string TraceIdOf(absl::string_view traceparent) {
  if (!IsTraceparent(traceparent)) return "";
  return std::string(traceparent.substr(kTraceIdAt, 32));
}

}  // namespace wams::common
