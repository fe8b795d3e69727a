// note_fuzzer.cc: C2SP signed notes, checkpoint bodies, cosignature lines,
// verifier keys and base64, as a witness, a monitor or wams-audit reads them
// from a log it does not trust.
//
// The input is one text, read every way: as a note (opened with the fuzz
// log's key, the witness's and the golang test vector's), as a checkpoint
// body, line by line as verifier keys and cosignatures, as a keys file, and
// as base64.
//
// Invariants (a crash when broken):
//   - a note that parses is exactly its text, a blank line and its signature
//     lines re-encoded: the syntax has one spelling, so what is verified is
//     what was read;
//   - Open() succeeds only with a signature line of that key (name and key
//     id) that verifies over the parsed text, and returns that text; a note
//     with such a line that does not verify is UNAUTHENTICATED;
//   - a checkpoint body that parses formats back to its first three lines;
//   - a verifier key that parses prints back to the same line;
//   - a cosignature verifies only over the body it signed;
//   - strict base64 decodes only its one canonical encoding;
//   - errors are INVALID_ARGUMENT or UNAUTHENTICATED, nothing else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/note/note.h"
#include "tests/fuzz/fuzz_keys.h"
#include "tests/fuzz/fuzz_support.h"

namespace wams::fuzz {
namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // "— "

struct Keys {
  std::vector<ledger::NoteVerifier> note_keys;
  ledger::Ed25519PublicKey witness;
};

const Keys& TheKeys() {
  static const Keys* const keys = [] {
    absl::StatusOr<ledger::NoteVerifier> peter =
        ledger::NoteVerifier::FromVerifierKey(kPeterNeumannVerifierKey);
    WAMS_FUZZ_CHECK(peter.ok());
    ledger::Ed25519PrivateKey witness = FixedKey(kWitnessKeySeedHex);
    return new Keys{
        .note_keys = {ledger::NoteVerifier(kLogOrigin, FixedKey(kLogKeySeedHex).PublicKey()),
                      ledger::NoteVerifier(kWitnessName, witness.PublicKey()), *peter},
        .witness = witness.PublicKey()};
  }();
  return *keys;
}

bool IsAllowedError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ||
         status.code() == absl::StatusCode::kUnauthenticated;
}

std::string Be32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return out;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

void FuzzCheckpointBody(std::string_view text) {
  absl::StatusOr<ledger::CheckpointBody> body = ledger::ParseCheckpointBody(text);
  if (!body.ok()) {
    WAMS_FUZZ_CHECK_MSG(body.status().code() == absl::StatusCode::kInvalidArgument,
                        body.status().ToString());
    return;
  }
  const std::string formatted = ledger::FormatCheckpointBody(*body);
  WAMS_FUZZ_CHECK(text.substr(0, formatted.size()) == formatted);
  // Whatever follows the three lines are non-empty extension lines.
  std::string_view extensions = text.substr(formatted.size());
  WAMS_FUZZ_CHECK(extensions.empty() || (extensions.front() != '\n' &&
                                         extensions.find("\n\n") == std::string_view::npos));
}

void FuzzNote(std::string_view note) {
  absl::StatusOr<ledger::ParsedNote> parsed = ledger::ParseNote(note);
  for (const ledger::NoteVerifier& key : TheKeys().note_keys) {
    absl::StatusOr<std::string> opened = key.Open(note);
    if (!parsed.ok()) {
      WAMS_FUZZ_CHECK(!opened.ok());
      WAMS_FUZZ_CHECK_MSG(IsAllowedError(opened.status()), opened.status().ToString());
      continue;
    }
    bool has_line = false;
    bool all_verify = true;
    for (const ledger::NoteSignature& sig : parsed->signatures) {
      if (sig.name != key.name() || sig.key_id != key.key_id()) continue;
      has_line = true;
      all_verify = all_verify && key.VerifySignature(parsed->text, sig);
    }
    if (opened.ok()) {
      WAMS_FUZZ_CHECK(has_line && all_verify);
      WAMS_FUZZ_CHECK(*opened == parsed->text);
    } else {
      WAMS_FUZZ_CHECK(opened.status().code() == absl::StatusCode::kUnauthenticated);
      WAMS_FUZZ_CHECK(!has_line || !all_verify);
    }
  }
  if (!parsed.ok()) {
    WAMS_FUZZ_CHECK_MSG(parsed.status().code() == absl::StatusCode::kInvalidArgument,
                        parsed.status().ToString());
    return;
  }
  // One spelling: text, blank line, "— name base64(key id || signature)\n"...
  std::string rebuilt = parsed->text + "\n";
  for (const ledger::NoteSignature& sig : parsed->signatures) {
    rebuilt += std::string(kSigPrefix) + sig.name + " " +
               ledger::Base64Encode(Be32(sig.key_id) + sig.signature) + "\n";
    WAMS_FUZZ_CHECK(ledger::IsValidNoteKeyName(sig.name));
  }
  WAMS_FUZZ_CHECK(rebuilt == note);
  WAMS_FUZZ_CHECK(!parsed->text.empty() && parsed->text.back() == '\n');
  WAMS_FUZZ_CHECK(!parsed->signatures.empty() && parsed->signatures.size() <= 100);

  // A checkpoint's signature block may hold witnesses' cosignatures over
  // its body; they verify over that body only.
  FuzzCheckpointBody(parsed->text);
  for (std::string_view line : Lines(note.substr(parsed->text.size() + 1))) {
    absl::Status cosigned =
        ledger::VerifyCosignatureLine(line, kWitnessName, TheKeys().witness, parsed->text);
    if (!cosigned.ok()) {
      WAMS_FUZZ_CHECK_MSG(IsAllowedError(cosigned), cosigned.ToString());
      continue;
    }
    WAMS_FUZZ_CHECK(
        !ledger::VerifyCosignatureLine(line, kWitnessName, TheKeys().witness, parsed->text + "x\n")
             .ok());
  }

  // The export's key ring opens it only when ParseNote does and a ring key verifies.
  static const ledger_export::KeyRing* const ring = [] {
    absl::StatusOr<ledger_export::KeyRing> parsed_ring = ledger_export::KeyRing::Parse(
        ledger::VerifierKeyLine(kLogOrigin, FixedKey(kLogKeySeedHex).PublicKey()) + "\n");
    WAMS_FUZZ_CHECK(parsed_ring.ok());
    return new ledger_export::KeyRing(*std::move(parsed_ring));
  }();
  absl::StatusOr<ledger_export::OpenedNote> opened = ring->OpenNote(note);
  if (opened.ok()) {
    WAMS_FUZZ_CHECK(opened->text == parsed->text);
    WAMS_FUZZ_CHECK(TheKeys().note_keys[0].Open(note).ok());
  } else {
    WAMS_FUZZ_CHECK_MSG(IsAllowedError(opened.status()), opened.status().ToString());
  }
}

void FuzzLines(std::string_view text) {
  for (std::string_view line : Lines(text)) {
    absl::StatusOr<ledger::NoteVerifier> verifier = ledger::NoteVerifier::FromVerifierKey(line);
    if (verifier.ok()) {
      WAMS_FUZZ_CHECK(ledger::VerifierKeyLine(verifier->name(), verifier->key()) == line);
    } else {
      WAMS_FUZZ_CHECK(verifier.status().code() == absl::StatusCode::kInvalidArgument);
    }
  }
  absl::StatusOr<ledger_export::KeyRing> ring = ledger_export::KeyRing::Parse(text);
  if (!ring.ok()) {
    WAMS_FUZZ_CHECK(ring.status().code() == absl::StatusCode::kInvalidArgument);
  } else {
    WAMS_FUZZ_CHECK(ring->size() >= 1 && ring->size() == Lines(text).size());
  }
}

void FuzzBase64(std::string_view text) {
  absl::StatusOr<std::string> decoded = ledger::Base64Decode(text);
  if (decoded.ok()) {
    WAMS_FUZZ_CHECK(ledger::Base64Encode(*decoded) == text);
  } else {
    WAMS_FUZZ_CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<std::string> round_trip = ledger::Base64Decode(ledger::Base64Encode(text));
  WAMS_FUZZ_CHECK(round_trip.ok() && *round_trip == text);
}

}  // namespace
}  // namespace wams::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Notes are small (Go's note package caps them at 1 MB; checkpoints are
  // a few hundred bytes).
  if (size > 64 * 1024) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  wams::fuzz::FuzzNote(text);
  wams::fuzz::FuzzCheckpointBody(text);
  wams::fuzz::FuzzLines(text);
  wams::fuzz::FuzzBase64(text);
  return 0;
}
