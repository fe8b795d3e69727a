#include "broker/conference/conference_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "broker/storage/record_keys.h"

namespace wams::conference {
namespace {

using storage::Family;

std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

template <typename Message>
absl::StatusOr<std::optional<Message>> Parse(
    const absl::StatusOr<std::optional<std::string>>& bytes, absl::string_view what) {
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(**bytes)) {
    return absl::DataLossError(absl::StrCat(what, ": stored record does not parse"));
  }
  return message;
}

}  // namespace

std::string ConferenceStore::RequestKey(absl::string_view kind, absl::string_view caller_oin,
                                        absl::string_view request_id) {
  return storage::ConferenceRequestKey(Sv(kind), Sv(caller_oin), Sv(request_id));
}

absl::StatusOr<std::optional<v1::Conference>> ConferenceStore::Get(
    const std::string& conference_id) const {
  return Parse<v1::Conference>(backend_.Get(Family::kCases, storage::ConferenceKey(conference_id)),
                               absl::StrCat("conference ", conference_id));
}

storage::WriteBatch ConferenceStore::Record(const v1::Conference& conference) {
  storage::WriteBatch batch;
  batch.Put(Family::kCases, storage::ConferenceKey(conference.conference_id()),
            conference.SerializeAsString());
  return batch;
}

absl::StatusOr<std::optional<v1::ConferenceItem>> ConferenceStore::GetItem(
    const std::string& conference_id, const std::string& item_id) const {
  return Parse<v1::ConferenceItem>(
      backend_.Get(Family::kCases, storage::ConferenceItemKey(conference_id, item_id)),
      absl::StrCat("conference item ", item_id));
}

storage::WriteBatch ConferenceStore::ItemRecord(const std::string& conference_id,
                                                const v1::ConferenceItem& item) {
  storage::WriteBatch batch;
  batch.Put(Family::kCases, storage::ConferenceItemKey(conference_id, item.item_id()),
            item.SerializeAsString());
  return batch;
}

storage::WriteBatch ConferenceStore::RememberedRecord(std::string key, absl::string_view digest,
                                                      const google::protobuf::Message& response) {
  storage::WriteBatch batch;
  batch.Put(Family::kIdempotency, std::move(key),
            base::BindValue(digest, response.SerializeAsString()));
  return batch;
}

absl::StatusOr<std::vector<v1::ConferenceItem>> ConferenceStore::ListItems(
    const std::string& conference_id) const {
  std::vector<v1::ConferenceItem> items;
  absl::Status listed = storage::ScanAll(
      backend_, Family::kCases,
      storage::ScanRange::Prefix(storage::ConferenceItemPrefix(conference_id), 1000),
      [&](const storage::KeyValue& row) -> absl::Status {
        if (!items.emplace_back().ParseFromString(row.value)) {
          return absl::DataLossError(
              absl::StrCat("conference ", conference_id, ": a stored item does not parse"));
        }
        return absl::OkStatus();
      });
  if (!listed.ok()) return listed;
  return items;
}

absl::StatusOr<std::optional<base::BoundValue>> ConferenceStore::Recall(
    const std::string& key) const {
  absl::StatusOr<std::optional<std::string>> stored = backend_.Get(Family::kIdempotency, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::nullopt;
  return base::UnbindValue(**stored);
}

}  // namespace wams::conference
