// api_version.h: the version of the REST/JSON face (Dutch API Design Rules).
//
// Semantic versioning: the major version is in every path (/api/v1); the full
// version is the OpenAPI document's info.version and the API-Version header
// on every response. Raise the minor version when a route or a field is
// added, the patch version for a fix that changes no contract.
#ifndef WAMS_BROKER_REST_API_VERSION_H_
#define WAMS_BROKER_REST_API_VERSION_H_

namespace wams::rest {

inline constexpr char kApiVersion[] = "1.0.0";
inline constexpr char kApiVersionHeader[] = "API-Version";
// The base path of every route; the major version of kApiVersion.
inline constexpr char kBasePath[] = "/api/v1";

}  // namespace wams::rest

#endif  // WAMS_BROKER_REST_API_VERSION_H_
