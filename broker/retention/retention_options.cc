#include "broker/retention/retention_options.h"

namespace wams::retention {

RetentionOptions RetentionOptions::FromConfig(const wams::broker::v1::RetentionConfig& config) {
  RetentionOptions options;
  if (config.case_data_days() > 0) {
    options.case_data_term = absl::Hours(24) * static_cast<int64_t>(config.case_data_days());
  }
  if (config.has_run_interval()) {
    options.run_interval = absl::Seconds(config.run_interval().seconds()) +
                           absl::Nanoseconds(config.run_interval().nanos());
  }
  if (config.batch_size() > 0) options.batch_size = config.batch_size();
  options.enabled = !config.disabled();
  return options;
}

}  // namespace wams::retention
