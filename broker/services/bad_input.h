// bad_input.h: requests that break the API's field rules
// (wams/broker/v1/field_rules.proto), refused at the front door before any
// core sees them, and receipted in bounded form.
//
// Rules §9: bad input from an authenticated party is receipted as refused.
// The receipt names the message, the field, the rule it broke, the value's
// length and its SHA-256, never the value: a 6 MB category list makes a
// receipt of a few hundred bytes, and a BSN typed into an OIN field reaches
// no receipt, no key and no log line.
//
//   if (std::optional<wire::Violation> bad = wire::FindViolation(request)) {
//     bad_input.Refuse(caller, request, *bad, [](absl::Status refused) { Finish(refused); });
//   }
//
// Thread-safe; borrows the ledger and the clock, which must outlive it.
#ifndef WAMS_BROKER_SERVICES_BAD_INPUT_H_
#define WAMS_BROKER_SERVICES_BAD_INPUT_H_

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "broker/base/clock.h"
#include "broker/identity/caller_identity.h"
#include "broker/ledger/store/ledger.h"
#include "google/protobuf/message.h"
#include "proto/wire/field_validator.h"

namespace wams::services {

class BadInput {
 public:
  BadInput(ledger::store::Ledger& ledger, const base::Clock& clock)
      : ledger_(ledger), clock_(clock) {}

  // Appends the refusal receipt without blocking, then calls `done` once, on
  // any thread, with the violation's status (RESOURCE_EXHAUSTED or
  // INVALID_ARGUMENT naming the field and the limit) and the receipt
  // attached; with the ledger's error instead when it cannot write.
  void Refuse(const identity::Caller& caller, const google::protobuf::Message& request,
              const wire::Violation& violation,
              absl::AnyInvocable<void(absl::Status) &&> done) const;

 private:
  ledger::store::Ledger& ledger_;
  const base::Clock& clock_;
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_BAD_INPUT_H_
