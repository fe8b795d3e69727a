// ledger_config.h: builds the ledger's signer, options and pseudonymizer from
// the validated LedgerConfig, reading the key files. Start-up code calls it
// once.
//
//   WAMS_ASSIGN_OR_RETURN(LedgerSetup setup, LoadLedgerSetup(config.ledger()));
//   WAMS_ASSIGN_OR_RETURN(auto ledger, Ledger::Open(*backend, std::move(setup.signer),
//                                                   std::move(setup.options)));
#ifndef WAMS_BROKER_LEDGER_STORE_LEDGER_CONFIG_H_
#define WAMS_BROKER_LEDGER_STORE_LEDGER_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/pseudonymizer.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::ledger::store {

struct LedgerSetup {
  NoteSigner signer;  // name = origin
  LedgerOptions options;
  // The legacy global pseudonym key (logs written before per-subject keys).
  Pseudonymizer pseudonymizer;
  // The key file's bytes, for the subject key table
  // (subjects::SubjectKeyTable::Open): the legacy key, or after its
  // retirement the index key. Never logged.
  std::string pseudonym_key;
};

// INVALID_ARGUMENT naming the field for a missing origin, a malformed key, a
// pseudonym key under 32 bytes or a negative interval; NOT_FOUND for an
// unreadable file; FAILED_PRECONDITION for a private key file (signing or
// pseudonym key) that group or others may access. Key material never appears
// in a message.
absl::StatusOr<LedgerSetup> LoadLedgerSetup(const wams::broker::v1::LedgerConfig& config);

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_LEDGER_CONFIG_H_
