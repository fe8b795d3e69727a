// backend.h: the one seam between the SDK and a party's own data.
//
// The SDK checks the caller, applies the party's policy (unknown categories,
// consent, legal basis, conditions) and asks the Backend only for categories
// the policy lets through, one at a time. The Backend answers what its system
// holds; it does not decide about obligations.
//
//   class MyBackend : public wams::adapters::Backend {
//    public:
//     CategoryAnswer Fetch(const v1::ProviderRequest& request,
//                          absl::string_view category) override {
//       std::optional<std::string> json = my_system_.Lookup(request.subject_bsn(), category);
//       if (!json) return CategoryAnswer::NotHeld();
//       return CategoryAnswer::Data(*json);
//     }
//   };
#ifndef WAMS_ADAPTERS_SDK_BACKEND_H_
#define WAMS_ADAPTERS_SDK_BACKEND_H_

#include <string>

#include "absl/strings/string_view.h"
#include "wams/broker/v1/provider.pb.h"

namespace wams::adapters {

namespace v1 = ::wams::broker::v1;

// What a backend says about one category for one person.
struct CategoryAnswer {
  enum class Kind {
    // The data is here: `content` of `content_type`.
    kData,
    // The party holds nothing of this category for the person.
    kNotHeld,
    // The party withholds it for weighty reasons (R16), stated in `reason`,
    // which goes to the requester.
    kWithheld,
    // The party's system could not answer (down, timeout, bad reply); `reason`
    // says what went wrong technically and never holds a BSN or data.
    kUnavailable,
  };

  static CategoryAnswer Data(std::string content, std::string content_type = "application/json") {
    return {Kind::kData, std::move(content), std::move(content_type), ""};
  }
  static CategoryAnswer NotHeld() { return {Kind::kNotHeld, "", "", ""}; }
  static CategoryAnswer Withheld(std::string reason) {
    return {Kind::kWithheld, "", "", std::move(reason)};
  }
  static CategoryAnswer Unavailable(std::string reason) {
    return {Kind::kUnavailable, "", "", std::move(reason)};
  }

  Kind kind = Kind::kNotHeld;
  std::string content;
  std::string content_type;
  std::string reason;
};

// A party's data source. Implementations must be thread-safe: the server calls
// Fetch from several threads at once.
class Backend {
 public:
  virtual ~Backend() = default;

  // The data of `category` for the subject of `request`: its subject_bsn, or,
  // for a party that may not process the BSN (R19), its subject_details (the
  // party's client number, or name, date of birth and address; the SDK has
  // checked they suffice). `category` is
  // one the party offers and its policy lets through. Never throws; a technical
  // failure is kUnavailable. Should return well within the broker's deadline.
  virtual CategoryAnswer Fetch(const v1::ProviderRequest& request, absl::string_view category) = 0;
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_BACKEND_H_
