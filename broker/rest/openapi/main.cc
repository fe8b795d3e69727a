// wams-openapi-gen: writes the REST face's OpenAPI document, and the C++
// source embedding it, from a FileDescriptorSet of the v1 protos. A build
// tool (broker/rest/openapi/CMakeLists.txt runs it), not installed.
//
//   wams-openapi-gen --descriptor-set wams_v1.pb --json openapi.json
//                    --cc openapi_document_data.cc   (one command line)
//
// Exit 0 on success; 1 with the reason on stderr when the input is bad (so
// the build fails); 2 for a bad command line.
#include <fstream>
#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "broker/base/cli/command_line.h"
#include "broker/rest/openapi/descriptor_set.h"
#include "broker/rest/openapi/embed.h"
#include "broker/rest/openapi/openapi_generator.h"

namespace {

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

absl::Status Run(const std::string& descriptor_set, const std::string& json_path,
                 const std::string& cc_path) {
  absl::StatusOr<wams::rest::openapi::LoadedDescriptors> loaded =
      wams::rest::openapi::LoadDescriptorSet(descriptor_set);
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<std::string> json = wams::rest::openapi::GenerateOpenApi(loaded->files);
  if (!json.ok()) return json.status();
  if (!json_path.empty()) {
    if (absl::Status written = WriteFile(json_path, *json); !written.ok()) return written;
  }
  if (!cc_path.empty()) {
    absl::StatusOr<std::string> cc = wams::rest::openapi::EmbedAsCc(*json);
    if (!cc.ok()) return cc.status();
    return WriteFile(cc_path, *cc);
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Writes the OpenAPI document of the REST face from the v1 protos.",
               "wams-openapi-gen");
  wams::cli::AddVersionFlag(app);
  std::string descriptor_set;
  std::string json_path;
  std::string cc_path;
  app.add_option("--descriptor-set", descriptor_set,
                 "protoc --descriptor_set_out with --include_imports --include_source_info")
      ->required();
  app.add_option("--json", json_path, "where to write openapi.json");
  app.add_option("--cc", cc_path, "where to write the C++ source embedding it");
  if (std::optional<int> done = wams::cli::Parse(app, argc, argv)) return *done;
  if (absl::Status status = Run(descriptor_set, json_path, cc_path); !status.ok()) {
    std::cerr << "wams-openapi-gen: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
