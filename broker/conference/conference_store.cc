#include "broker/conference/conference_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "rocksdb/iterator.h"

namespace wams::conference {
namespace {

using ledger::store::Cf;
using ledger::store::CompanionWrite;

// Case ids are UUIDs, so these prefixes never collide with a case's key in
// the same family.
constexpr absl::string_view kConferencePrefix = "conference/";
constexpr absl::string_view kItemPrefix = "conference-item/";

std::string ConferenceKey(absl::string_view conference_id) {
  return absl::StrCat(kConferencePrefix, conference_id);
}

std::string ItemPrefix(absl::string_view conference_id) {
  return absl::StrCat(kItemPrefix, conference_id, "/");
}

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
  return absl::StrCat("conference-", kind, "/", caller_oin, "/", request_id);
}

absl::StatusOr<std::optional<v1::Conference>> ConferenceStore::Get(
    const std::string& conference_id) const {
  return Parse<v1::Conference>(storage_.Get(Cf::kCases, ConferenceKey(conference_id)),
                               absl::StrCat("conference ", conference_id));
}

CompanionWrite ConferenceStore::Record(const v1::Conference& conference) {
  return {CompanionWrite::Family::kCases, ConferenceKey(conference.conference_id()),
          conference.SerializeAsString()};
}

absl::StatusOr<std::optional<v1::ConferenceItem>> ConferenceStore::GetItem(
    const std::string& conference_id, const std::string& item_id) const {
  return Parse<v1::ConferenceItem>(
      storage_.Get(Cf::kCases, absl::StrCat(ItemPrefix(conference_id), item_id)),
      absl::StrCat("conference item ", item_id));
}

CompanionWrite ConferenceStore::ItemRecord(const std::string& conference_id,
                                           const v1::ConferenceItem& item) {
  return {CompanionWrite::Family::kCases, absl::StrCat(ItemPrefix(conference_id), item.item_id()),
          item.SerializeAsString()};
}

CompanionWrite ConferenceStore::RememberedRecord(std::string key, absl::string_view digest,
                                                 const google::protobuf::Message& response) {
  return {CompanionWrite::Family::kIdempotency, std::move(key),
          common::BindValue(digest, response.SerializeAsString())};
}

absl::StatusOr<std::vector<v1::ConferenceItem>> ConferenceStore::ListItems(
    const std::string& conference_id) const {
  const std::string prefix = ItemPrefix(conference_id);
  std::vector<v1::ConferenceItem> items;
  std::unique_ptr<rocksdb::Iterator> it = storage_.NewIterator(Cf::kCases);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    v1::ConferenceItem& item = items.emplace_back();
    if (!item.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("conference ", conference_id, ": a stored item does not parse"));
    }
  }
  if (!it->status().ok()) {
    return ledger::store::FromRocks(it->status(),
                                    absl::StrCat("listing items of conference ", conference_id));
  }
  return items;
}

absl::StatusOr<std::optional<common::BoundValue>> ConferenceStore::Recall(
    const std::string& key) const {
  absl::StatusOr<std::optional<std::string>> stored = storage_.Get(Cf::kIdempotency, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::nullopt;
  return common::UnbindValue(**stored);
}

}  // namespace wams::conference
