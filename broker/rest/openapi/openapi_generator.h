// openapi_generator.h: the OpenAPI 3.0.3 document of the REST face, from the
// google.api.http annotations and comments of the v1 services.
//
//   absl::StatusOr<LoadedDescriptors> loaded = LoadDescriptorSet(path);
//   absl::StatusOr<std::string> json = GenerateOpenApi(loaded->files);
//
// Every annotated method is one operation; paths are relative to the server
// url, which carries kBasePath (/api/v1). The output depends on the
// descriptors alone: the same protos give the same bytes.
#ifndef WAMS_BROKER_REST_OPENAPI_OPENAPI_GENERATOR_H_
#define WAMS_BROKER_REST_OPENAPI_OPENAPI_GENERATOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"

namespace wams::rest::openapi {

// The host integrators replace with their broker's (README.md).
inline constexpr char kExampleServerOrigin[] = "https://wams-broker.voorbeeldstad.example";

// The document as JSON, 2-space indented, ASCII (other characters escaped).
// INVALID_ARGUMENT naming the method when an annotation cannot be mapped: a
// path outside kBasePath, a path variable that names no field of the
// request, a body other than "*", a streaming method, two methods on one
// route, or a type without a JSON schema.
absl::StatusOr<std::string> GenerateOpenApi(
    const std::vector<const google::protobuf::FileDescriptor*>& files);

}  // namespace wams::rest::openapi

#endif  // WAMS_BROKER_REST_OPENAPI_OPENAPI_GENERATOR_H_
