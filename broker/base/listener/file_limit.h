// file_limit.h: the process's open-file limit (RLIMIT_NOFILE).
//
// Every accepted connection, RocksDB file and provider channel costs a
// descriptor. Distributions start daemons with a low soft limit (often 1024)
// under a much higher hard one, so a server raises the soft limit at start
// and sizes its connection bound from the result.
//
//   FileLimit limit = RaiseOpenFileLimit();
//   LogInfo(absl::StrCat("open files: soft ", limit.soft_before, " -> ", limit.soft));
//
// Thread-safe (the limit is per process; raising it twice is harmless).
#ifndef WAMS_BROKER_BASE_LISTENER_FILE_LIMIT_H_
#define WAMS_BROKER_BASE_LISTENER_FILE_LIMIT_H_

#include <cstdint>

namespace wams::listener {

struct FileLimit {
  uint64_t soft_before = 0;  // the soft limit as the process started
  uint64_t soft = 0;         // the soft limit now
  uint64_t hard = 0;         // the hard limit (RLIM_INFINITY shows as UINT64_MAX)
};

// Raises the soft limit to the hard one (to fs.nr_open when the hard limit is
// unlimited, the most the kernel allows). When the kernel refuses, the limit
// stays as it was; the result says which.
FileLimit RaiseOpenFileLimit();

}  // namespace wams::listener

#endif  // WAMS_BROKER_BASE_LISTENER_FILE_LIMIT_H_
