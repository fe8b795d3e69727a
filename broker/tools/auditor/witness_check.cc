#include "broker/tools/auditor/witness_check.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/note/note.h"

namespace wams::auditor {

absl::StatusOr<std::vector<TrustedWitness>> LoadWitnessKeys(const std::vector<std::string>& files) {
  std::vector<TrustedWitness> trusted;
  for (const std::string& file : files) {
    WAMS_ASSIGN_OR_RETURN(std::string text, ledger_export::ReadSmallFile(file));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    absl::StatusOr<TrustedWitness> witness = ledger::ParseCosignatureVerifierKey(text);
    if (!witness.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--witness-key ", file, ": ", witness.status().message()));
    }
    if (std::any_of(trusted.begin(), trusted.end(),
                    [&](const TrustedWitness& w) { return w.name == witness->name; })) {
      return absl::InvalidArgumentError(
          absl::StrCat("--witness-key ", file, ": witness ", witness->name, " is given twice"));
    }
    trusted.push_back(*std::move(witness));
  }
  return trusted;
}

std::string WitnessCheck::Message() const {
  std::string message =
      absl::StrCat(required, " valid witness cosignature", required == 1 ? "" : "s", " required, ",
                   valid.size(), " found");
  if (!missing.empty()) absl::StrAppend(&message, "; missing: ", absl::StrJoin(missing, ", "));
  if (!bad.empty()) {
    absl::StrAppend(&message, "; bad (does not verify): ", absl::StrJoin(bad, ", "));
  }
  return message;
}

WitnessCheck CheckWitnesses(std::string_view note, const std::vector<TrustedWitness>& trusted,
                            uint64_t required) {
  WitnessCheck check;
  check.required = required;
  absl::StatusOr<ledger::ParsedNote> parsed = ledger::ParseNote(note);
  // The signature block: the lines after the note's last blank line.
  std::vector<std::string_view> lines;
  if (parsed.ok()) {
    std::string_view block = note.substr(note.rfind("\n\n") + 2);
    while (!block.empty()) {
      const size_t nl = block.find('\n');
      lines.push_back(block.substr(0, nl));
      block.remove_prefix(nl + 1);
    }
  }
  for (const TrustedWitness& witness : trusted) {
    const std::string prefix = absl::StrCat("\xe2\x80\x94 ", witness.name, " ");
    bool valid = false, bad = false;
    for (std::string_view line : lines) {
      if (!line.starts_with(prefix)) continue;
      absl::Status verified =
          ledger::VerifyCosignatureLine(line, witness.name, witness.key, parsed->text);
      // INVALID_ARGUMENT: another key under the same name, or not a
      // cosignature at all: not this witness's line.
      if (verified.ok()) {
        valid = true;
      } else if (verified.code() == absl::StatusCode::kUnauthenticated) {
        bad = true;
      }
    }
    if (bad) {
      check.bad.push_back(witness.name);
    } else if (valid) {
      check.valid.push_back(witness.name);
    } else {
      check.missing.push_back(witness.name);
    }
  }
  return check;
}

}  // namespace wams::auditor
