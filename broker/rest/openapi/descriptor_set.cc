#include "broker/rest/openapi/descriptor_set.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"

namespace wams::rest::openapi {
namespace {

// Collects protobuf's build errors so the message names file, element and why.
class ErrorCollector : public google::protobuf::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const google::protobuf::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    if (!errors_.empty()) errors_ += "; ";
    absl::StrAppend(&errors_, filename, ": ", element_name, ": ", message);
  }
  const std::string& errors() const { return errors_; }

 private:
  std::string errors_;
};

}  // namespace

absl::StatusOr<LoadedDescriptors> LoadDescriptorSet(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the descriptor set"));
  std::stringstream bytes;
  bytes << in.rdbuf();
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromString(bytes.str()) || set.file_size() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a FileDescriptorSet (protoc --descriptor_set_out)"));
  }
  LoadedDescriptors loaded;
  loaded.pool = std::make_unique<google::protobuf::DescriptorPool>();
  for (const google::protobuf::FileDescriptorProto& file : set.file()) {
    ErrorCollector errors;
    const google::protobuf::FileDescriptor* built =
        loaded.pool->BuildFileCollectingErrors(file, &errors);
    if (built == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", file.name(), " does not build: ", errors.errors()));
    }
    loaded.files.push_back(built);
  }
  return loaded;
}

}  // namespace wams::rest::openapi
