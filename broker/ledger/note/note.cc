#include "broker/ledger/note/note.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"

namespace wams::ledger {
namespace {

// U+2014 EM DASH and a space: the start of every signature line.
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";
constexpr size_t kMaxSignatures = 100;
constexpr uint8_t kAlgEd25519 = 0x01;
constexpr uint8_t kAlgCosignatureV1 = 0x04;

// Debian's Abseil is built with its own absl::string_view (not an alias of
// std::string_view), so StrCat needs the conversion spelled out.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

uint32_t KeyIdWithAlg(std::string_view name, uint8_t alg, const Ed25519PublicKey& key) {
  const char alg_byte = static_cast<char>(alg);
  Digest d = Sha256Parts({name, "\n", std::string_view(&alg_byte, 1), key.raw()});
  return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | uint32_t{d[3]};
}

std::string Be32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return out;
}

uint32_t ReadBe32(std::string_view b) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return std::string(buf, 8);
}

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 when invalid
// (overlong forms, surrogates and values above U+10FFFF are invalid).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t& cp) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t len;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool IsUnicodeSpace(uint32_t cp) {
  // Go's unicode.IsSpace.
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// OK when `text` is valid UTF-8 with no control character other than "\n".
absl::Status CheckNoteChars(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(text, i, cp);
    if (len == 0) {
      return absl::InvalidArgumentError(absl::StrCat("note: invalid UTF-8 at byte ", i));
    }
    if ((cp < 0x20 && cp != '\n') || cp == 0x7F) {
      return absl::InvalidArgumentError(absl::StrCat("note: control character at byte ", i));
    }
    i += len;
  }
  return absl::OkStatus();
}

// Parses "— name base64" (no final newline) into its parts.
absl::StatusOr<NoteSignature> ParseSignatureLine(std::string_view line, size_t min_bytes) {
  if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
    return absl::InvalidArgumentError("note: signature line does not start with \"— \"");
  }
  line.remove_prefix(kSigPrefix.size());
  size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return absl::InvalidArgumentError("note: signature line has no space after the key name");
  }
  std::string_view name = line.substr(0, space);
  std::string_view b64 = line.substr(space + 1);
  if (!IsValidNoteKeyName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("note: invalid key name in signature line: \"", Av(name), "\""));
  }
  absl::StatusOr<std::string> raw = Base64Decode(b64);
  if (!raw.ok() || raw->size() < min_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "note: signature of \"", Av(name), "\" is not valid base64 of key id and signature"));
  }
  NoteSignature sig;
  sig.name = std::string(name);
  sig.key_id = ReadBe32(*raw);
  sig.signature = raw->substr(4);
  return sig;
}

std::string CosignedMessage(std::string_view checkpoint_body, uint64_t unix_seconds) {
  return absl::StrCat("cosignature/v1\ntime ", unix_seconds, "\n", Av(checkpoint_body));
}

constexpr char kB64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeB64Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kB64Alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kB64Table = MakeB64Table();

}  // namespace

// ----------------------------------------------------------------- base64

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.resize((bytes.size() + 2) / 3 * 4);
  size_t o = 0;
  size_t i = 0;
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    out[o++] = kB64Alphabet[(v >> 18) & 63];
    out[o++] = kB64Alphabet[(v >> 12) & 63];
    out[o++] = kB64Alphabet[(v >> 6) & 63];
    out[o++] = kB64Alphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{in[i]} << 16;
    out[o++] = kB64Alphabet[(v >> 18) & 63];
    out[o++] = kB64Alphabet[(v >> 12) & 63];
    out[o++] = '=';
    out[o++] = '=';
  } else if (rest == 2) {
    uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8);
    out[o++] = kB64Alphabet[(v >> 18) & 63];
    out[o++] = kB64Alphabet[(v >> 12) & 63];
    out[o++] = kB64Alphabet[(v >> 6) & 63];
    out[o++] = '=';
  }
  return out;
}

absl::StatusOr<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("base64: length ", text.size(), " is not a multiple of 4"));
  }
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.resize(text.size() / 4 * 3 - pad);
  size_t o = 0;
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const size_t chars = last ? 4 - pad : 4;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int8_t d = 0;
      if (k < chars) {
        d = kB64Table[static_cast<uint8_t>(text[i + k])];
        if (d < 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("base64: invalid character at offset ", i + k));
        }
      }
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    if (chars == 4) {
      out[o++] = static_cast<char>(v >> 16);
      out[o++] = static_cast<char>(v >> 8);
      out[o++] = static_cast<char>(v);
    } else if (chars == 3) {
      if ((v & 0xFF) != 0) return absl::InvalidArgumentError("base64: non-zero trailing bits");
      out[o++] = static_cast<char>(v >> 16);
      out[o++] = static_cast<char>(v >> 8);
    } else {
      if ((v & 0xFFFF) != 0) return absl::InvalidArgumentError("base64: non-zero trailing bits");
      out[o++] = static_cast<char>(v >> 16);
    }
  }
  return out;
}

// ------------------------------------------------------------------ keys

uint32_t NoteKeyId(std::string_view name, const Ed25519PublicKey& key) {
  return KeyIdWithAlg(name, kAlgEd25519, key);
}

uint32_t CosignatureKeyId(std::string_view name, const Ed25519PublicKey& key) {
  return KeyIdWithAlg(name, kAlgCosignatureV1, key);
}

std::string NoteKeyName(std::string_view name, uint32_t key_id) {
  return absl::StrCat(Av(name), "+", Hex8(key_id));
}

std::string VerifierKeyLine(std::string_view name, const Ed25519PublicKey& key) {
  std::string typed(1, static_cast<char>(kAlgEd25519));
  typed += key.raw();
  return absl::StrCat(NoteKeyName(name, NoteKeyId(name, key)), "+", Base64Encode(typed));
}

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(name, i, cp);
    if (len == 0 || cp == '+' || IsUnicodeSpace(cp) || cp < 0x20 || cp == 0x7F) return false;
    i += len;
  }
  return true;
}

// ------------------------------------------------------------------ notes

absl::StatusOr<ParsedNote> ParseNote(std::string_view note) {
  WAMS_RETURN_IF_ERROR(CheckNoteChars(note));
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return absl::InvalidArgumentError("note: no blank line before the signatures");
  }
  ParsedNote parsed;
  parsed.text = std::string(note.substr(0, split + 1));
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return absl::InvalidArgumentError(
        "note: the signature block is empty or lacks a final newline");
  }
  while (!sigs.empty()) {
    size_t nl = sigs.find('\n');
    WAMS_ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(sigs.substr(0, nl), 5));
    sigs.remove_prefix(nl + 1);
    if (parsed.signatures.size() == kMaxSignatures) {
      return absl::InvalidArgumentError("note: more than 100 signatures");
    }
    parsed.signatures.push_back(std::move(sig));
  }
  return parsed;
}

NoteSigner::NoteSigner(std::string name, Ed25519PrivateKey key)
    : name_(std::move(name)), key_(std::move(key)), key_id_(NoteKeyId(name_, key_.PublicKey())) {}

std::string NoteSigner::KeyName() const { return NoteKeyName(name_, key_id_); }

std::string NoteSigner::VerifierKey() const { return VerifierKeyLine(name_, key_.PublicKey()); }

std::string NoteSigner::Sign(std::string_view text) const {
  if (text.empty() || text.back() != '\n' || text.find("\n\n") != std::string_view::npos ||
      !CheckNoteChars(text).ok()) {
    std::fprintf(stderr, "wams note: NoteSigner::Sign called with a malformed note text\n");
    std::abort();
  }
  std::string sig = Be32(key_id_);
  sig += key_.Sign(text);
  return absl::StrCat(Av(text), "\n", Av(kSigPrefix), name_, " ", Base64Encode(sig), "\n");
}

std::string NoteSigner::SignBytes(std::string_view bytes) const { return key_.Sign(bytes); }

absl::StatusOr<NoteVerifier> NoteVerifier::FromVerifierKey(std::string_view line) {
  // The base64 key may itself hold '+': split on the first two only.
  size_t p1 = line.find('+');
  size_t p2 = p1 == std::string_view::npos ? p1 : line.find('+', p1 + 1);
  if (p2 == std::string_view::npos) {
    return absl::InvalidArgumentError("verifier key: expected \"name+hash+key\"");
  }
  std::string_view name = line.substr(0, p1);
  std::string_view hash_hex = line.substr(p1 + 1, p2 - p1 - 1);
  std::string_view key_b64 = line.substr(p2 + 1);
  if (!IsValidNoteKeyName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key: invalid name \"", Av(name), "\""));
  }
  if (hash_hex.size() != 8 ||
      hash_hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key \"", Av(name), "\": the hash is not 8 lower-case hex digits"));
  }
  absl::StatusOr<std::string> typed = Base64Decode(key_b64);
  if (!typed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key \"", Av(name), "\": key is not valid base64"));
  }
  if (typed->empty() || static_cast<uint8_t>((*typed)[0]) != kAlgEd25519) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key \"", Av(name), "\": not an Ed25519 key (algorithm byte 0x01)"));
  }
  absl::StatusOr<Ed25519PublicKey> key = Ed25519PublicKey::FromRaw(typed->substr(1));
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key \"", Av(name), "\": ", key.status().message()));
  }
  NoteVerifier verifier(std::string(name), *std::move(key));
  if (Hex8(verifier.key_id()) != hash_hex) {
    return absl::InvalidArgumentError(absl::StrCat("verifier key \"", Av(name), "\": hash ",
                                                   Av(hash_hex), " does not match the key (",
                                                   Hex8(verifier.key_id()), ")"));
  }
  return verifier;
}

NoteVerifier::NoteVerifier(std::string name, Ed25519PublicKey key)
    : name_(std::move(name)), key_(std::move(key)), key_id_(NoteKeyId(name_, key_)) {}

std::string NoteVerifier::KeyName() const { return NoteKeyName(name_, key_id_); }

bool NoteVerifier::VerifySignature(std::string_view text, const NoteSignature& sig) const {
  return sig.name == name_ && sig.key_id == key_id_ && key_.Verify(text, sig.signature);
}

absl::StatusOr<std::string> NoteVerifier::Open(std::string_view note) const {
  WAMS_ASSIGN_OR_RETURN(ParsedNote parsed, ParseNote(note));
  bool verified = false;
  for (const NoteSignature& sig : parsed.signatures) {
    if (sig.name != name_ || sig.key_id != key_id_) continue;  // another signer
    if (!key_.Verify(parsed.text, sig.signature)) {
      return absl::UnauthenticatedError(
          absl::StrCat("note: signature by ", KeyName(), " does not verify"));
    }
    verified = true;
  }
  if (!verified) {
    return absl::UnauthenticatedError(absl::StrCat("note: no signature by ", KeyName()));
  }
  return std::move(parsed.text);
}

// ------------------------------------------------------------ checkpoints

std::string FormatCheckpointBody(const CheckpointBody& body) {
  return absl::StrCat(body.origin, "\n", body.tree_size, "\n",
                      Base64Encode(DigestBytes(body.root_hash)), "\n");
}

absl::StatusOr<CheckpointBody> ParseCheckpointBody(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("checkpoint: body does not end in a newline");
  }
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint: expected origin, size and root lines, got ", lines.size(), " line(s)"));
  }
  CheckpointBody body;
  if (lines[0].empty()) return absl::InvalidArgumentError("checkpoint: line 1 (origin) is empty");
  body.origin = std::string(lines[0]);

  std::string_view size = lines[1];
  if (size.empty() || size.size() > 20 ||
      size.find_first_not_of("0123456789") != std::string_view::npos ||
      (size.size() > 1 && size[0] == '0')) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint: line 2 (tree size) is not a decimal without leading zeros: \"",
                     Av(size), "\""));
  }
  uint64_t n = 0;
  for (char c : size) {
    auto d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) {
      return absl::InvalidArgumentError("checkpoint: line 2 (tree size) exceeds 64 bits");
    }
    n = n * 10 + d;
  }
  body.tree_size = n;

  absl::StatusOr<std::string> root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != body.root_hash.size()) {
    return absl::InvalidArgumentError("checkpoint: line 3 (root hash) is not base64 of 32 bytes");
  }
  std::copy(root->begin(), root->end(), body.root_hash.begin());

  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint: extension line ", i + 1, " is empty"));
    }
  }
  return body;
}

// ------------------------------------------------------------ cosignatures

std::string CosignatureLine(std::string_view name, const Ed25519PrivateKey& key,
                            std::string_view checkpoint_body, uint64_t unix_seconds) {
  std::string blob = Be32(CosignatureKeyId(name, key.PublicKey()));
  for (int i = 7; i >= 0; --i) blob.push_back(static_cast<char>((unix_seconds >> (8 * i)) & 0xff));
  blob += key.Sign(CosignedMessage(checkpoint_body, unix_seconds));
  return absl::StrCat(Av(kSigPrefix), Av(name), " ", Base64Encode(blob), "\n");
}

absl::Status VerifyCosignatureLine(std::string_view line, std::string_view name,
                                   const Ed25519PublicKey& key, std::string_view checkpoint_body) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  WAMS_ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(line, 4 + 8 + 64));
  if (sig.name != name) {
    return absl::InvalidArgumentError(
        absl::StrCat("cosignature: by \"", sig.name, "\", expected \"", Av(name), "\""));
  }
  const uint32_t want_id = CosignatureKeyId(name, key);
  if (sig.key_id != want_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("cosignature: key id ", Hex8(sig.key_id), " is not ", Hex8(want_id)));
  }
  if (sig.signature.size() != 8 + 64) {
    return absl::InvalidArgumentError(
        "cosignature: expected an 8-byte time and a 64-byte signature");
  }
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = (t << 8) | static_cast<uint8_t>(sig.signature[i]);
  if (!key.Verify(CosignedMessage(checkpoint_body, t), std::string_view(sig.signature).substr(8))) {
    return absl::UnauthenticatedError(
        absl::StrCat("cosignature by ", Av(name), " does not verify"));
  }
  return absl::OkStatus();
}

std::string CosignatureVerifierKeyLine(std::string_view name, const Ed25519PublicKey& key) {
  return absl::StrCat(Av(name), "+", Hex8(CosignatureKeyId(name, key)), "+",
                      Base64Encode(absl::StrCat("\x04", key.raw())));
}

absl::StatusOr<CosignatureVerifier> ParseCosignatureVerifierKey(std::string_view line) {
  // The base64 key may itself hold '+': split on the first two only.
  const size_t first = line.find('+');
  const size_t second = first == std::string_view::npos ? first : line.find('+', first + 1);
  if (second == std::string_view::npos) {
    return absl::InvalidArgumentError("witness key: want name+hash+base64");
  }
  std::string name(line.substr(0, first));
  if (!IsValidNoteKeyName(name)) return absl::InvalidArgumentError("witness key: bad name");
  absl::StatusOr<std::string> raw = Base64Decode(line.substr(second + 1));
  if (!raw.ok() || raw->size() != 33 || (*raw)[0] != 0x04) {
    return absl::InvalidArgumentError(absl::StrCat(
        "witness key ", name, ": not a cosignature key (want base64 of 0x04 and 32 key bytes)"));
  }
  WAMS_ASSIGN_OR_RETURN(Ed25519PublicKey key,
                        Ed25519PublicKey::FromRaw(std::string_view(*raw).substr(1)));
  if (Hex8(CosignatureKeyId(name, key)) != line.substr(first + 1, second - first - 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("witness key ", name, ": the hash does not match the key"));
  }
  return CosignatureVerifier{std::move(name), std::move(key)};
}

}  // namespace wams::ledger
