// open_backend.h: the composition of the storage layer: opens the backend a
// StorageConfig names (BrokerConfig.storage, or the legacy data_dir turned
// into `storage { rocksdb { dir } }` by the config loader). The broker and
// the offline export open their database here and see only storage::Backend.
//
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Backend> backend,
//                         storage::OpenBackend(config.storage()));
//
// Thread-safe (no state).
#ifndef WAMS_BROKER_STORAGE_OPEN_BACKEND_H_
#define WAMS_BROKER_STORAGE_OPEN_BACKEND_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::storage {

// The storage `config` names: its `storage`, or for a config with the
// legacy `data_dir`, storage { rocksdb { dir: data_dir } }. (The config
// loader accepts exactly one of the two.)
wams::broker::v1::StorageConfig StorageOf(const wams::broker::v1::BrokerConfig& config);
// The config field naming the directory of an embedded database, for
// messages: "data_dir" or "storage.rocksdb.dir"; empty for postgres.
std::string_view LocalDirField(const wams::broker::v1::BrokerConfig& config);

struct OpenOptions {
  // Create an absent database (the broker); false for tools that only read
  // an existing one (the offline export). Default: true.
  bool create_if_missing = true;
  // Take part in the writer role (PostgreSQL: the writer lease). False for
  // tools that only read, which must never take the lease from a live
  // broker. Default: true.
  bool writer = true;
};

// The checks of `config` that need no database: the files it names are
// readable and private where they hold a secret (postgres: password_file,
// client_key_file), values in range. Errors name the field; a caller treats
// them as config errors.
absl::Status CheckStorageFiles(const wams::broker::v1::StorageConfig& config);

// The backend `config` names, opened:
//   INVALID_ARGUMENT    no backend set, or its required field empty (named);
//   FAILED_PRECONDITION the backend is not built into this broker
//                       ("postgres backend not built"), or the database
//                       refuses (see RocksDbBackend::Open);
//   DATA_LOSS, UNAVAILABLE as the backend's Open says.
absl::StatusOr<std::unique_ptr<Backend>> OpenBackend(const wams::broker::v1::StorageConfig& config,
                                                     const OpenOptions& options = {});

}  // namespace wams::storage

#endif  // WAMS_BROKER_STORAGE_OPEN_BACKEND_H_
