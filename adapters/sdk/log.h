// log.h: one-line log records on stderr for adapters.
//
// Callers must never pass a BSN, a payload or a reason a backend wrote: log
// request ids, transaction ids, OINs, category names and outcomes.
//
//   LogInfo(absl::StrCat("listening on ", address));
#ifndef WAMS_ADAPTERS_SDK_LOG_H_
#define WAMS_ADAPTERS_SDK_LOG_H_

#include "absl/strings/string_view.h"

namespace wams::adapters {

// Thread-safe: each record is written with one write(2), with a UTC timestamp
// and the level in front. The message goes through wire::LogSafe (BSNs
// redacted, control characters escaped, length bounded), like the broker's.
void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);
void LogError(absl::string_view message);

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_LOG_H_
