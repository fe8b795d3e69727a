// note.h: C2SP signed notes (golang.org/x/mod/sumdb/note), tlog-checkpoint
// bodies and tlog-cosignature lines, with Ed25519 keys.
//
//   NoteSigner signer("wams.utrecht.example/receipts", std::move(key));
//   std::string note = signer.Sign(CheckpointBody(origin, size, root));
//   WAMS_ASSIGN_OR_RETURN(auto v, NoteVerifier::FromVerifierKey(line));
//   WAMS_ASSIGN_OR_RETURN(std::string text, v.Open(note));
//   WAMS_ASSIGN_OR_RETURN(CheckpointBody cp, ParseCheckpointBody(text));
//
// Format: https://github.com/C2SP/C2SP/blob/main/signed-note.md,
// tlog-checkpoint.md and tlog-cosignature.md. A note is UTF-8 text ending in
// "\n", a blank line, then signature lines "— <name> <base64(keyid||sig)>\n".
#ifndef WAMS_BROKER_LEDGER_NOTE_NOTE_H_
#define WAMS_BROKER_LEDGER_NOTE_NOTE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/crypto/sha256.h"

namespace wams::ledger {

// Key id of an Ed25519 note key: the first 4 bytes of
// SHA-256(name || "\n" || 0x01 || pubkey), big-endian.
uint32_t NoteKeyId(std::string_view name, const Ed25519PublicKey& key);

// "name+hash+base64(0x01||pubkey)", hash as 8 lower-case hex digits.
std::string VerifierKeyLine(std::string_view name, const Ed25519PublicKey& key);

// "name+hash", hash as 8 lower-case hex digits.
std::string NoteKeyName(std::string_view name, uint32_t key_id);

// True for a valid note key name: non-empty UTF-8 without '+' or white space.
bool IsValidNoteKeyName(std::string_view name);

// One signature line of a note, decoded but not verified.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // the bytes after the 4-byte key id
};
// A note split into its signed text (ending in "\n") and its signature lines,
// as C2SP signed-note (and Go's note.Open) defines the syntax: valid UTF-8, no
// control characters but "\n", the signature block after the last blank line,
// at most 100 signature lines. INVALID_ARGUMENT (saying what) when malformed.
struct ParsedNote {
  std::string text;
  std::vector<NoteSignature> signatures;
};
absl::StatusOr<ParsedNote> ParseNote(std::string_view note);

// Signs note texts. Thread-safe.
class NoteSigner {
 public:
  NoteSigner(std::string name, Ed25519PrivateKey key);
  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  // "name+hash" (hash as 8 hex digits): the key id used on receipts.
  std::string KeyName() const;
  std::string VerifierKey() const;
  // The text, a blank line, and one signature line
  // "— name base64(keyid||sig)\n". Precondition (a bug if broken, aborts):
  // `text` is non-empty valid UTF-8 ending in "\n", without control characters
  // but "\n" and without a blank line; checkpoint bodies from
  // FormatCheckpointBody() always are.
  std::string Sign(std::string_view text) const;
  // Raw Ed25519 signature of arbitrary bytes with the same key (receipts).
  std::string SignBytes(std::string_view bytes) const;
  const Ed25519PrivateKey& key() const { return key_; }

 private:
  std::string name_;
  Ed25519PrivateKey key_;
  uint32_t key_id_;
};

// Verifies notes signed by one key.
class NoteVerifier {
 public:
  // Parses "name+hash+base64(0x01||pubkey)" (split only on the first two '+').
  // INVALID_ARGUMENT (saying what) when malformed or the hash is not the key's.
  static absl::StatusOr<NoteVerifier> FromVerifierKey(std::string_view line);
  NoteVerifier(std::string name, Ed25519PublicKey key);
  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const Ed25519PublicKey& key() const { return key_; }
  std::string KeyName() const;
  // Returns the note's text when it carries a valid signature by this key;
  // INVALID_ARGUMENT for a malformed note, UNAUTHENTICATED when no valid
  // signature by this key is present (a line with this key's name and id but
  // a bad signature is UNAUTHENTICATED too). Other signers' lines are ignored.
  absl::StatusOr<std::string> Open(std::string_view note) const;
  // True when `sig` is this key's (name and key id match) and it verifies
  // over `text`.
  bool VerifySignature(std::string_view text, const NoteSignature& sig) const;

 private:
  std::string name_;
  Ed25519PublicKey key_;
  uint32_t key_id_;
};

// A parsed tlog-checkpoint body.
struct CheckpointBody {
  std::string origin;
  uint64_t tree_size = 0;
  Digest root_hash{};
};
// "<origin>\n<size>\n<base64 root>\n".
std::string FormatCheckpointBody(const CheckpointBody& body);
// Parses a checkpoint body (extension lines after the root are allowed and
// ignored, but must be non-empty). INVALID_ARGUMENT naming the bad line: an
// empty origin, a size that is not canonical decimal (no sign, no leading
// zero, fits 64 bits), a root that is not base64 of 32 bytes, no final "\n".
absl::StatusOr<CheckpointBody> ParseCheckpointBody(std::string_view text);

// C2SP tlog-cosignature: signs "cosignature/v1\ntime <t>\n" + checkpoint body,
// key id SHA-256(name || "\n" || 0x04 || pubkey)[:4], signature line
// "— name base64(keyid || 8-byte big-endian time || sig)\n" (with the final
// newline, so it can be appended to a note's signature block).
uint32_t CosignatureKeyId(std::string_view name, const Ed25519PublicKey& key);
std::string CosignatureLine(std::string_view name, const Ed25519PrivateKey& key,
                            std::string_view checkpoint_body, uint64_t unix_seconds);
// OK when `line` (final "\n" optional) is a valid cosignature of
// `checkpoint_body` by (name, key). INVALID_ARGUMENT when malformed or for
// another name or key id, UNAUTHENTICATED when the signature does not verify.
absl::Status VerifyCosignatureLine(std::string_view line, std::string_view name,
                                   const Ed25519PublicKey& key, std::string_view checkpoint_body);

// A witness's cosignature key, from its verifier key line.
struct CosignatureVerifier {
  std::string name;
  Ed25519PublicKey key;
};
// "name+hash+base64(0x04||pubkey)", hash as 8 lower-case hex digits: what
// `wams-audit witness-key` prints and the broker's config lists.
std::string CosignatureVerifierKeyLine(std::string_view name, const Ed25519PublicKey& key);
// Parses a cosignature verifier key line (split only on the first two '+').
// The one parser of witness keys (broker config, wams-audit). INVALID_ARGUMENT
// saying what is wrong: the form, the name, not a 0x04 key, a hash that is
// not the key's.
absl::StatusOr<CosignatureVerifier> ParseCosignatureVerifierKey(std::string_view line);

// Standard base64 (RFC 4648, with padding). Decoding is strict, so every
// byte string has exactly one accepted encoding: no white space, padding
// required, unused trailing bits must be zero; INVALID_ARGUMENT otherwise.
std::string Base64Encode(std::string_view bytes);
absl::StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace wams::ledger

#endif  // WAMS_BROKER_LEDGER_NOTE_NOTE_H_
