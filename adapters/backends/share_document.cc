#include "adapters/backends/share_document.h"

#include "absl/strings/escaping.h"
#include "google/protobuf/stubs/common.h"
#include "nlohmann/json.hpp"

namespace wams::adapters {

namespace v1 = ::wams::broker::v1;

std::string ShareDocument(const v1::ProviderRequest& share) {
  using Json = nlohmann::ordered_json;  // fields in the documented order
  Json document;
  document["format"] = "wams.share.v1";
  document["transaction_id"] = share.transaction_id();
  document["request_id"] = share.request_id();
  document["case_id"] = share.case_id();
  document["subject_bsn"] = share.subject_bsn();
  // A party that may not process the BSN (R19) gets who the person is in its
  // own terms instead.
  if (share.has_subject_details()) {
    const v1::SubjectDetails& details = share.subject_details();
    Json who = Json::object();
    for (const auto& [key, value] :
         {std::pair{"family_name", &details.family_name()},
          std::pair{"given_names", &details.given_names()},
          std::pair{"date_of_birth", &details.date_of_birth()},
          std::pair{"postal_code", &details.postal_code()},
          std::pair{"house_number", &details.house_number()},
          std::pair{"party_client_number", &details.party_client_number()}}) {
      if (!value->empty()) who[key] = *value;
    }
    document["subject_details"] = std::move(who);
  }
  document["from"] = {{"oin", share.requester_oin()},
                      {"name", share.requester_name()},
                      {"professional_id", share.professional_id()}};
  document["purpose"] = v1::Purpose_Name(share.purpose());
  document["justification"] = share.justification();
  document["categories"] = Json::array();
  for (const std::string& category : share.categories()) document["categories"].push_back(category);
  document["data"] = Json::array();
  for (const v1::CategoryData& data : share.shared_data()) {
    // Every string field was checked as UTF-8 by protobuf; `content` is bytes.
    const bool text = google::protobuf::internal::IsStructurallyValidUTF8(data.content());
    document["data"].push_back(
        {{"category", data.category()},
         {"content_type", data.content_type()},
         {"content_encoding", text ? "utf-8" : "base64"},
         {"content", text ? data.content() : absl::Base64Escape(data.content())}});
  }
  return document.dump(2) + "\n";
}

}  // namespace wams::adapters
