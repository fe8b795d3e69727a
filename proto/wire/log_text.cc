#include "proto/wire/log_text.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "proto/wire/text_checks.h"

namespace wams::wire {
namespace {

// The escaped form of the character at `text[i]` and how many bytes it took.
size_t EscapeOne(absl::string_view text, size_t i, std::string* out) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  switch (c) {
    case '\\':
      out->append("\\\\");
      return 1;
    case '\n':
      out->append("\\n");
      return 1;
    case '\r':
      out->append("\\r");
      return 1;
    case '\t':
      out->append("\\t");
      return 1;
    default:
      break;
  }
  if (c >= 0x20 && c < 0x7F) {
    out->push_back(static_cast<char>(c));
    return 1;
  }
  // Multi-byte: keep a printable UTF-8 sequence as is, escape anything else
  // byte by byte.
  for (size_t length = 2; length <= 4 && i + length <= text.size(); ++length) {
    absl::string_view sequence = text.substr(i, length);
    if (IsPrintableUtf8(sequence, /*allow_newline_and_tab=*/false)) {
      out->append(sequence.data(), sequence.size());
      return length;
    }
  }
  absl::StrAppendFormat(out, "\\x%02x", c);
  return 1;
}

}  // namespace

std::string LogSafe(absl::string_view message, size_t max_bytes) {
  std::string redacted = RedactBsns(message);
  std::string out;
  out.reserve(std::min(redacted.size(), max_bytes) + 32);
  size_t i = 0;
  while (i < redacted.size() && out.size() < max_bytes) {
    i += EscapeOne(redacted, i, &out);
  }
  if (i < redacted.size()) absl::StrAppend(&out, "...[", redacted.size() - i, " bytes cut]");
  return out;
}

}  // namespace wams::wire
