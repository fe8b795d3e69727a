#include "broker/storage/open_backend.h"

#include <utility>

#include "absl/status/status.h"
#include "broker/base/status_macros.h"
#include "broker/storage/postgres/postgres_backend.h"
#include "broker/storage/postgres/postgres_options.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"

namespace wams::storage {

wams::broker::v1::StorageConfig StorageOf(const wams::broker::v1::BrokerConfig& config) {
  if (config.has_storage()) return config.storage();
  wams::broker::v1::StorageConfig storage;
  storage.mutable_rocksdb()->set_dir(config.data_dir());
  return storage;
}

std::string_view LocalDirField(const wams::broker::v1::BrokerConfig& config) {
  if (!config.has_storage()) return "data_dir";
  return config.storage().has_rocksdb() ? "storage.rocksdb.dir" : "";
}

absl::Status CheckStorageFiles(const wams::broker::v1::StorageConfig& config) {
  if (!config.has_postgres()) return absl::OkStatus();
  return postgres::PostgresOptionsFromConfig(config.postgres()).status();
}

absl::StatusOr<std::unique_ptr<Backend>> OpenBackend(const wams::broker::v1::StorageConfig& config,
                                                     const OpenOptions& options) {
  switch (config.backend_case()) {
    case wams::broker::v1::StorageConfig::kRocksdb: {
      if (config.rocksdb().dir().empty()) {
        return absl::InvalidArgumentError("storage.rocksdb.dir is required");
      }
      RocksDbOptions rocksdb_options;
      rocksdb_options.create_if_missing = options.create_if_missing;
      WAMS_ASSIGN_OR_RETURN(std::unique_ptr<RocksDbBackend> backend,
                            RocksDbBackend::Open(config.rocksdb().dir(), rocksdb_options));
      return std::unique_ptr<Backend>(std::move(backend));
    }
    case wams::broker::v1::StorageConfig::kPostgres:
      // Migrations are applied at open, also for tools that only read.
      return postgres::OpenPostgresBackend(config.postgres(), options.writer);
    case wams::broker::v1::StorageConfig::BACKEND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("storage: set rocksdb or postgres");
}

}  // namespace wams::storage
