// security_test_util.h: small helpers shared by the security tests: a
// WhoAmI probe, a scanner that looks for BSNs in process output, a count of
// the requests an adapter delivered, and a check for forged log lines.
#ifndef WAMS_TESTS_SECURITY_SECURITY_TEST_UTIL_H_
#define WAMS_TESTS_SECURITY_SECURITY_TEST_UTIL_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"
#include "tests/testing/broker_fixture.h"
#include "wams/broker/v1/exchange.pb.h"

namespace wams::testing {

namespace v1 = ::wams::broker::v1;

// ExchangeService.WhoAmI on `channel` with a 10 s deadline.
grpc::Status WhoAmI(const std::shared_ptr<grpc::Channel>& channel,
                    v1::WhoAmIResponse* response = nullptr,
                    const std::string& professional_id = "");

// One place a BSN was found.
struct BsnSighting {
  std::filesystem::path file;
  int line = 0;  // 1-based
  std::string bsn;
};

// Every line of every file in `files` that contains one of `bsns` as a
// digit string (not part of a longer one, so an OIN or a timestamp that
// happens to hold the digits is no false alarm). A file that cannot be read
// is reported as a sighting with line 0, so a scan never passes by reading
// nothing.
std::vector<BsnSighting> FindBsns(const std::vector<std::filesystem::path>& files,
                                  const std::vector<std::string>& bsns);

// Every BSN of `bsns` in the RocksDB database at `data_dir` (the broker
// stopped), read back with RocksDB: each key and each value of every column
// family. A sighting's file is `data_dir`/"<family>" and its line the
// entry's number (1-based) in that family. A database that cannot be opened
// is a sighting with line 0.
std::vector<BsnSighting> FindBsnsInDatabase(const std::filesystem::path& data_dir,
                                            const std::vector<std::string>& bsns);

// Every regular file under `dir`, recursively (a data dir's MANIFEST, table
// files, WAL and OPTIONS, scanned as raw bytes with FindBsns).
std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& dir);

// Every BSN in an auditor export (`wams-audit fetch` DIR): its files as
// they are, and each receipt's signed bytes decoded from receipts.jsonl's
// base64 (where digits would otherwise hide). A decoded sighting's line is
// the receipt's line in receipts.jsonl.
std::vector<BsnSighting> FindBsnsInExport(const std::filesystem::path& export_dir,
                                          const std::vector<std::string>& bsns);

// "file:line: bsn" per sighting, for failure messages.
std::string Describe(const std::vector<BsnSighting>& sightings);

// How many requests a wams-adapter's log says it delivered (its one
// "deliver request_id=..." line per request that reached its backend).
int DeliveredRequests(const std::string& adapter_log);

// Every file a stopped broker leaves at rest: its data dir (RocksDB keys and
// values, WAL, MANIFEST, SST), an export of its log and the HTML audit
// report made from that export, for a scan with FindBsns. A failure to
// export or report fails the test.
std::vector<std::filesystem::path> FilesAtRest(const BrokerFixture& broker);

// True when a line of `text` starts with `prefix`: a log line an attacker
// forged with a newline in a value.
bool SomeLineStartsWith(absl::string_view text, absl::string_view prefix);

}  // namespace wams::testing

#endif  // WAMS_TESTS_SECURITY_SECURITY_TEST_UTIL_H_
