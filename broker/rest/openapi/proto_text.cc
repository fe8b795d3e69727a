#include "broker/rest/openapi/proto_text.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace wams::rest::openapi {
namespace {

// The package every API type lives in: its types need no prefix.
constexpr absl::string_view kApiPackage = "wams.broker.v1";

}  // namespace

std::string CleanComment(absl::string_view raw) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(raw, '\n')) {
    absl::ConsumePrefix(&line, " ");
    lines.emplace_back(absl::StripTrailingAsciiWhitespace(line));
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return absl::StrJoin(lines, "\n");
}

std::string FirstSentence(absl::string_view comment) {
  std::string one_line = absl::StrReplaceAll(comment, {{"\n", " "}});
  // A sentence ends at ". " (or the text's end); "e.g. " does not end one.
  size_t from = 0;
  while (true) {
    size_t end = one_line.find(". ", from);
    if (end == std::string::npos) return one_line;
    if (!absl::EndsWith(absl::string_view(one_line).substr(0, end), "e.g") &&
        !absl::EndsWith(absl::string_view(one_line).substr(0, end), "i.e")) {
      return one_line.substr(0, end + 1);
    }
    from = end + 2;
  }
}

std::string LowerCamel(absl::string_view upper_camel) {
  std::string name(upper_camel);
  if (!name.empty()) name[0] = absl::ascii_tolower(static_cast<unsigned char>(name[0]));
  return name;
}

std::string ComponentName(const std::string& full_name, const std::string& package) {
  absl::string_view local(full_name);
  std::string prefix;
  if (package == kApiPackage) {
    absl::ConsumePrefix(&local, package);
  } else {
    for (absl::string_view part : absl::StrSplit(package, '.', absl::SkipEmpty())) {
      std::string upper(part);
      upper[0] = absl::ascii_toupper(static_cast<unsigned char>(upper[0]));
      prefix += upper;
    }
    absl::ConsumePrefix(&local, package);
  }
  return prefix + absl::StrReplaceAll(local, {{".", ""}});
}

}  // namespace wams::rest::openapi
