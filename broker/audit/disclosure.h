// disclosure.h: a client's disclosure overview (AVG art. 15, R29): every
// exchange about them, read from the subject index, as entries and as a
// plain-text document the municipality can hand over.
//
//   std::vector<SubjectReceipt> receipts = ...;  // the subject index, in log order
//   v1::DisclosureResponse overview =
//       BuildDisclosure(receipts, registry, withholding, clock.Now(), v1::LANGUAGE_DUTCH);
//
// An exchange is a decision on a data request or share, a provider's answer,
// or a case-conference event, that names a target party. A granted decision
// followed by its answer (within kAnswerWindow receipts) is one entry with
// the answer's outcome. Overviews are paged (AuditCore reads one page of
// the subject index and a short look-ahead for answers). Entries
// whose target party works under the police (Wpg) or justice (Wjsg) regime
// are withheld while a configured withholding runs; the overview then says
// how many, until when and why, and never what.
//
// Pure functions; thread-safe.
#ifndef WAMS_BROKER_AUDIT_DISCLOSURE_H_
#define WAMS_BROKER_AUDIT_DISCLOSURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/identity/party_registry.h"
#include "wams/broker/v1/audit.pb.h"
#include "wams/broker/v1/config.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::audit {

namespace v1 = ::wams::broker::v1;

// One configured withholding (BrokerConfig.disclosure_withholding).
struct Withholding {
  v1::SecrecyRegime regime = v1::SECRECY_REGIME_UNSPECIFIED;
  absl::Time until;  // midnight UTC of until_date: shown again from then on
  std::string reason;
};

// INVALID_ARGUMENT naming `field` for a regime other than Wpg/Wjsg, a date
// that is not YYYY-MM-DD, or an empty reason.
absl::StatusOr<Withholding> ParseWithholding(const v1::DisclosureWithholding& config,
                                             absl::string_view field);

// A receipt from the subject index with its leaf index.
struct SubjectReceipt {
  uint64_t leaf_index = 0;
  v1::Receipt receipt;
};

// A decision and the answer to it are one entry when the answer is at most
// this many of the client's receipts after the decision. The bound keeps a
// page's look-ahead small and makes the entries the same however the
// overview is paged; an answer follows its decision within a few receipts
// but under extreme concurrency on one client.
inline constexpr size_t kAnswerWindow = 64;

// One page of an overview.
struct DisclosurePage {
  // The page's receipts of the client, in log order.
  std::vector<SubjectReceipt> receipts;
  // The client's receipts that follow the page (up to kAnswerWindow): only
  // read for answers to the page's decisions.
  std::vector<SubjectReceipt> lookahead;
  // The first page carries the document's heading (and, when it has no
  // entries and there is no next page, says there are none).
  bool first = true;
  bool last = true;
  // The number of the page's first entry in the document.
  uint64_t first_number = 1;
};

// The overview of one page at time `now`.
v1::DisclosureResponse BuildDisclosurePage(const DisclosurePage& page,
                                           const identity::PartyRegistry& registry,
                                           const std::vector<Withholding>& withholding,
                                           absl::Time now, v1::Language language);

// The overview of `receipts` (log order) at time `now` as one page.
v1::DisclosureResponse BuildDisclosure(const std::vector<SubjectReceipt>& receipts,
                                       const identity::PartyRegistry& registry,
                                       const std::vector<Withholding>& withholding, absl::Time now,
                                       v1::Language language);

}  // namespace wams::audit

#endif  // WAMS_BROKER_AUDIT_DISCLOSURE_H_
