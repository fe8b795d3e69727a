#include "broker/common/log.h"

#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "proto/wire/log_text.h"

namespace wams::common {
namespace {

void Write(absl::string_view level, absl::string_view message) {
  std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ",
                   level, " ", wire::LogSafe(message), "\n");
  // One write per record keeps lines from concurrent threads whole.
  [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

void LogInfo(absl::string_view message) { Write("INFO", message); }
void LogWarning(absl::string_view message) { Write("WARN", message); }
void LogError(absl::string_view message) { Write("ERROR", message); }

}  // namespace wams::common
