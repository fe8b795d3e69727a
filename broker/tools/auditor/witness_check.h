// witness_check.h: the witness cosignatures on a checkpoint, counted against
// the witnesses an auditor trusts (`--witness-key FILE ... --min-witnesses N`
// of wams-audit verify, monitor and inclusion).
//
//   WAMS_ASSIGN_OR_RETURN(std::vector<TrustedWitness> trusted, LoadWitnessKeys(files));
//   WitnessCheck check = CheckWitnesses(cosigned_note, trusted, 2);
//   if (!check.ok()) std::cerr << check.Message();
//
// A cosignature is a C2SP tlog-cosignature line ("cosignature/v1", the time,
// key id SHA-256(name || "\n" || 0x04 || pubkey)[:4]) in the checkpoint
// note's signature block. Plain functions and data: thread-compatible.
#ifndef WAMS_BROKER_TOOLS_AUDITOR_WITNESS_CHECK_H_
#define WAMS_BROKER_TOOLS_AUDITOR_WITNESS_CHECK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/ledger/note/note.h"

namespace wams::auditor {

// A witness whose cosignatures count; its key line is parsed by the one
// parser, ledger::ParseCosignatureVerifierKey.
using TrustedWitness = ledger::CosignatureVerifier;

// Reads one verifier key line from each file. INVALID_ARGUMENT naming the
// file for a malformed key or a name given twice; NOT_FOUND for a missing file.
absl::StatusOr<std::vector<TrustedWitness>> LoadWitnessKeys(const std::vector<std::string>& files);

// What the cosignatures of one checkpoint showed.
struct WitnessCheck {
  // Names of trusted witnesses, by outcome, in the order they were given.
  std::vector<std::string> valid;
  // No cosignature line by this witness's key.
  std::vector<std::string> missing;
  // A line by this witness's name and key that does not verify over this
  // checkpoint: forged, or for another checkpoint.
  std::vector<std::string> bad;
  uint64_t required = 0;
  // At least `required` valid and none bad.
  bool ok() const { return bad.empty() && valid.size() >= required; }
  // "2 valid witness cosignatures required, 1 found; missing: w2; bad: w3".
  std::string Message() const;
};

// Checks `note` (a checkpoint note, cosignature lines in its signature
// block) for a cosignature by each of `trusted`. A malformed note counts
// every witness missing.
WitnessCheck CheckWitnesses(std::string_view note, const std::vector<TrustedWitness>& trusted,
                            uint64_t required);

}  // namespace wams::auditor

#endif  // WAMS_BROKER_TOOLS_AUDITOR_WITNESS_CHECK_H_
