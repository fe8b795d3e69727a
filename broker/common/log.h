// log.h: one-line structured log records on stderr.
//
// Abseil 20220623 has no absl/log, and the broker needs little: a level, a
// UTC timestamp and a message. Callers must never pass a BSN or a payload:
// log case ids, pseudonyms, OINs and request ids instead. Every message goes
// through wire::LogSafe (proto/wire/log_text.h), as the adapters' do: a value
// a caller chose cannot forge a line, and a stray BSN is redacted.
//
//   wams::common::LogInfo(absl::StrCat("listening on ", address));
#ifndef WAMS_BROKER_COMMON_LOG_H_
#define WAMS_BROKER_COMMON_LOG_H_

#include "absl/strings/string_view.h"

namespace wams::common {

// Thread-safe: each record is written with one write(2).
void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);
void LogError(absl::string_view message);

}  // namespace wams::common

#endif  // WAMS_BROKER_COMMON_LOG_H_
