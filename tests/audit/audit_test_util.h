// audit_test_util.h: helpers for AuditService tests: run wams-audit's online
// commands as the auditor against a BrokerFixture, add config lines, and
// tamper with a stopped broker's RocksDB directly.
#ifndef WAMS_TESTS_AUDIT_AUDIT_TEST_UTIL_H_
#define WAMS_TESTS_AUDIT_AUDIT_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::testing {

namespace v1 = ::wams::broker::v1;

// Appends `text` to the fixture's config (before Start()).
void AppendToConfig(const BrokerFixture& broker, const std::string& text);

// Runs `wams-audit COMMAND --broker ... --cert/--key <cert_name> --ca ... ARGS`;
// returns the exit code, stdout and stderr in `output`.
int RunAuditCommand(const BrokerFixture& broker, const std::string& command,
                    const std::vector<std::string>& args, std::string* output,
                    const std::string& cert_name = "auditor");

std::unique_ptr<v1::AuditService::Stub> AuditStub(const BrokerFixture& broker,
                                                  const std::string& cert_name = "auditor");
// A context with a deadline and, if given, the professional id.
void PrepareContext(grpc::ClientContext* context, const std::string& professional_id = "");

// Adds `n` receipts to the log: each audit query is receipted. The queries
// cover a range with no receipts (2000), so they read no index entry that a
// test may have left dangling, and their own receipts fall outside it.
// Returns the first failed query's status, or OK.
grpc::Status AddAuditReceipts(const BrokerFixture& broker, int n);

// Reads a checkpoint note file's tree size (the body; signatures not checked).
uint64_t CheckpointFileSize(const std::string& path);

// The data directory of the fixture's broker.
std::string DataDir(const BrokerFixture& broker);

// Direct RocksDB edits on a stopped broker's data dir (an attacker with disk
// access). Each returns an error text, empty on success.
//   EditReceipt: rewrites leaf `leaf`'s Receipt.detail, keeping the signature.
std::string EditReceipt(const std::string& data_dir, uint64_t leaf);
//   DropReceiptsFrom: deletes receipts [size, end) and sets the tree size;
//   with `drop_checkpoints` also every checkpoint larger than `size`, so the
//   store looks like a consistent shorter log.
std::string DropReceiptsFrom(const std::string& data_dir, uint64_t size, bool drop_checkpoints);

}  // namespace wams::testing

#endif  // WAMS_TESTS_AUDIT_AUDIT_TEST_UTIL_H_
