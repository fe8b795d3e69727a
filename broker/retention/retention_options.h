// retention_options.h: the retention policy as the job and the erasure use
// it, built once from the validated config (config.proto, RetentionConfig).
//
//   RetentionOptions options = RetentionOptions::FromConfig(config.retention());
//   absl::Duration term = options.case_data_term;
//
// A plain value: thread-compatible.
#ifndef WAMS_BROKER_RETENTION_RETENTION_OPTIONS_H_
#define WAMS_BROKER_RETENTION_RETENTION_OPTIONS_H_

#include <cstddef>

#include "absl/time/time.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::retention {

struct RetentionOptions {
  // How long after a case ended (closed or declined) its case data,
  // consents, conference contents and subject-index entries are kept.
  // Default: 365 days (why: broker/retention/README.md).
  absl::Duration case_data_term = absl::Hours(24 * 365);
  // Time between two runs of the job. Default: 1 hour.
  absl::Duration run_interval = absl::Hours(1);
  // Records removed per storage write. Default: 100.
  size_t batch_size = 100;
  // When false the job does not run (erasure still works). Default: true.
  bool enabled = true;

  // The options of a config that ValidateBrokerConfig accepted; unset
  // (zero) fields keep their defaults.
  static RetentionOptions FromConfig(const wams::broker::v1::RetentionConfig& config);
};

}  // namespace wams::retention

#endif  // WAMS_BROKER_RETENTION_RETENTION_OPTIONS_H_
