#include "broker/base/logging/trace_context.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace wams::logging {
namespace {

// "vv-" + 32 + "-" + 16 + "-" + 2: the length of a version-00 traceparent.
constexpr size_t kTraceparentSize = 55;
constexpr size_t kTraceIdAt = 3;
constexpr size_t kParentIdAt = 36;
constexpr size_t kFlagsAt = 53;
constexpr size_t kMaxTracestateMembers = 32;

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

// A tracestate key: simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-"/ "*" / "/"),
// or multi-tenant "tenant@system" (tenant up to 241 chars starting with
// lcalpha or a digit, system up to 14 starting with lcalpha).
bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' ||
         c == '/';
}
bool IsTracestateKey(absl::string_view key) {
  const size_t at = key.find('@');
  absl::string_view tenant = at == absl::string_view::npos ? key : key.substr(0, at);
  if (tenant.empty() || tenant.size() > (at == absl::string_view::npos ? 256 : 241)) return false;
  const bool lcalpha_first = tenant[0] >= 'a' && tenant[0] <= 'z';
  const bool digit_first = tenant[0] >= '0' && tenant[0] <= '9';
  if (!(lcalpha_first || (digit_first && at != absl::string_view::npos))) return false;
  for (char c : tenant) {
    if (!IsKeyChar(c)) return false;
  }
  if (at == absl::string_view::npos) return true;
  absl::string_view system = key.substr(at + 1);
  if (system.empty() || system.size() > 14 || !(system[0] >= 'a' && system[0] <= 'z')) {
    return false;
  }
  for (char c : system) {
    if (!IsKeyChar(c)) return false;
  }
  return true;
}

// value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E.
bool IsTracestateValue(absl::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
  }
  return true;
}

}  // namespace

bool IsTraceparent(absl::string_view text) {
  return text.size() == kTraceparentSize && text.substr(0, 2) == "00" && HasVersion00Fields(text);
}

bool IsSpanId(absl::string_view text) { return text.size() == 16 && IsHexField(text, true); }

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
  return absl::StrCat("00-", RandomHex<16>(), "-", NewSpanId(), "-00");
}

std::string NewSpanId() { return RandomHex<8>(); }

std::string ChildTraceparent(absl::string_view traceparent, absl::string_view span_id) {
  if (!IsTraceparent(traceparent) || !IsSpanId(span_id)) return "";
  return absl::StrCat(traceparent.substr(0, kParentIdAt), span_id,
                      traceparent.substr(kFlagsAt - 1));
}

std::string TraceIdOf(absl::string_view traceparent) {
  if (!IsTraceparent(traceparent)) return "";
  return std::string(traceparent.substr(kTraceIdAt, 32));
}

std::string ParentIdOf(absl::string_view traceparent) {
  if (!IsTraceparent(traceparent)) return "";
  return std::string(traceparent.substr(kParentIdAt, 16));
}

std::string ValidTracestate(absl::string_view sent) {
  if (sent.size() > kMaxTracestateBytes) return "";
  for (char c : sent) {
    // Printable ASCII only. The spec allows tabs as optional white space
    // too; they are refused, so the value is one line by the API's field
    // rules (FIELD_SYNTAX_TEXT_LINE) wherever it goes.
    if (c < 0x20 || c > 0x7e) return "";
  }
  std::vector<absl::string_view> members = absl::StrSplit(sent, ',');
  size_t non_empty = 0;
  for (absl::string_view member : members) {
    // Only spaces are left to strip (checked above).
    member = absl::StripTrailingAsciiWhitespace(absl::StripLeadingAsciiWhitespace(member));
    // The spec allows empty list-members (",,"); they count for nothing.
    if (member.empty()) continue;
    const size_t equals = member.find('=');
    if (equals == absl::string_view::npos || !IsTracestateKey(member.substr(0, equals)) ||
        !IsTracestateValue(member.substr(equals + 1)) || ++non_empty > kMaxTracestateMembers) {
      return "";
    }
  }
  // An empty list is none.
  return non_empty == 0 ? "" : std::string(sent);
}

}  // namespace wams::logging
