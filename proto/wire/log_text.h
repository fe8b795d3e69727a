// log_text.h: the one function every log line of the broker and the
// adapters passes its message through.
//
// A log message may hold values a caller chose (request ids, reasons from a
// backend, certificate fields). LogSafe makes such a message one line that
// cannot forge another: BSNs redacted, control characters and backslashes
// escaped, the length bounded.
//
//   std::string line = absl::StrCat(time, " INFO ", wire::LogSafe(message), "\n");
//
// Thread-safety: pure function.
#ifndef WAMS_PROTO_WIRE_LOG_TEXT_H_
#define WAMS_PROTO_WIRE_LOG_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace wams::wire {

// The longest message LogSafe returns before its cut mark.
inline constexpr size_t kMaxLogMessageBytes = 4096;

// `message` with every valid BSN replaced by "[bsn]"; '\\' as "\\\\";
// '\n', '\r', '\t' as "\\n", "\\r", "\\t"; other control characters (C0,
// DEL, C1, U+2028, U+2029) and bytes that are not UTF-8 as "\\xNN" per byte;
// cut after `max_bytes` bytes of output with "...[N bytes cut]".
std::string LogSafe(absl::string_view message, size_t max_bytes = kMaxLogMessageBytes);

}  // namespace wams::wire

#endif  // WAMS_PROTO_WIRE_LOG_TEXT_H_
