#include "broker/ledger/export/export_format.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"

namespace wams::ledger_export {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status IoError(std::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(Av(what), " ", path, ": ", std::strerror(errno)));
}

// JSON string escaping for key ids (base64 never needs it).
void AppendJsonString(std::string_view s, std::string& out) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[(c >> 4) & 0xF]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// A minimal cursor over one JSON line.
class JsonCursor {
 public:
  explicit JsonCursor(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == s_.size();
  }
  // Reads a JSON string; fast path for strings without escapes.
  bool String(std::string& out) {
    SkipSpace();
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    ++pos_;
    out.clear();
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return false;
      char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = 0;
            if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') return false;
            pos_ += 2;
            if (!Hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  // A non-negative integer without sign, fraction, exponent or leading zero.
  bool Uint64(uint64_t& out) {
    SkipSpace();
    size_t start = pos_;
    out = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      auto d = static_cast<uint64_t>(s_[pos_] - '0');
      if (out > (UINT64_MAX - d) / 10) return false;
      out = out * 10 + d;
      ++pos_;
    }
    size_t len = pos_ - start;
    return len > 0 && !(len > 1 && s_[start] == '0');
  }

 private:
  bool Hex4(uint32_t& v) {
    if (pos_ + 4 > s_.size()) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return false;
      v = (v << 4) | static_cast<uint32_t>(d);
    }
    return true;
  }
  static void AppendUtf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// "name+hash" with a valid note key name and 8 lower-case hex digits.
bool IsKeyName(std::string_view key_id) {
  size_t plus = key_id.rfind('+');
  if (plus == std::string_view::npos || key_id.size() - plus - 1 != 8) return false;
  std::string_view hash = key_id.substr(plus + 1);
  return hash.find_first_not_of("0123456789abcdef") == std::string_view::npos &&
         ledger::IsValidNoteKeyName(key_id.substr(0, plus));
}

absl::Status WriteWholeFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", path);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return IoError("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return IoError("cannot fsync", path);
  }
  if (::close(fd) != 0) return IoError("cannot close", path);
  return absl::OkStatus();
}

}  // namespace

// ------------------------------------------------------------ line format

void AppendReceiptLine(const ExportedReceipt& receipt, std::string& out) {
  absl::StrAppend(&out, "{\"index\":", receipt.index, ",\"receipt\":\"");
  out += ledger::Base64Encode(receipt.receipt);
  out += "\",\"signature\":\"";
  out += ledger::Base64Encode(receipt.signature);
  out += "\",\"key_id\":";
  AppendJsonString(receipt.key_id, out);
  out += "}\n";
}

std::string FormatReceiptLine(const ExportedReceipt& receipt) {
  std::string out;
  AppendReceiptLine(receipt, out);
  return out;
}

absl::Status ParseReceiptLine(std::string_view line, ExportedReceipt& out) {
  JsonCursor json(line);
  if (!json.Consume('{')) return absl::InvalidArgumentError("not a JSON object");
  bool have_index = false, have_receipt = false, have_signature = false, have_key = false;
  std::string key;
  std::string value;
  bool first = true;
  while (!json.Consume('}')) {
    if (!first && !json.Consume(',')) {
      return absl::InvalidArgumentError("malformed JSON: expected ',' or '}'");
    }
    first = false;
    if (!json.String(key) || !json.Consume(':')) {
      return absl::InvalidArgumentError("malformed JSON: expected a \"field\":");
    }
    auto once = [&](bool& seen) -> absl::Status {
      if (seen) return absl::InvalidArgumentError(absl::StrCat("duplicate field \"", key, "\""));
      seen = true;
      return absl::OkStatus();
    };
    if (key == "index") {
      WAMS_RETURN_IF_ERROR(once(have_index));
      if (!json.Uint64(out.index)) {
        return absl::InvalidArgumentError("field \"index\" is not a non-negative integer");
      }
    } else if (key == "receipt" || key == "signature") {
      const bool is_receipt = key == "receipt";
      WAMS_RETURN_IF_ERROR(once(is_receipt ? have_receipt : have_signature));
      if (!json.String(value)) {
        return absl::InvalidArgumentError(absl::StrCat("field \"", key, "\" is not a string"));
      }
      absl::StatusOr<std::string> bytes = ledger::Base64Decode(value);
      if (!bytes.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("field \"", key, "\" is not strict base64: ", bytes.status().message()));
      }
      (is_receipt ? out.receipt : out.signature) = *std::move(bytes);
    } else if (key == "key_id") {
      WAMS_RETURN_IF_ERROR(once(have_key));
      if (!json.String(out.key_id)) {
        return absl::InvalidArgumentError("field \"key_id\" is not a string");
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown field \"", key, "\""));
    }
  }
  if (!json.AtEnd()) return absl::InvalidArgumentError("trailing bytes after the JSON object");
  if (!have_index) return absl::InvalidArgumentError("missing field \"index\"");
  if (!have_receipt) return absl::InvalidArgumentError("missing field \"receipt\"");
  if (!have_signature) return absl::InvalidArgumentError("missing field \"signature\"");
  if (!have_key) return absl::InvalidArgumentError("missing field \"key_id\"");
  return absl::OkStatus();
}

// ----------------------------------------------------------------- writer

ExportWriter::ExportWriter(std::string dir, std::FILE* receipts, bool continuing)
    : dir_(std::move(dir)), receipts_(receipts), continuing_(continuing) {}

ExportWriter::~ExportWriter() {
  if (receipts_ != nullptr) {
    std::fclose(receipts_);
    // An unfinished continuation leaves the earlier export as it was.
    if (continuing_) std::remove((dir_ + "/" + kReceiptsFile + ".part").c_str());
  }
}

absl::StatusOr<std::unique_ptr<ExportWriter>> ExportWriter::Continue(std::string dir,
                                                                     uint64_t from_index) {
  const std::string path = dir + "/" + kReceiptsFile;
  std::FILE* old = std::fopen(path.c_str(), "rbe");
  if (old == nullptr) return absl::NotFoundError(absl::StrCat("no ", path, " to continue"));
  uint64_t lines = 0;
  int last = '\n';
  std::vector<char> buffer(1 << 20);
  for (size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), old)) > 0;) {
    for (size_t i = 0; i < n; ++i) lines += buffer[i] == '\n';
    last = buffer[n - 1];
  }
  const bool read_error = std::ferror(old) != 0;
  std::fclose(old);
  if (read_error) return IoError("cannot read", path);
  if (lines != from_index || last != '\n') {
    return absl::FailedPreconditionError(absl::StrCat(path, " holds ", lines,
                                                      " whole receipts, not ", from_index,
                                                      ": not the export to continue"));
  }
  const std::string part = path + ".part";
  std::FILE* f = std::fopen(part.c_str(), "wbe");
  if (f == nullptr) return IoError("cannot create", part);
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  auto writer = std::unique_ptr<ExportWriter>(new ExportWriter(std::move(dir), f, true));
  writer->count_ = from_index;
  return writer;
}

absl::Status ExportWriter::AppendPart() {
  const std::string path = dir_ + "/" + kReceiptsFile;
  const std::string part = path + ".part";
  std::FILE* in = std::fopen(part.c_str(), "rbe");
  if (in == nullptr) return IoError("cannot open", part);
  std::FILE* out = std::fopen(path.c_str(), "abe");
  if (out == nullptr) {
    std::fclose(in);
    return IoError("cannot open", path);
  }
  std::vector<char> buffer(1 << 20);
  bool ok = true;
  for (size_t n; ok && (n = std::fread(buffer.data(), 1, buffer.size(), in)) > 0;) {
    ok = std::fwrite(buffer.data(), 1, n, out) == n;
  }
  ok = ok && std::ferror(in) == 0;
  std::fclose(in);
  ok = std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0 && ok;
  if (std::fclose(out) != 0 || !ok) return IoError("cannot append to", path);
  std::remove(part.c_str());
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ExportWriter>> ExportWriter::Create(std::string dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot create directory ", dir, ": ", ec.message()));
  }
  for (const char* name : {kCheckpointFile, kReceiptsFile, kKeysFile}) {
    if (std::filesystem::exists(std::filesystem::path(dir) / name, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat("export directory ", dir, " already holds ", name));
    }
  }
  const std::string path = (std::filesystem::path(dir) / kReceiptsFile).string();
  std::FILE* f = std::fopen(path.c_str(), "wxe");
  if (f == nullptr) return IoError("cannot create", path);
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  return std::unique_ptr<ExportWriter>(new ExportWriter(std::move(dir), f, false));
}

absl::Status ExportWriter::AddReceipt(const ExportedReceipt& receipt) {
  if (receipts_ == nullptr) return absl::FailedPreconditionError("export already finished");
  if (receipt.index != count_) {
    return absl::InvalidArgumentError(
        absl::StrCat("receipt index ", receipt.index, " out of order, expected ", count_));
  }
  if (receipt.signature.size() != 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("receipt ", receipt.index, ": signature is not 64 bytes"));
  }
  if (!IsKeyName(receipt.key_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("receipt ", receipt.index, ": key_id is not \"name+hash\""));
  }
  line_.clear();
  AppendReceiptLine(receipt, line_);
  if (std::fwrite(line_.data(), 1, line_.size(), receipts_) != line_.size()) {
    return IoError("cannot write", dir_ + "/" + kReceiptsFile);
  }
  ++count_;
  return absl::OkStatus();
}

absl::Status ExportWriter::Finish(const std::vector<std::string>& verifier_keys,
                                  std::string_view checkpoint_note) {
  if (receipts_ == nullptr) return absl::FailedPreconditionError("export already finished");
  const std::string receipts_path = dir_ + "/" + kReceiptsFile + (continuing_ ? ".part" : "");
  std::FILE* f = receipts_;
  receipts_ = nullptr;
  if (std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0) {
    std::fclose(f);
    return IoError("cannot flush", receipts_path);
  }
  if (std::fclose(f) != 0) return IoError("cannot close", receipts_path);
  if (verifier_keys.empty()) return absl::InvalidArgumentError("an export needs at least one key");
  std::string keys;
  for (const std::string& key : verifier_keys) {
    if (!ledger::NoteVerifier::FromVerifierKey(key).ok()) {
      return absl::InvalidArgumentError(absl::StrCat("not a verifier key: ", key));
    }
    absl::StrAppend(&keys, key, "\n");
  }
  if (!continuing_) {
    WAMS_RETURN_IF_ERROR(WriteWholeFile(dir_ + "/" + kKeysFile, keys));
    return WriteWholeFile(dir_ + "/" + kCheckpointFile, checkpoint_note);
  }
  // The new files are written beside the old ones first; the checkpoint is
  // replaced last, so until then the old export still verifies as it was
  // (but for receipts appended past its checkpoint).
  for (const char* name : {kKeysFile, kCheckpointFile}) {
    std::remove((dir_ + "/" + name + ".new").c_str());
  }
  WAMS_RETURN_IF_ERROR(WriteWholeFile(dir_ + "/" + kKeysFile + ".new", keys));
  WAMS_RETURN_IF_ERROR(WriteWholeFile(dir_ + "/" + kCheckpointFile + ".new", checkpoint_note));
  WAMS_RETURN_IF_ERROR(AppendPart());
  for (const char* name : {kKeysFile, kCheckpointFile}) {
    std::error_code ec;
    std::filesystem::rename(dir_ + "/" + name + ".new", dir_ + "/" + name, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot replace ", dir_, "/", name));
  }
  return absl::OkStatus();
}

std::string CosignedNote(std::string_view note, const std::vector<std::string>& cosignature_lines) {
  std::string out(note);
  for (const std::string& line : cosignature_lines) {
    out += line;
    if (line.empty() || line.back() != '\n') out.push_back('\n');
  }
  return out;
}

// ---------------------------------------------------------------- key ring

absl::StatusOr<KeyRing> KeyRing::Parse(std::string_view keys_text) {
  KeyRing ring;
  if (!keys_text.empty() && keys_text.back() != '\n') {
    return absl::InvalidArgumentError("keys: the last line does not end in a newline");
  }
  size_t line_no = 0;
  while (!keys_text.empty()) {
    ++line_no;
    size_t nl = keys_text.find('\n');
    std::string_view line = keys_text.substr(0, nl);
    keys_text.remove_prefix(nl + 1);
    absl::StatusOr<ledger::NoteVerifier> verifier = ledger::NoteVerifier::FromVerifierKey(line);
    if (!verifier.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys: line ", line_no, ": ", verifier.status().message()));
    }
    std::string name = verifier->KeyName();
    if (!ring.verifiers_.emplace(name, *std::move(verifier)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys: line ", line_no, ": duplicate key ", name));
    }
  }
  if (ring.verifiers_.empty()) return absl::InvalidArgumentError("keys: no keys");
  return ring;
}

const ledger::NoteVerifier* KeyRing::Find(std::string_view key_name) const {
  auto it = verifiers_.find(key_name);
  return it == verifiers_.end() ? nullptr : &it->second;
}

absl::StatusOr<OpenedNote> KeyRing::OpenNote(std::string_view note) const {
  WAMS_ASSIGN_OR_RETURN(ledger::ParsedNote parsed, ledger::ParseNote(note));
  OpenedNote opened;
  for (const ledger::NoteSignature& sig : parsed.signatures) {
    const ledger::NoteVerifier* v = Find(ledger::NoteKeyName(sig.name, sig.key_id));
    if (v == nullptr) continue;  // a witness or an unknown signer
    if (!v->VerifySignature(parsed.text, sig)) {
      return absl::UnauthenticatedError(
          absl::StrCat("signature by ", v->KeyName(), " does not verify"));
    }
    opened.signed_by.push_back(v->KeyName());
  }
  if (opened.signed_by.empty()) {
    return absl::UnauthenticatedError("no signature by any key in the keys file");
  }
  opened.text = std::move(parsed.text);
  return opened;
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rbe");
  if (f == nullptr) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no such file: ", path));
    return IoError("cannot open", path);
  }
  std::string out;
  char buf[1 << 14];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return IoError("cannot read", path);
  return out;
}

}  // namespace wams::ledger_export
