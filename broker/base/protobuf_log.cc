#include "broker/base/protobuf_log.h"

#include <algorithm>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/logging/log.h"
#include "google/protobuf/stubs/logging.h"

namespace wams::base {
namespace {

constexpr double kBurst = 5;
constexpr double kLinesPerSecond = 1;
constexpr size_t kMaxLineBytes = 512;

// At most kMaxLineBytes of `message`, control characters as \xNN, so that
// one record is one line.
std::string Escaped(const std::string& message) {
  std::string out;
  for (size_t i = 0; i < message.size() && i < kMaxLineBytes; ++i) {
    const unsigned char c = static_cast<unsigned char>(message[i]);
    if (c < 0x20 || c == 0x7f) {
      absl::StrAppend(&out, "\\x", absl::Hex(c, absl::kZeroPad2));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// A token bucket shared by every protobuf log line.
struct Limiter {
  absl::Mutex mu;
  double tokens ABSL_GUARDED_BY(mu) = kBurst;
  absl::Time refilled ABSL_GUARDED_BY(mu) = absl::Now();
  uint64_t dropped_since_line ABSL_GUARDED_BY(mu) = 0;
  uint64_t dropped_total ABSL_GUARDED_BY(mu) = 0;
};

Limiter& TheLimiter() {
  static Limiter* limiter = new Limiter();
  return *limiter;
}

void Handle(google::protobuf::LogLevel level, const char* filename, int line,
            const std::string& message) {
  uint64_t dropped = 0;
  if (level != google::protobuf::LOGLEVEL_FATAL) {
    Limiter& limiter = TheLimiter();
    absl::MutexLock lock(&limiter.mu);
    const absl::Time now = absl::Now();
    limiter.tokens = std::min(
        kBurst, limiter.tokens + absl::ToDoubleSeconds(now - limiter.refilled) * kLinesPerSecond);
    limiter.refilled = now;
    if (limiter.tokens < 1) {
      ++limiter.dropped_since_line;
      ++limiter.dropped_total;
      return;
    }
    limiter.tokens -= 1;
    dropped = limiter.dropped_since_line;
    limiter.dropped_since_line = 0;
  }
  std::string text = absl::StrCat(
      "libprotobuf ", filename, ":", line, ": ", Escaped(message),
      dropped > 0 ? absl::StrCat(" (", dropped, " more protobuf lines dropped before this one)")
                  : std::string());
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      logging::LogInfo(text);
      break;
    case google::protobuf::LOGLEVEL_WARNING:
      logging::LogWarning(text);
      break;
    default:
      logging::LogError(text);
  }
}

}  // namespace

void InstallProtobufLogHandler() { google::protobuf::SetLogHandler(&Handle); }

uint64_t DroppedProtobufLogLines() {
  Limiter& limiter = TheLimiter();
  absl::MutexLock lock(&limiter.mu);
  return limiter.dropped_total;
}

}  // namespace wams::base
