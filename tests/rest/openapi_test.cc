// The embedded OpenAPI document against the v1 protos: every annotated
// method once, the errors as problem+json, comments as descriptions, GET
// fields as query parameters, byte-identical generations; and the
// generator's refusals of bad input.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/rest/api_version.h"
#include "broker/rest/openapi/descriptor_set.h"
#include "broker/rest/openapi/openapi_document.h"
#include "broker/rest/openapi/openapi_generator.h"
#include "broker/rest/openapi/proto_text.h"
#include "gmock/gmock.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace wams::rest::openapi {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using ::testing::HasSubstr;

constexpr const char* kServices[] = {"wams.broker.v1.CaseService", "wams.broker.v1.ExchangeService",
                                     "wams.broker.v1.ConferenceService",
                                     "wams.broker.v1.AuditService"};

Struct ParseDocument(std::string_view json) {
  Struct document;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(json), &document);
  EXPECT_TRUE(status.ok()) << status.message();
  return document;
}

// The member `key` of `value`, which must be an object holding it.
const Value& At(const Value& value, const std::string& key) {
  static const Value* const kNull = new Value();
  if (!value.has_struct_value() || !value.struct_value().fields().contains(key)) {
    ADD_FAILURE() << "no member " << key;
    return *kNull;
  }
  return value.struct_value().fields().at(key);
}

Value AsValue(const Struct& document) {
  Value value;
  *value.mutable_struct_value() = document;
  return value;
}

// Follows a local $ref ("#/components/responses/BadRequest").
const Value& Resolve(const Value& document, const Value& maybe_ref) {
  if (!maybe_ref.has_struct_value() || !maybe_ref.struct_value().fields().contains("$ref")) {
    return maybe_ref;
  }
  std::string rest =
      At(maybe_ref, "$ref").string_value().substr(std::string("#/components/").size());
  size_t slash = rest.find('/');
  return At(At(At(document, "components"), rest.substr(0, slash)), rest.substr(slash + 1));
}

// "/api/v1/cases/{case_id}" -> "/cases/{caseId}", as the document keys it.
std::string DocumentPath(const google::protobuf::MethodDescriptor& method, std::string path) {
  path = path.substr(std::string(kBasePath).size());
  for (int i = 0; i < method.input_type()->field_count(); ++i) {
    const auto* field = method.input_type()->field(i);
    std::string variable = absl::StrCat("{", field->name(), "}");
    if (size_t at = path.find(variable); at != std::string::npos) {
      path.replace(at, variable.size(), absl::StrCat("{", field->json_name(), "}"));
    }
  }
  return path;
}

std::pair<std::string, std::string> VerbAndPath(const google::protobuf::MethodDescriptor& method) {
  const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
  if (!rule.get().empty()) return {"get", DocumentPath(method, rule.get())};
  if (!rule.put().empty()) return {"put", DocumentPath(method, rule.put())};
  if (!rule.post().empty()) return {"post", DocumentPath(method, rule.post())};
  if (!rule.delete_().empty()) return {"delete", DocumentPath(method, rule.delete_())};
  return {"patch", DocumentPath(method, rule.patch())};
}

// A file in a fresh temp directory, removed with it when this goes.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& contents) {
    std::string dir = (std::filesystem::temp_directory_path() / "openapi_test.XXXXXX").string();
    EXPECT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    path_ = (dir_ / name).string();
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::filesystem::remove_all(dir_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

// The methods with a google.api.http annotation, service by service.
std::vector<const google::protobuf::MethodDescriptor*> AnnotatedMethods(
    const google::protobuf::DescriptorPool& pool) {
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const char* name : kServices) {
    const auto* service = pool.FindServiceByName(name);
    EXPECT_NE(service, nullptr) << name;
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      if (service->method(i)->options().HasExtension(google::api::http)) {
        methods.push_back(service->method(i));
      }
    }
  }
  return methods;
}

TEST(OpenApiDocumentTest, ParsesAsJson) {
  Struct document = ParseDocument(OpenApiDocument());
  EXPECT_EQ(document.fields().at("openapi").string_value(), "3.0.3");
  EXPECT_GT(document.fields().at("paths").struct_value().fields_size(), 0);
}

TEST(OpenApiDocumentTest, InfoVersionIsTheApiVersion) {
  Value document = AsValue(ParseDocument(OpenApiDocument()));
  EXPECT_EQ(At(At(document, "info"), "version").string_value(), kApiVersion);
  EXPECT_THAT(At(At(document, "servers").list_value().values(0), "url").string_value(),
              ::testing::EndsWith(kBasePath));
}

TEST(OpenApiDocumentTest, EveryAnnotatedMethodIsOneOperation) {
  absl::StatusOr<LoadedDescriptors> loaded = LoadDescriptorSet(WAMS_OPENAPI_DESCRIPTOR_SET);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  Value document = AsValue(ParseDocument(OpenApiDocument()));
  int annotated = 0;
  for (const auto* method : AnnotatedMethods(*loaded->pool)) {
    ++annotated;
    auto [verb, path] = VerbAndPath(*method);
    const Value& operation = At(At(At(document, "paths"), path), verb);
    EXPECT_EQ(At(operation, "operationId").string_value(), LowerCamel(method->name()))
        << method->full_name();
    EXPECT_EQ(At(operation, "tags").list_value().values(0).string_value(),
              method->service()->name());
  }
  // No operation beyond those: each is counted once.
  std::set<std::string> operation_ids;
  int operations = 0;
  for (const auto& [path, item] : At(document, "paths").struct_value().fields()) {
    for (const auto& [verb, operation] : item.struct_value().fields()) {
      ++operations;
      operation_ids.insert(At(operation, "operationId").string_value());
    }
  }
  EXPECT_EQ(operations, annotated);
  EXPECT_EQ(operation_ids.size(), static_cast<size_t>(annotated));
  EXPECT_GE(annotated, 28);  // the routes when this test was written
}

TEST(OpenApiDocumentTest, EveryErrorIsProblemJsonWithApiVersion) {
  Value document = AsValue(ParseDocument(OpenApiDocument()));
  int errors = 0;
  for (const auto& [path, item] : At(document, "paths").struct_value().fields()) {
    for (const auto& [verb, operation] : item.struct_value().fields()) {
      for (const auto& [status, response] : At(operation, "responses").struct_value().fields()) {
        const Value& resolved = Resolve(document, response);
        EXPECT_TRUE(At(resolved, "headers").struct_value().fields().contains(kApiVersionHeader))
            << verb << " " << path << " " << status;
        if (status[0] != '4' && status[0] != '5') continue;
        ++errors;
        EXPECT_TRUE(
            At(resolved, "content").struct_value().fields().contains("application/problem+json"))
            << verb << " " << path << " " << status;
      }
    }
  }
  EXPECT_GT(errors, 0);
  const Value& problem = At(At(At(document, "components"), "schemas"), "Problem");
  std::set<std::string> required;
  for (const Value& name : At(problem, "required").list_value().values()) {
    required.insert(name.string_value());
  }
  EXPECT_EQ(required, (std::set<std::string>{"status", "title", "detail"}));
}

TEST(OpenApiDocumentTest, FieldCommentIsThePropertyDescription) {
  absl::StatusOr<LoadedDescriptors> loaded = LoadDescriptorSet(WAMS_OPENAPI_DESCRIPTOR_SET);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const auto* field =
      loaded->pool->FindFieldByName("wams.broker.v1.WhoAmIResponse.certificate_oin");
  ASSERT_NE(field, nullptr);
  std::string comment = Comment(*field);
  ASSERT_FALSE(comment.empty());
  Value document = AsValue(ParseDocument(OpenApiDocument()));
  const Value& property =
      At(At(At(At(At(document, "components"), "schemas"), "WhoAmIResponse"), "properties"),
         "certificateOin");
  EXPECT_THAT(At(property, "description").string_value(), ::testing::StartsWith(comment));
}

TEST(OpenApiDocumentTest, GetRouteFieldsOutsideThePathAreQueryParameters) {
  absl::StatusOr<LoadedDescriptors> loaded = LoadDescriptorSet(WAMS_OPENAPI_DESCRIPTOR_SET);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  Value document = AsValue(ParseDocument(OpenApiDocument()));
  int checked = 0;
  for (const auto* method : AnnotatedMethods(*loaded->pool)) {
    auto [verb, path] = VerbAndPath(*method);
    if (verb != "get") continue;
    std::set<std::pair<std::string, std::string>> parameters;  // (in, name)
    for (const Value& parameter :
         At(At(At(At(document, "paths"), path), verb), "parameters").list_value().values()) {
      const Value& resolved = Resolve(document, parameter);
      parameters.emplace(At(resolved, "in").string_value(), At(resolved, "name").string_value());
    }
    for (int f = 0; f < method->input_type()->field_count(); ++f) {
      const auto& field = *method->input_type()->field(f);
      bool in_path = path.find("{" + field.json_name() + "}") != std::string::npos;
      EXPECT_TRUE(parameters.contains({in_path ? "path" : "query", field.json_name()}))
          << method->full_name() << " " << field.name();
      ++checked;
    }
  }
  // GetInclusionProof's leafIndex (path) and treeSize (query) among them.
  EXPECT_GE(checked, 6);
}

TEST(OpenApiGeneratorTest, TwoGenerationsAreByteIdenticalAndEmbedded) {
  absl::StatusOr<LoadedDescriptors> first = LoadDescriptorSet(WAMS_OPENAPI_DESCRIPTOR_SET);
  absl::StatusOr<LoadedDescriptors> second = LoadDescriptorSet(WAMS_OPENAPI_DESCRIPTOR_SET);
  ASSERT_TRUE(first.ok() && second.ok());
  absl::StatusOr<std::string> one = GenerateOpenApi(first->files);
  absl::StatusOr<std::string> two = GenerateOpenApi(second->files);
  ASSERT_TRUE(one.ok()) << one.status().message();
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(*one, *two);
  EXPECT_EQ(*one, OpenApiDocument());
}

TEST(OpenApiGeneratorTest, PathVariableNamingNoFieldIsRefused) {
  std::ifstream in(WAMS_OPENAPI_DESCRIPTOR_SET, std::ios::binary);
  google::protobuf::FileDescriptorSet set;
  ASSERT_TRUE(set.ParseFromIstream(&in));
  bool changed = false;
  for (auto& file : *set.mutable_file()) {
    for (auto& service : *file.mutable_service()) {
      for (auto& method : *service.mutable_method()) {
        if (service.name() == "CaseService" && method.name() == "GetCase") {
          method.mutable_options()
              ->MutableExtension(google::api::http)
              ->set_get("/api/v1/cases/{nope}");
          changed = true;
        }
      }
    }
  }
  ASSERT_TRUE(changed);
  TempFile bad("bad.pb", set.SerializeAsString());
  absl::StatusOr<LoadedDescriptors> loaded = LoadDescriptorSet(bad.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  absl::StatusOr<std::string> json = GenerateOpenApi(loaded->files);
  ASSERT_FALSE(json.ok());
  EXPECT_THAT(json.status().message(), HasSubstr("wams.broker.v1.CaseService.GetCase"));
  EXPECT_THAT(json.status().message(), HasSubstr("{nope} names no field"));
}

TEST(OpenApiGeneratorTest, MissingOrMalformedDescriptorSetIsNamed) {
  absl::StatusOr<LoadedDescriptors> missing = LoadDescriptorSet("/nonexistent/wams.pb");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/wams.pb"));
  TempFile file("garbage.pb", "this is not a descriptor set");
  const std::string& garbage = file.path();
  absl::StatusOr<LoadedDescriptors> malformed = LoadDescriptorSet(garbage);
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(malformed.status().message(), HasSubstr(garbage));
}

TEST(OpenApiGeneratorTest, BadInputFailsTheToolWithExitOne) {
  TempFile file("garbage.pb", "this is not a descriptor set");
  const std::string& garbage = file.path();
  std::string err = garbage + ".err";
  int status = std::system(
      absl::StrCat(WAMS_OPENAPI_GEN, " --descriptor-set ", garbage, " 2>", err).c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::stringstream message;
  message << std::ifstream(err).rdbuf();
  EXPECT_THAT(message.str(), HasSubstr(garbage));
  EXPECT_THAT(message.str(), HasSubstr("not a FileDescriptorSet"));
}

}  // namespace
}  // namespace wams::rest::openapi
