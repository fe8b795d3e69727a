// private_dir.h: a directory kept private to its user, for what must not be
// read by anyone else on the machine: the broker's data directory (cases,
// conference minutes, the receipt log) and a reference adapter's share inbox
// (data the municipality shared, R21).
//
// The broker runs with umask 077 (set first thing in main), so everything
// RocksDB creates in its data directory is 0600 and every directory 0700
// whatever umask it was started with; RocksDB has no file-mode option of its
// own. An existing directory that group or others may read, write or enter is
// refused rather than repaired: its files may have been readable for a while,
// and an operator must notice.
//
//   WAMS_RETURN_IF_ERROR(PreparePrivateDirectory(config.data_dir(), "data_dir"));
//
// Thread-safe (no state of its own).
#ifndef WAMS_BROKER_BASE_FILES_PRIVATE_DIR_H_
#define WAMS_BROKER_BASE_FILES_PRIVATE_DIR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace wams::files {

// The umask the broker sets at start: files 0600, directories 0700.
inline constexpr unsigned kPrivateUmask = 077;

// Creates `path` (and missing parents) with mode 0700 when absent. An
// existing `path` must be a directory with no group or other permission bits:
// else FAILED_PRECONDITION naming `field`, the path, its mode and the fix
// ("chmod 700 <path>"). INTERNAL when it cannot be created or inspected.
absl::Status PreparePrivateDirectory(absl::string_view path, absl::string_view field);

}  // namespace wams::files

#endif  // WAMS_BROKER_BASE_FILES_PRIVATE_DIR_H_
