// backend.h: the one seam between the SDK and a party's own data.
//
// The SDK checks the caller, applies the party's policy (unknown categories,
// consent, legal basis, conditions) and asks the Backend only for categories
// the policy lets through, one at a time. The Backend answers what its system
// holds; it does not decide about obligations. Data the municipality shares
// with the party (R21) reaches Receive only when the party's policy accepts
// every category shared.
//
//   class MyBackend : public wams::adapters::Backend {
//    public:
//     CategoryAnswer Fetch(const v1::ProviderRequest& request,
//                          absl::string_view category) override {
//       std::optional<std::string> json = my_system_.Lookup(request.subject_bsn(), category);
//       if (!json) return CategoryAnswer::NotHeld();
//       return CategoryAnswer::Data(*json);
//     }
//     ShareAnswer Receive(const v1::ProviderRequest& share) override {
//       if (!my_system_.Store(share)) return ShareAnswer::Unavailable("store is down");
//       return ShareAnswer::Accepted();
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

// What a backend did with data the municipality shared (R21).
struct ShareAnswer {
  enum class Kind {
    // The party's system took the share (stored it durably, or its own system
    // acknowledged it). Only then does the municipality hear "acknowledged".
    kAccepted,
    // The party does not accept it, for the reason in `reason`, which goes to
    // the municipality and must hold no BSN.
    kRefused,
    // The party's system could not take it now (down, timeout, disk full);
    // `reason` says what went wrong technically and never holds a BSN or data.
    // The broker answers UNAVAILABLE: a retry may succeed.
    kUnavailable,
  };

  static ShareAnswer Accepted() { return {Kind::kAccepted, ""}; }
  static ShareAnswer Refused(std::string reason) { return {Kind::kRefused, std::move(reason)}; }
  static ShareAnswer Unavailable(std::string reason) {
    return {Kind::kUnavailable, std::move(reason)};
  }

  Kind kind = Kind::kRefused;
  std::string reason;
};

// A party's data source. Implementations must be thread-safe: the server calls
// Fetch and Receive from several threads at once.
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

  // Data the municipality shares with the party (R21): `share.is_share()` is
  // true and `share.shared_data()` holds the data, in categories the party's
  // policy accepts for shares (all of `share.categories()`). Its
  // `transaction_id` (checked by the SDK: present, within the IDENTIFIER
  // field rule) names the delivery: one delivered again with the same
  // transaction id must not be stored twice. Never throws. The
  // default refuses every share: a backend that stores none says so rather
  // than pretending to have taken it.
  virtual ShareAnswer Receive(const v1::ProviderRequest& share) {
    (void)share;
    return ShareAnswer::Refused("this party's system takes no shared data");
  }
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_BACKEND_H_
