#include "broker/base/listener/file_limit.h"

#include <sys/resource.h>

#include <fstream>

namespace wams::listener {
namespace {

// /proc/sys/fs/nr_open: the ceiling for RLIMIT_NOFILE (1048576 by default).
rlim_t KernelFileCeiling() {
  std::ifstream in("/proc/sys/fs/nr_open");
  uint64_t ceiling = 0;
  if (in >> ceiling && ceiling > 0) return static_cast<rlim_t>(ceiling);
  return 1 << 20;
}

}  // namespace

FileLimit RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return FileLimit{};
  FileLimit result{.soft_before = limit.rlim_cur, .soft = limit.rlim_cur, .hard = limit.rlim_max};
  rlim_t target = limit.rlim_max == RLIM_INFINITY ? KernelFileCeiling() : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
    rlimit raised{.rlim_cur = target, .rlim_max = limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) result.soft = target;
  }
  return result;
}

}  // namespace wams::listener
