// exported_log.h: an exported receipt log (wams-broker --export) decoded for
// the crash and failover tests, and what a provider's record promises about
// it. Test-only; not thread-safe.
//
//   ExportedLog log = ReadExport(dir);             // EXPECTs each line parses
//   log.bytes[leaf]; log.receipts[leaf];           // by leaf index
//   HasGrantedDecision(log, record);               // forwarded only after its decision
#ifndef WAMS_TESTS_FAULTS_EXPORTED_LOG_H_
#define WAMS_TESTS_FAULTS_EXPORTED_LOG_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/faults/fault_processes.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {

struct ExportedLog {
  std::vector<v1::Receipt> receipts;  // by leaf index
  std::vector<std::string> bytes;     // each receipt's signed bytes
  std::vector<std::string> sha256;    // hex SHA-256 of each receipt's signed bytes
  std::multimap<std::string, uint64_t> leaves_by_request;
};

// Reads DIR/receipts.jsonl; a line that does not parse or is out of order
// fails the test (EXPECT).
ExportedLog ReadExport(const std::filesystem::path& dir);

// Whether the log holds a GRANTED decision for the request and transaction a
// provider recorded: nothing may reach a provider without a durable decision.
bool HasGrantedDecision(const ExportedLog& log, const ProviderRecord& record);

}  // namespace wams::testing

#endif  // WAMS_TESTS_FAULTS_EXPORTED_LOG_H_
