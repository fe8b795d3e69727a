// ledger_test_peer.h: test and benchmark access to Ledger internals, in the
// test-only library wams::ledger_testing (never linked into the broker).
//
//   // Fill a million unsigned leaves quickly to measure proofs at scale.
//   WAMS_RETURN_IF_ERROR(LedgerTestPeer::FillUnsigned(*ledger, 1'000'000, 10'000));
//
// Not thread-safe: see each function's precondition.
#ifndef WAMS_TESTS_LEDGER_TESTING_LEDGER_TEST_PEER_H_
#define WAMS_TESTS_LEDGER_TESTING_LEDGER_TEST_PEER_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "broker/ledger/store/ledger.h"

namespace wams::ledger::store {

class LedgerTestPeer {
 public:
  // Appends `n` small receipts with a dummy (all-zero) signature and no index
  // entries, `batch` per WriteBatch, through the committer's own write path.
  // Precondition: no append is in flight or made concurrently. The result
  // does not pass the open check's signature verification for leaves after
  // the last checkpoint, so make a checkpoint afterwards.
  static absl::Status FillUnsigned(Ledger& ledger, uint64_t n, size_t batch);
};

}  // namespace wams::ledger::store

#endif  // WAMS_TESTS_LEDGER_TESTING_LEDGER_TEST_PEER_H_
