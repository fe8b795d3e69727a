// protobuf_log.h: libprotobuf's own log lines, rate-limited and escaped.
//
// libprotobuf logs an ERROR line for every message that does not parse
// (e.g. "String field '...' contains invalid UTF-8 data"), on stderr and
// unthrottled: a caller sending such requests in a loop would fill the
// broker's log at its rate. After InstallProtobufLogHandler(), those lines go
// through broker/base/logging/log.h instead: at most a few a second (a burst of 5, then
// one a second), each later line saying how many were dropped meanwhile,
// control characters escaped and at most 512 bytes. FATAL lines always pass.
//
//   wams::base::InstallProtobufLogHandler();  // once, first thing in main
//
// Thread-safe after installation (installing is not: call it before threads).
#ifndef WAMS_BROKER_BASE_PROTOBUF_LOG_H_
#define WAMS_BROKER_BASE_PROTOBUF_LOG_H_

#include <cstdint>

namespace wams::base {

void InstallProtobufLogHandler();

// Lines dropped by the rate limit so far (for tests and monitoring).
uint64_t DroppedProtobufLogLines();

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_PROTOBUF_LOG_H_
