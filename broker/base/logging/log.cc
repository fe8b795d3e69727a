#include "broker/base/logging/log.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "proto/wire/log_text.h"
#include "spdlog/logger.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace wams::logging {
namespace {

// A field value longer than this is cut (LogSafe's cut mark says how much).
constexpr size_t kMaxFieldBytes = 256;

std::atomic<Format> format{Format::kJson};

// The program name, set once by main(); a leaked string: lines may still be
// written by other threads while static destructors run.
std::atomic<const std::string*> program{new std::string()};

// spdlog writes each line with one fwrite and a flush under its sink's
// mutex, so lines of concurrent threads never interleave. The line is
// formatted here ("%v"): spdlog's own level names are fixed when Debian
// builds the library ("warning", lower case), and deploy/README.md
// documents upper-case ones.
spdlog::logger& Logger() {
  static auto* logger = [] {
    auto* made = new spdlog::logger("wams", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    made->set_pattern("%v");
    made->set_level(spdlog::level::trace);
    made->flush_on(spdlog::level::trace);
    return made;
  }();
  return *logger;
}

spdlog::level::level_enum SpdlogLevel(Level level) {
  switch (level) {
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarning:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::err;
}

std::string Now() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
}

// `text` as the body of a JSON string. LogSafe has already escaped control
// characters as visible text; '"' and '\\' are escaped here, and any
// control character left is written as \u00XX for safety.
void AppendJsonString(std::string* out, absl::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (byte < 0x20) {
      absl::StrAppend(out, "\\u00", absl::string_view(&kHex[byte >> 4], 1),
                      absl::string_view(&kHex[byte & 0x0f], 1));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// A text value: bare when it is a plain word, else quoted with '"' escaped.
void AppendTextValue(std::string* out, absl::string_view text) {
  if (!text.empty() && text.find_first_of(" \"=") == absl::string_view::npos) {
    out->append(text.data(), text.size());
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

void Write(Level level, const std::string& line) {
  Logger().log(SpdlogLevel(level), spdlog::string_view_t(line.data(), line.size()));
}

void WriteMessage(Level level, absl::string_view message) {
  const std::string& name = *program.load();
  if (format.load() == Format::kText) {
    Write(level, absl::StrCat(Now(), " ", LevelName(level), " ", name, name.empty() ? "" : ": ",
                              wire::LogSafe(message)));
    return;
  }
  std::string line = absl::StrCat("{\"time\":\"", Now(), "\",\"level\":\"", LevelName(level), "\"");
  if (!name.empty()) {
    absl::StrAppend(&line, ",\"program\":");
    AppendJsonString(&line, name);
  }
  // A message keeps LogSafe's own, longer bound.
  absl::StrAppend(&line, ",\"message\":");
  AppendJsonString(&line, wire::LogSafe(message));
  line.push_back('}');
  Write(level, line);
}

}  // namespace

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kInfo:
      return "INFO";
    case Level::kWarning:
      return "WARNING";
    case Level::kError:
      return "ERROR";
  }
  return "ERROR";
}

absl::StatusOr<Format> ParseFormat(absl::string_view text) {
  if (text == "json") return Format::kJson;
  if (text == "text") return Format::kText;
  return absl::InvalidArgumentError("--log-format: must be json or text");
}

absl::Status SetFormatFromArgs(int argc, const char* const* argv) {
  constexpr absl::string_view kFlag = "--log-format";
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    std::optional<absl::string_view> value;
    if (arg == kFlag) {
      value = i + 1 < argc ? absl::string_view(argv[i + 1]) : absl::string_view();
    } else if (absl::StartsWith(arg, absl::StrCat(kFlag, "="))) {
      value = arg.substr(kFlag.size() + 1);
    }
    if (!value.has_value()) continue;
    absl::StatusOr<Format> parsed = ParseFormat(*value);
    if (!parsed.ok()) return parsed.status();
    SetFormat(*parsed);
  }
  return absl::OkStatus();
}

void SetFormat(Format new_format) { format.store(new_format); }
Format CurrentFormat() { return format.load(); }

void SetProgram(absl::string_view name) {
  // The previous name is leaked on purpose: another thread may be reading it.
  program.store(new std::string(wire::LogSafe(name, kMaxFieldBytes)));
}

void LogInfo(absl::string_view message) { WriteMessage(Level::kInfo, message); }
void LogWarning(absl::string_view message) { WriteMessage(Level::kWarning, message); }
void LogError(absl::string_view message) { WriteMessage(Level::kError, message); }

void LogFields(Level level, const std::vector<Field>& fields) {
  const std::string& name = *program.load();
  std::string line;
  if (format.load() == Format::kText) {
    line = absl::StrCat(Now(), " ", LevelName(level));
    if (!name.empty()) absl::StrAppend(&line, " ", name, ":");
    for (const Field& field : fields) {
      absl::StrAppend(&line, " ", field.key, "=");
      AppendTextValue(&line, field.raw ? field.value : wire::LogSafe(field.value, field.max_bytes));
    }
  } else {
    line = absl::StrCat("{\"time\":\"", Now(), "\",\"level\":\"", LevelName(level), "\"");
    if (!name.empty()) {
      absl::StrAppend(&line, ",\"program\":");
      AppendJsonString(&line, name);
    }
    for (const Field& field : fields) {
      absl::StrAppend(&line, ",\"", field.key, "\":");
      if (field.raw) {
        line += field.value;
      } else {
        AppendJsonString(&line, wire::LogSafe(field.value, field.max_bytes));
      }
    }
    line.push_back('}');
  }
  Write(level, line);
}

}  // namespace wams::logging
