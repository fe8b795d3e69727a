#include "proto/wire/text_checks.h"

#include <openssl/sha.h>

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"

namespace wams::wire {
namespace {

constexpr size_t kBsnDigits = 9;

bool IsDigit(char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }
bool IsAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

// Calls `found(begin, end)` for every maximal digit run of exactly nine
// digits that is a valid BSN; stops when it returns true.
template <typename Found>
bool ForEachBsnRun(absl::string_view text, Found found) {
  size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && IsDigit(text[end])) ++end;
    if (end - i == kBsnDigits && IsValidBsn(text.substr(i, kBsnDigits)) && found(i, end)) {
      return true;
    }
    i = end;
  }
  return false;
}

// The length of the UTF-8 sequence at `text[i]` and its code point, or 0
// when the bytes there are not valid UTF-8 (overlong, surrogate, too large).
size_t Utf8Sequence(absl::string_view text, size_t i, uint32_t* code_point) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t value = 0;
  uint32_t minimum = 0;
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *code_point = value;
  return length;
}

}  // namespace

bool IsValidBsn(absl::string_view text) {
  if (text.size() != kBsnDigits) return false;
  int sum = 0;
  bool all_zeros = true;
  for (size_t i = 0; i < kBsnDigits; ++i) {
    if (!IsDigit(text[i])) return false;
    int digit = text[i] - '0';
    all_zeros = all_zeros && digit == 0;
    // Weights 9..2 for the first eight digits; the last digit counts -1.
    sum += i + 1 < kBsnDigits ? static_cast<int>(kBsnDigits - i) * digit : -digit;
  }
  // A sum of 0 is divisible by 11 but is no elfproef (e.g. 100000009).
  return !all_zeros && sum != 0 && sum % 11 == 0;
}

bool HoldsBsn(absl::string_view text) {
  return ForEachBsnRun(text, [](size_t, size_t) { return true; });
}

bool HoldsSeparateBsn(absl::string_view text) {
  return ForEachBsnRun(text, [text](size_t begin, size_t end) {
    return (begin == 0 || !IsAlnum(text[begin - 1])) && (end == text.size() || !IsAlnum(text[end]));
  });
}

std::string RedactBsns(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  ForEachBsnRun(text, [&](size_t begin, size_t end) {
    out.append(text.data() + copied, begin - copied);
    out.append("[bsn]");
    copied = end;
    return false;
  });
  out.append(text.data() + copied, text.size() - copied);
  return out;
}

bool IsOinSyntax(absl::string_view text) {
  if (text.size() != 20) return false;
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool IsDateSyntax(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  auto number = [text](size_t from, size_t count) {
    int value = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (!IsDigit(text[i])) return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const int year = number(0, 4);
  const int month = number(5, 2);
  const int day = number(8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool IsPostalCodeSyntax(absl::string_view text) {
  if (text.size() != 7 || text[0] < '1' || text[0] > '9' || text[4] != ' ') return false;
  for (size_t i = 1; i < 4; ++i) {
    if (!IsDigit(text[i])) return false;
  }
  const absl::string_view letters = text.substr(5, 2);
  for (char c : letters) {
    if (c < 'A' || c > 'Z') return false;
  }
  return letters != "SA" && letters != "SD" && letters != "SS";
}

bool IsPrintableUtf8(absl::string_view text, bool allow_newline_and_tab) {
  size_t i = 0;
  while (i < text.size()) {
    uint32_t code_point = 0;
    size_t length = Utf8Sequence(text, i, &code_point);
    if (length == 0) return false;
    bool allowed_control = allow_newline_and_tab && (code_point == '\n' || code_point == '\t');
    bool control = code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F) ||
                   code_point == 0x2028 || code_point == 0x2029;
    if (control && !allowed_control) return false;
    i += length;
  }
  return true;
}

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace wams::wire
