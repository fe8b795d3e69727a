#include "broker/witnessing/protocol.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/ledger/note/note.h"

namespace wams::witnessing {
namespace {

constexpr std::string_view kEmDash = "\xe2\x80\x94 ";

// Canonical ASCII decimal: digits only, no leading zero but "0", 64 bits.
bool ParseDecimal(std::string_view text, uint64_t& value) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  value = v;
  return true;
}

// Takes one "\n"-terminated line off the front of `rest`; false when none.
bool NextLine(std::string_view& rest, std::string_view& line) {
  const size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) return false;
  line = rest.substr(0, nl);
  rest.remove_prefix(nl + 1);
  return true;
}

}  // namespace

std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request) {
  std::string body = absl::StrCat("old ", request.old_size, "\n");
  for (const ledger::Digest& hash : request.proof) {
    absl::StrAppend(&body,
                    ledger::Base64Encode(
                        std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size())),
                    "\n");
  }
  absl::StrAppend(&body, "\n", request.note);
  return body;
}

absl::StatusOr<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body) {
  if (body.size() > kMaxRequestBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request: larger than ", kMaxRequestBytes, " bytes"));
  }
  AddCheckpointRequest request;
  std::string_view line;
  if (!NextLine(body, line) || !line.starts_with("old ") ||
      !ParseDecimal(line.substr(4), request.old_size)) {
    return absl::InvalidArgumentError("request: the first line is not \"old <size>\"");
  }
  while (true) {
    if (!NextLine(body, line)) {
      return absl::InvalidArgumentError("request: no empty line before the checkpoint");
    }
    if (line.empty()) break;
    if (request.proof.size() == kMaxProofLines) {
      return absl::InvalidArgumentError(
          absl::StrCat("request: more than ", kMaxProofLines, " proof lines"));
    }
    absl::StatusOr<std::string> hash = ledger::Base64Decode(line);
    if (!hash.ok() || hash->size() != 32) {
      return absl::InvalidArgumentError(absl::StrCat(
          "request: proof line ", request.proof.size() + 1, " is not base64 of 32 bytes"));
    }
    ledger::Digest digest;
    std::copy(hash->begin(), hash->end(), digest.begin());
    request.proof.push_back(digest);
  }
  if (body.empty()) return absl::InvalidArgumentError("request: no checkpoint");
  request.note = std::string(body);
  return request;
}

std::string FormatTreeSize(uint64_t size) { return absl::StrCat(size, "\n"); }

absl::StatusOr<uint64_t> ParseTreeSize(std::string_view body) {
  uint64_t size = 0;
  if (!body.ends_with('\n') || !ParseDecimal(body.substr(0, body.size() - 1), size)) {
    return absl::InvalidArgumentError("tree size: want \"<decimal>\\n\"");
  }
  return size;
}

absl::StatusOr<std::vector<std::string>> ParseCosignatureLines(std::string_view body) {
  if (body.size() > kMaxResponseBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("cosignatures: larger than ", kMaxResponseBytes, " bytes"));
  }
  if (body.empty() || !body.ends_with('\n')) {
    return absl::InvalidArgumentError("cosignatures: empty or no final newline");
  }
  std::vector<std::string> lines;
  std::string_view line;
  while (NextLine(body, line)) {
    if (!line.starts_with(kEmDash)) {
      return absl::InvalidArgumentError("cosignatures: a line is not a signature line");
    }
    lines.push_back(std::string(line) + "\n");
  }
  return lines;
}

}  // namespace wams::witnessing
