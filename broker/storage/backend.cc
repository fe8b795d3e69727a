#include "broker/storage/backend.h"

#include <utility>

namespace wams::storage {
namespace {

constexpr std::array<FamilySpec, kFamilyCount> kTable = {{
    {Family::kMeta, "meta", true, "layout version, tree size, cosignatures"},
    {Family::kReceipts, "receipts", true, "leaf index -> SignedReceipt (exact signed bytes)"},
    {Family::kNodes, "nodes", true, "(level, index) -> subtree hash of a complete subtree"},
    {Family::kCheckpoints, "checkpoints", true, "tree size -> Checkpoint, every one kept"},
    {Family::kIdxCase, "idx_case", true, "case id, leaf index -> ''"},
    {Family::kIdxSubject, "idx_subject", true, "subject pseudonym, leaf index -> ''"},
    {Family::kIdxParty, "idx_party", true, "party OIN, leaf index -> role bits"},
    {Family::kIdxTime, "idx_time", true, "receipt time, leaf index -> ''"},
    {Family::kCases, "cases", false, "cases, conferences and their items"},
    {Family::kIdempotency, "idempotency", false, "request id -> outcome, bound to the request"},
    {Family::kSubjectKeys, "subject_keys", false,
     "lookup tag -> subject key; pseudonym -> lookup tag (crypto-shredding)"},
}};

}  // namespace

const std::array<FamilySpec, kFamilyCount>& FamilyTable() { return kTable; }

std::string_view FamilyName(Family family) { return kTable[static_cast<int>(family)].name; }

absl::Status Backend::PurgeDeleted(Family family, std::string_view /*begin*/,
                                   std::string_view /*end*/) const {
  std::string message = "the ";
  message.append(name())
      .append(" backend cannot purge deleted rows of ")
      .append(FamilyName(family));
  return absl::UnimplementedError(message);
}

void WriteBatch::Put(Family family, std::string key, std::string value) {
  bytes_ += key.size() + value.size();
  ops_.push_back({family, std::move(key), std::move(value)});
}

void WriteBatch::Delete(Family family, std::string key) {
  bytes_ += key.size();
  ops_.push_back({family, std::move(key), std::nullopt});
}

void WriteBatch::Append(WriteBatch&& other) {
  bytes_ += other.bytes_;
  for (Op& op : other.ops_) ops_.push_back(std::move(op));
  other.ops_.clear();
  other.bytes_ = 0;
}

bool WriteBatch::TouchesLog() const {
  for (const Op& op : ops_) {
    if (kTable[static_cast<int>(op.family)].log) return true;
  }
  return false;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

ScanRange ScanRange::Prefix(std::string_view prefix, size_t limit) {
  return ScanRange{std::string(prefix), PrefixEnd(prefix), limit, false};
}

ScanRange ScanRange::From(std::string begin, size_t limit) {
  return ScanRange{std::move(begin), "", limit, false};
}

absl::Status ScanAll(const Reader& reader, Family family, ScanRange range,
                     absl::FunctionRef<absl::Status(const KeyValue&)> visit) {
  if (range.limit == 0) range.limit = 1000;
  while (true) {
    absl::StatusOr<std::vector<KeyValue>> chunk = reader.Scan(family, range);
    if (!chunk.ok()) return chunk.status();
    for (const KeyValue& row : *chunk) {
      absl::Status visited = visit(row);
      if (!visited.ok()) return visited;
    }
    if (chunk->size() < range.limit) return absl::OkStatus();
    // Continue after the last key: in ascending order the next key is the
    // last one with a zero byte appended; descending, the end moves down.
    if (range.reverse) {
      range.end = chunk->back().key;
    } else {
      range.begin = chunk->back().key;
      range.begin.push_back('\0');
    }
  }
}

}  // namespace wams::storage
