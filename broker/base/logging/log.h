// log.h: the log lines of the broker and the adapters, one line each on
// stderr, in JSON (the default) or text.
//
// Callers must never pass a BSN or a payload: log case ids, pseudonyms,
// OINs and request ids instead. Every string goes through wire::LogSafe
// (proto/wire/log_text.h): a value a caller chose cannot forge a line, a
// stray BSN is redacted, and its length is bounded.
//
//   wams::logging::SetFormat(wams::logging::Format::kText);  // --log-format text
//   wams::logging::LogInfo(absl::StrCat("listening on ", address));
//
// A JSON line:  {"time":"2026-12-03T20:25:25.123Z","level":"INFO","message":"..."}
// A text line:  2026-12-03T20:25:25.123Z INFO ...
// Levels are INFO, WARNING and ERROR, the names deploy/README.md documents.
//
// Thread-safety: every function may be called from any thread; each line is
// written whole (spdlog's stderr sink under its mutex). SetFormat and
// SetProgram are meant for main() before the first line, but are safe later.
#ifndef WAMS_BROKER_BASE_LOGGING_LOG_H_
#define WAMS_BROKER_BASE_LOGGING_LOG_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wams::logging {

enum class Format { kJson, kText };
enum class Level { kInfo, kWarning, kError };

// The name of `level` in a line: "INFO", "WARNING" or "ERROR".
absl::string_view LevelName(Level level);

// "json" or "text" (the values of --log-format); INVALID_ARGUMENT naming
// the flag otherwise.
absl::StatusOr<Format> ParseFormat(absl::string_view text);

// Sets the format from `--log-format json|text` (or `--log-format=...`) in
// argv, leaving it as it is when the flag is absent; INVALID_ARGUMENT naming
// the flag for another value or a missing one. (Until the binaries share one
// flag parser, issue 18 point 5, which then calls ParseFormat itself.)
absl::Status SetFormatFromArgs(int argc, const char* const* argv);

// The format of every later line (default kJson).
void SetFormat(Format format);
Format CurrentFormat();

// A name put on every line ("program" in JSON, "<name>: " before the
// message in text), e.g. "wams-adapter"; "" (the default) for none.
void SetProgram(absl::string_view program);

void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);
void LogError(absl::string_view message);

// One line of named fields (after "time" and "level"). Each value is made
// log-safe and bounded to its `max_bytes`; in JSON each is a string, except
// that a `raw` value is written as is (numbers and arrays the caller built
// from safe parts). In text: `key=value` pairs after the level, a value in
// quotes when it holds a space, '"' or '='.
struct Field {
  std::string key;
  std::string value;
  bool raw = false;
  size_t max_bytes = 256;
};
void LogFields(Level level, const std::vector<Field>& fields);

}  // namespace wams::logging

#endif  // WAMS_BROKER_BASE_LOGGING_LOG_H_
