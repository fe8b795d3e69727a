#include "broker/retention/case_data_remover.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/storage/key_codec.h"
#include "broker/storage/record_keys.h"
#include "wams/broker/v1/conference.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::retention {
namespace {

namespace v1 = ::wams::broker::v1;
using storage::Family;
using storage::ScanRange;

constexpr size_t kScanChunk = 1000;

}  // namespace

uint64_t RemovalCounts::Total() const {
  return cases_removed + cases_stripped + consents_removed + conference_records_removed +
         index_entries_removed + keys_shredded;
}

std::string RemovalCounts::Summary() const {
  return absl::StrCat("cases ", cases_removed, ", stripped ", cases_stripped, ", consents ",
                      consents_removed, ", conference records ", conference_records_removed,
                      ", index entries ", index_entries_removed, ", keys shredded ", keys_shredded);
}

absl::StatusOr<CaseIndex> CaseIndex::Read(const storage::Reader& reader) {
  CaseIndex index;
  const std::string conference_prefix = storage::ConferenceKey("");
  WAMS_RETURN_IF_ERROR(storage::ScanAll(
      reader, Family::kCases, ScanRange::From("", kScanChunk),
      [&](const storage::KeyValue& row) -> absl::Status {
        if (absl::StartsWith(row.key, conference_prefix)) {
          v1::Conference conference;
          if (!conference.ParseFromString(row.value)) {
            return absl::DataLossError(absl::StrCat("cases family: ", row.key, " does not parse"));
          }
          index.conferences_by_case[conference.case_id()].push_back(conference.conference_id());
          return absl::OkStatus();
        }
        // Conference items and anything else under "conference-" are not
        // cases; case ids are UUIDs.
        if (absl::StartsWith(row.key, "conference-")) return absl::OkStatus();
        v1::Case c;
        if (!c.ParseFromString(row.value)) {
          return absl::DataLossError(
              absl::StrCat("cases family: case ", row.key, " does not parse"));
        }
        index.cases.push_back(std::move(c));
        return absl::OkStatus();
      }));
  return index;
}

CaseDataRemover::CaseDataRemover(const storage::Backend& backend, size_t batch_size)
    : backend_(backend), batch_size_(batch_size == 0 ? 1 : batch_size) {}

void CaseDataRemover::Delete(Family family, std::string key) {
  pending_.Delete(family, std::move(key));
}

absl::Status CaseDataRemover::Flush(bool force) {
  if (pending_.empty() || (!force && pending_.size() < batch_size_)) return absl::OkStatus();
  storage::WriteBatch batch = std::move(pending_);
  pending_ = storage::WriteBatch();
  return backend_.Write(batch);
}

absl::StatusOr<std::vector<uint64_t>> CaseDataRemover::CaseLeaves(
    const std::string& case_id) const {
  WAMS_ASSIGN_OR_RETURN(std::string prefix, storage::StringPrefix(case_id));
  std::vector<uint64_t> leaves;
  WAMS_RETURN_IF_ERROR(storage::ScanAll(
      backend_, Family::kIdxCase, ScanRange::Prefix(prefix, kScanChunk),
      [&](const storage::KeyValue& row) -> absl::Status {
        if (row.key.size() != prefix.size() + 8) {
          return absl::DataLossError("idx_case: an entry of the wrong length");
        }
        leaves.push_back(storage::ReadBigEndian64(std::string_view(row.key).substr(prefix.size())));
        return absl::OkStatus();
      }));
  return leaves;
}

absl::Status CaseDataRemover::RemoveCaseSubjectEntries(const std::string& case_id,
                                                       const std::set<std::string>* only,
                                                       RemovalCounts& counts) {
  WAMS_ASSIGN_OR_RETURN(std::vector<uint64_t> leaves, CaseLeaves(case_id));
  for (uint64_t leaf : leaves) {
    WAMS_ASSIGN_OR_RETURN(std::optional<std::string> row,
                          backend_.Get(Family::kReceipts, storage::LeafKey(leaf)));
    if (!row.has_value()) continue;  // indexed but not stored: nothing to find it by
    v1::SignedReceipt signed_receipt;
    v1::Receipt receipt;
    if (!signed_receipt.ParseFromString(*row) ||
        !receipt.ParseFromString(signed_receipt.receipt_bytes())) {
      return absl::DataLossError(absl::StrCat("receipts: leaf ", leaf, " does not parse"));
    }
    const std::string& subject = receipt.subject_pseudonym();
    if (subject.empty() || (only != nullptr && !only->contains(subject))) continue;
    WAMS_ASSIGN_OR_RETURN(std::string key, storage::StringPrefix(subject));
    storage::AppendBigEndian64(&key, leaf);
    WAMS_ASSIGN_OR_RETURN(std::optional<std::string> entry, backend_.Get(Family::kIdxSubject, key));
    if (!entry.has_value()) continue;  // removed by an earlier run
    Delete(Family::kIdxSubject, std::move(key));
    ++counts.index_entries_removed;
    WAMS_RETURN_IF_ERROR(Flush(false));
  }
  return absl::OkStatus();
}

absl::Status CaseDataRemover::RemoveCase(const v1::Case& c, const CaseIndex& index,
                                         RemovalCounts& counts) {
  WAMS_RETURN_IF_ERROR(RemoveCaseSubjectEntries(c.case_id(), nullptr, counts));
  auto conferences = index.conferences_by_case.find(c.case_id());
  if (conferences != index.conferences_by_case.end()) {
    for (const std::string& conference_id : conferences->second) {
      WAMS_RETURN_IF_ERROR(storage::ScanAll(
          backend_, Family::kCases,
          ScanRange::Prefix(storage::ConferenceItemPrefix(conference_id), kScanChunk),
          [&](const storage::KeyValue& row) -> absl::Status {
            Delete(Family::kCases, row.key);
            ++counts.conference_records_removed;
            return Flush(false);
          }));
      // The conference after its items (in this batch or a later one): a
      // stopped run finds it again.
      Delete(Family::kCases, storage::ConferenceKey(conference_id));
      ++counts.conference_records_removed;
      WAMS_RETURN_IF_ERROR(Flush(false));
    }
  }
  // The case last: until it is gone, the next run finds it and finishes.
  Delete(Family::kCases, storage::CaseKey(c.case_id()));
  WAMS_RETURN_IF_ERROR(Flush(false));
  ++counts.cases_removed;
  counts.consents_removed += static_cast<uint64_t>(c.consents_size());
  return absl::OkStatus();
}

absl::Status CaseDataRemover::StripCase(const v1::Case& c, const std::set<std::string>& pseudonyms,
                                        RemovalCounts& counts) {
  WAMS_RETURN_IF_ERROR(RemoveCaseSubjectEntries(c.case_id(), &pseudonyms, counts));
  WAMS_RETURN_IF_ERROR(Flush(true));
  v1::Case stripped = c;
  stripped.clear_clients();
  for (const v1::CaseClient& client : c.clients()) {
    if (!pseudonyms.contains(client.subject_pseudonym())) *stripped.add_clients() = client;
  }
  stripped.clear_consents();
  for (const v1::Consent& consent : c.consents()) {
    if (pseudonyms.contains(consent.subject_pseudonym())) {
      ++counts.consents_removed;
    } else {
      *stripped.add_consents() = consent;
    }
  }
  stripped.set_version(c.version() + 1);
  std::string bytes;
  if (!stripped.SerializeToString(&bytes)) return absl::InternalError("case does not serialise");
  storage::WriteBatch batch;
  batch.Put(Family::kCases, storage::CaseKey(c.case_id()), std::move(bytes));
  WAMS_RETURN_IF_ERROR(backend_.Write(batch));
  ++counts.cases_stripped;
  return absl::OkStatus();
}

absl::Status CaseDataRemover::RemoveSubjectEntries(const std::string& pseudonym,
                                                   RemovalCounts& counts) {
  WAMS_ASSIGN_OR_RETURN(std::string prefix, storage::StringPrefix(pseudonym));
  // ScanAll reads on after the last key it returned, so the batches written
  // meanwhile do not disturb it.
  return storage::ScanAll(backend_, Family::kIdxSubject, ScanRange::Prefix(prefix, kScanChunk),
                          [&](const storage::KeyValue& row) -> absl::Status {
                            Delete(Family::kIdxSubject, row.key);
                            ++counts.index_entries_removed;
                            return Flush(false);
                          });
}

absl::Status CaseDataRemover::Finish() { return Flush(true); }

}  // namespace wams::retention
