// note.h: C2SP signed notes (golang.org/x/mod/sumdb/note), tlog-checkpoint
// bodies and tlog-cosignature lines, with Ed25519 keys.
//
//   NoteSigner signer("wams.utrecht.example/receipts", std::move(key));
//   std::string note = signer.Sign(CheckpointBody(origin, size, root));
//   WAMS_ASSIGN_OR_RETURN(auto v, NoteVerifier::FromVerifierKey(line));
//   WAMS_ASSIGN_OR_RETURN(std::string text, v.Open(note));
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

// Signs note texts. Thread-safe.
class NoteSigner {
 public:
  NoteSigner(std::string name, Ed25519PrivateKey key);
  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  // "name+hash" (hash as 8 hex digits): the key id used on receipts.
  std::string KeyName() const;
  std::string VerifierKey() const;
  // The text (must end in "\n"), a blank line, and one signature line
  // "— name base64(keyid||sig)\n".
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
  static absl::StatusOr<NoteVerifier> FromVerifierKey(std::string_view line);
  NoteVerifier(std::string name, Ed25519PublicKey key);
  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const Ed25519PublicKey& key() const { return key_; }
  std::string KeyName() const;
  // Returns the note's text when it carries a valid signature by this key;
  // INVALID_ARGUMENT for a malformed note, UNAUTHENTICATED when no valid
  // signature by this key is present.
  absl::StatusOr<std::string> Open(std::string_view note) const;

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
// Parses a checkpoint body (extension lines after the root are allowed and ignored).
absl::StatusOr<CheckpointBody> ParseCheckpointBody(std::string_view text);

// C2SP tlog-cosignature: signs "cosignature/v1\ntime <t>\n" + checkpoint body,
// key id SHA-256(name || "\n" || 0x04 || pubkey)[:4], signature line
// "— name base64(keyid || 8-byte big-endian time || sig)".
std::string CosignatureLine(std::string_view name, const Ed25519PrivateKey& key,
                            std::string_view checkpoint_body, uint64_t unix_seconds);
absl::Status VerifyCosignatureLine(std::string_view line, std::string_view name,
                                   const Ed25519PublicKey& key,
                                   std::string_view checkpoint_body);

// Standard base64 (with padding).
std::string Base64Encode(std::string_view bytes);
absl::StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace wams::ledger

#endif  // WAMS_BROKER_LEDGER_NOTE_NOTE_H_
