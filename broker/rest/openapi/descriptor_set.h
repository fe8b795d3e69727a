// descriptor_set.h: a FileDescriptorSet file (protoc --descriptor_set_out
// --include_imports --include_source_info) read into a DescriptorPool.
//
//   absl::StatusOr<LoadedDescriptors> loaded = LoadDescriptorSet("wams_v1.pb");
//   for (const google::protobuf::FileDescriptor* file : loaded->files) ...
//
// Source info is kept, so descriptors answer GetSourceLocation (comments).
#ifndef WAMS_BROKER_REST_OPENAPI_DESCRIPTOR_SET_H_
#define WAMS_BROKER_REST_OPENAPI_DESCRIPTOR_SET_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"

namespace wams::rest::openapi {

struct LoadedDescriptors {
  std::unique_ptr<google::protobuf::DescriptorPool> pool;
  // Every file of the set, in the set's order (imports before their users).
  std::vector<const google::protobuf::FileDescriptor*> files;
};

// NOT_FOUND when `path` cannot be read; INVALID_ARGUMENT, naming the path,
// when it is not a FileDescriptorSet, is empty, or a file in it does not
// build (naming that file and protobuf's error).
absl::StatusOr<LoadedDescriptors> LoadDescriptorSet(const std::string& path);

}  // namespace wams::rest::openapi

#endif  // WAMS_BROKER_REST_OPENAPI_DESCRIPTOR_SET_H_
