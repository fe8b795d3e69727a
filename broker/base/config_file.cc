#include "broker/base/config_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

namespace wams::base {
namespace {

// Whether `value` has the shape of this API's enum constants (PARTY_ROLE_X:
// capitals and digits in two or more words joined by '_'). Such a value is
// worth naming in an error (a misspelt DOMAIN_SCHOOL) and is no secret or BSN.
bool LooksLikeEnumConstant(absl::string_view value) {
  if (value.empty() || !absl::ascii_isupper(static_cast<unsigned char>(value.front())) ||
      value.back() == '_' || value.find('_') == absl::string_view::npos) {
    return false;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c == '_' ? value[i - 1] == '_' : !(absl::ascii_isupper(c) || absl::ascii_isdigit(c))) {
      return false;
    }
  }
  return true;
}

// The parsers repeat the offending value: textproto's tokenizer ("Expected
// integer, got: hunter2") and enum reader ("Unknown enumeration value of
// \"hunter2\" for field ..."), protobuf's JSON reader ("invalid value
// \"hunter2\" for type ..."). The line and column, or the field, already say
// where it is, so the value is left out, unless it is an enum constant: it may
// be a password or a BSN put in the wrong place.
std::string WithoutValue(absl::string_view message) {
  constexpr absl::string_view kGot = "got: ";
  if (size_t at = message.find(kGot); at != absl::string_view::npos) {
    return absl::StrCat(message.substr(0, at + kGot.size()), "(value not shown)");
  }
  for (absl::string_view marker : {"value of \"", "value \""}) {
    size_t open = message.find(marker);
    if (open == absl::string_view::npos) continue;
    open += marker.size() - 1;
    // The value ends at the quote before " for ..." (it may hold quotes itself).
    size_t close = message.find("\" for ", open + 1);
    if (close == absl::string_view::npos) close = message.rfind('"');
    if (close <= open) return absl::StrCat(message.substr(0, open), "(value not shown)");
    if (LooksLikeEnumConstant(message.substr(open + 1, close - open - 1))) break;
    return absl::StrCat(message.substr(0, open), "(value not shown)", message.substr(close + 1));
  }
  return std::string(message);
}

// Collects textproto errors with their 1-based line and column.
class LineErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors_.push_back(
        absl::StrCat("line ", line + 1, ":", column + 1, ": ", WithoutValue(message)));
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    AddError(line, column, message);
  }
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

bool IsJson(absl::string_view text, absl::string_view file_name) {
  if (absl::EndsWithIgnoreCase(file_name, ".json")) return true;
  absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
  return !trimmed.empty() && trimmed.front() == '{';
}

absl::Status ParseJson(absl::string_view text, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(std::string(text), message, options);
  if (status.ok()) return absl::OkStatus();
  // Protobuf's JSON parser appends the text around the error after a newline;
  // the first line says what and, for a field, which.
  const std::string message_text = status.message().as_string();
  absl::string_view what = message_text;
  what = what.substr(0, what.find('\n'));
  return absl::InvalidArgumentError(absl::StrCat("JSON: ", WithoutValue(what)));
}

}  // namespace

absl::Status ParseConfigText(absl::string_view text, google::protobuf::Message* message,
                             absl::string_view file_name) {
  message->Clear();
  if (IsJson(text, file_name)) return ParseJson(text, message);
  LineErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), message)) {
    return absl::InvalidArgumentError(errors.Joined());
  }
  return absl::OkStatus();
}

absl::Status ReadConfigFile(absl::string_view path, google::protobuf::Message* message) {
  if (path.empty()) return absl::InvalidArgumentError("no config file given");
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  }
  // One byte past the bound tells a file at the bound from a larger one.
  std::string text(kMaxConfigFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.empty()) return absl::FailedPreconditionError(absl::StrCat(path, ": is empty"));
  if (text.size() > kMaxConfigFileBytes) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": larger than ", kMaxConfigFileBytes,
                                                      " bytes; is this the config file?"));
  }
  if (absl::Status parsed = ParseConfigText(text, message, path); !parsed.ok()) {
    return absl::Status(parsed.code(), absl::StrCat(path, ": ", parsed.message()));
  }
  return absl::OkStatus();
}

void ResolveConfigPath(std::string* path, const std::filesystem::path& config_dir) {
  if (path->empty() || std::filesystem::path(*path).is_absolute()) return;
  *path = (config_dir / *path).lexically_normal().string();
}

}  // namespace wams::base
