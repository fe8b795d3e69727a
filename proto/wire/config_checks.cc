#include "proto/wire/config_checks.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/stubs/common.h"

namespace wams::wire {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// google/protobuf/duration.proto's limits: about 10,000 years either way.
constexpr int64_t kMaxDurationSeconds = 315'576'000'000;
constexpr int32_t kMaxDurationNanos = 999'999'999;

absl::Status Broken(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

bool IsDuration(const google::protobuf::Descriptor& descriptor) {
  return descriptor.full_name() == "google.protobuf.Duration";
}

absl::Status CheckDuration(const Message& duration, const std::string& path) {
  const google::protobuf::Descriptor& descriptor = *duration.GetDescriptor();
  const Reflection& reflection = *duration.GetReflection();
  const int64_t seconds = reflection.GetInt64(duration, descriptor.FindFieldByName("seconds"));
  const int32_t nanos = reflection.GetInt32(duration, descriptor.FindFieldByName("nanos"));
  if (seconds > kMaxDurationSeconds || seconds < -kMaxDurationSeconds ||
      nanos > kMaxDurationNanos || nanos < -kMaxDurationNanos || (seconds > 0 && nanos < 0) ||
      (seconds < 0 && nanos > 0)) {
    return Broken(path,
                  "not a valid duration (seconds and nanos out of range or of opposite signs)");
  }
  if (seconds < 0 || (seconds == 0 && nanos <= 0)) {
    return Broken(path, "must be a positive duration; leave it out for the default");
  }
  return absl::OkStatus();
}

absl::Status CheckInteger(uint64_t magnitude, bool negative, const std::string& path) {
  if (negative || magnitude <= static_cast<uint64_t>(kMaxConfigInteger)) return absl::OkStatus();
  return Broken(path, absl::StrCat("at most ", kMaxConfigInteger));
}

// One value of `field` (element `index` of a repeated field).
absl::Status CheckValue(const Message& message, const FieldDescriptor& field, int index,
                        const std::string& path);

absl::Status CheckMessage(const Message& message, const std::string& prefix) {
  if (IsDuration(*message.GetDescriptor())) return CheckDuration(message, prefix);
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);  // the set ones, by field number
  for (const FieldDescriptor* field : fields) {
    const std::string name =
        prefix.empty() ? std::string(field->name()) : absl::StrCat(prefix, ".", field->name());
    if (!field->is_repeated()) {
      if (absl::Status status = CheckValue(message, *field, -1, name); !status.ok()) return status;
      continue;
    }
    const int count = reflection.FieldSize(message, field);
    for (int i = 0; i < count; ++i) {
      absl::Status status = CheckValue(message, *field, i, absl::StrCat(name, "[", i, "]"));
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckValue(const Message& message, const FieldDescriptor& field, int index,
                        const std::string& path) {
  const Reflection& reflection = *message.GetReflection();
  const bool repeated = index >= 0;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (field.type() != FieldDescriptor::TYPE_STRING) return absl::OkStatus();  // bytes
      std::string scratch;
      const std::string& value =
          repeated ? reflection.GetRepeatedStringReference(message, &field, index, &scratch)
                   : reflection.GetStringReference(message, &field, &scratch);
      // The same check protobuf's parser applies to a string on the wire.
      if (google::protobuf::internal::IsStructurallyValidUTF8(value)) return absl::OkStatus();
      return Broken(path, "not valid UTF-8");
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return CheckMessage(repeated ? reflection.GetRepeatedMessage(message, &field, index)
                                   : reflection.GetMessage(message, &field),
                          path);
    case FieldDescriptor::CPPTYPE_UINT32:
      return CheckInteger(repeated ? reflection.GetRepeatedUInt32(message, &field, index)
                                   : reflection.GetUInt32(message, &field),
                          false, path);
    case FieldDescriptor::CPPTYPE_UINT64:
      return CheckInteger(repeated ? reflection.GetRepeatedUInt64(message, &field, index)
                                   : reflection.GetUInt64(message, &field),
                          false, path);
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t value = repeated ? reflection.GetRepeatedInt64(message, &field, index)
                                     : reflection.GetInt64(message, &field);
      return CheckInteger(static_cast<uint64_t>(value), value < 0, path);
    }
    default:  // int32, enums, bool, floating point: nothing to narrow
      return absl::OkStatus();
  }
}

}  // namespace

absl::Status CheckConfigFields(const Message& config) { return CheckMessage(config, ""); }

}  // namespace wams::wire
