#include "broker/storage/record_keys.h"

#include <initializer_list>

#include "broker/storage/key_codec.h"

namespace wams::storage {
namespace {

// (absl::StrCat takes absl::string_view, which is not std::string_view in
// Debian's Abseil.)
std::string Concat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

}  // namespace

std::string SubjectKeyKey(std::string_view tag) { return Concat({"key/", tag}); }

std::string SubjectPseudonymKey(std::string_view pseudonym) {
  return Concat({"pseudonym/", pseudonym});
}

std::string CaseKey(std::string_view case_id) { return std::string(case_id); }

std::string ConferenceKey(std::string_view conference_id) {
  return Concat({"conference/", conference_id});
}

std::string ConferenceItemPrefix(std::string_view conference_id) {
  return Concat({"conference-item/", conference_id, "/"});
}

std::string ConferenceItemKey(std::string_view conference_id, std::string_view item_id) {
  return Concat({ConferenceItemPrefix(conference_id), item_id});
}

std::string CaseOpenKey(std::string_view caller_oin, std::string_view request_id) {
  return Concat({"case-open/", caller_oin, "/", request_id});
}

std::string OutcomeKey(std::string_view kind, std::string_view caller_oin,
                       std::string_view request_id) {
  return Concat({kind, "/", caller_oin, "/", request_id});
}

std::string ConferenceRequestKey(std::string_view kind, std::string_view caller_oin,
                                 std::string_view request_id) {
  return Concat({"conference-", kind, "/", caller_oin, "/", request_id});
}

std::string CosignatureKeyPrefix(uint64_t tree_size) {
  std::string key = "cosignature/";
  AppendBigEndian64(&key, tree_size);
  return key;
}

std::string CosignatureKey(uint64_t tree_size, std::string_view witness_name) {
  return Concat({CosignatureKeyPrefix(tree_size), witness_name});
}

}  // namespace wams::storage
