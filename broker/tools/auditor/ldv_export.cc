#include "broker/tools/auditor/ldv_export.h"

#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/export/export_format.h"
#include "broker/tools/auditor/export_verifier.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::auditor {
namespace {

namespace v1 = ::wams::broker::v1;

// The register's URIs are identifiers, absolute and of a known scheme.
bool IsRegisterUri(const std::string& uri) {
  return (absl::StartsWith(uri, "https://") && uri.size() > 8) ||
         (absl::StartsWith(uri, "urn:") && uri.size() > 4);
}

// 16 hex digits: the first 8 bytes of SHA-256 over `parts`. A receipt records
// no span of its own, so its span id is derived from its receipt id: stable
// across exports, and the same wherever it is computed.
std::string DerivedId(std::initializer_list<std::string_view> parts, size_t bytes) {
  const ledger::Digest digest = ledger::Sha256Parts(parts);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), bytes));
}

std::string SpanIdOf(const v1::Receipt& receipt) {
  return DerivedId({"wams-ldv-span\n", receipt.receipt_id()}, 8);
}

// The receipt's W3C trace id; receipts made outside a traced request (case
// and consent events) get one derived from their receipt id.
std::string TraceIdOf(const v1::Receipt& receipt) {
  if (!receipt.trace_id().empty()) return receipt.trace_id();
  return DerivedId({"wams-ldv-trace\n", receipt.receipt_id()}, 16);
}

google::protobuf::Value Text(const std::string& text) {
  google::protobuf::Value value;
  value.set_string_value(text);
  return value;
}

google::protobuf::Value Number(double number) {
  google::protobuf::Value value;
  value.set_number_value(number);
  return value;
}

google::protobuf::Value List(const google::protobuf::RepeatedPtrField<std::string>& items) {
  google::protobuf::Value value;
  for (const std::string& item : items) {
    value.mutable_list_value()->add_values()->set_string_value(item);
  }
  return value;
}

// The standard's `status`: `Ok` for what took effect; `Error` only for a
// technical failure (the provider could not be reached); `Unset` for what was
// handled correctly without taking effect (a refusal is a correct answer, and
// the standard keeps `Error` for faults inside the system).
std::string StatusOf(v1::ReceiptOutcome outcome) {
  switch (outcome) {
    case v1::RECEIPT_OUTCOME_GRANTED:
    case v1::RECEIPT_OUTCOME_DELIVERED:
      return "Ok";
    case v1::RECEIPT_OUTCOME_NOT_DELIVERED:
      return "Error";
    default:
      return "Unset";
  }
}

// The LDV record of one receipt (broker/tools/README.md, field by field).
absl::StatusOr<google::protobuf::Struct> RecordOf(const v1::Receipt& receipt, uint64_t index,
                                                  const std::string& activity,
                                                  const std::string& origin,
                                                  const std::string& parent_span) {
  google::protobuf::Struct record;
  auto& fields = *record.mutable_fields();
  fields["trace_id"] = Text(TraceIdOf(receipt));
  fields["span_id"] = Text(SpanIdOf(receipt));
  if (!parent_span.empty()) fields["parent_span_id"] = Text(parent_span);
  fields["name"] = Text(absl::AsciiStrToLower(v1::ReceiptKind_Name(receipt.kind())));
  // Milliseconds since the Unix epoch, as the standard's start_time and
  // end_time; the same for both: a receipt is one moment.
  const double millis = static_cast<double>(
      google::protobuf::util::TimeUtil::TimestampToMilliseconds(receipt.time()));
  fields["start_time"] = Number(millis);
  fields["end_time"] = Number(millis);
  fields["status"] = Text(StatusOf(receipt.outcome()));
  // The standard's resource is an object holding only `attributes`, which
  // name the system as the organisation is used to (OpenTelemetry's).
  google::protobuf::Value resource;
  auto& resource_attributes = *(*resource.mutable_struct_value()->mutable_fields())["attributes"]
                                   .mutable_struct_value()
                                   ->mutable_fields();
  resource_attributes["service.name"] = Text(origin);
  resource_attributes["wams.policy_version"] = Text(receipt.policy_version());
  fields["resource"] = resource;

  google::protobuf::Value attributes_value;
  auto& attributes = *attributes_value.mutable_struct_value()->mutable_fields();
  attributes["dpl.core.processing_activity_id"] = Text(activity);
  if (!receipt.subject_pseudonym().empty()) {
    attributes["dpl.core.data_subject_id"] =
        Text(absl::BytesToHexString(receipt.subject_pseudonym()));
    attributes["dpl.core.data_subject_id_type"] = Text("wams-bsn-pseudonym");
  }
  attributes["wams.receipt.leaf_index"] = Number(static_cast<double>(index));
  attributes["wams.receipt.id"] = Text(receipt.receipt_id());
  attributes["wams.outcome"] = Text(v1::ReceiptOutcome_Name(receipt.outcome()));
  if (receipt.purpose() != v1::PURPOSE_UNSPECIFIED) {
    attributes["wams.purpose"] = Text(v1::Purpose_Name(receipt.purpose()));
  }
  if (!receipt.case_id().empty()) attributes["wams.case_id"] = Text(receipt.case_id());
  if (!receipt.requester_oin().empty()) {
    attributes["wams.requester_oin"] = Text(receipt.requester_oin());
  }
  if (!receipt.professional_id().empty()) {
    attributes["wams.professional_id"] = Text(receipt.professional_id());
  }
  if (!receipt.target_oin().empty()) attributes["wams.target_oin"] = Text(receipt.target_oin());
  if (receipt.categories_size() > 0) attributes["wams.categories"] = List(receipt.categories());
  if (receipt.failed_rule_ids_size() > 0) {
    attributes["wams.failed_rule_ids"] = List(receipt.failed_rule_ids());
  }
  if (!receipt.transaction_id().empty()) {
    attributes["wams.transaction_id"] = Text(receipt.transaction_id());
  }
  fields["attributes"] = attributes_value;
  return record;
}

}  // namespace

absl::StatusOr<LdvRegister> LdvRegisterFrom(const v1::ProcessingRegister& register_) {
  LdvRegister out;
  for (int i = 0; i < register_.activities_size(); ++i) {
    const v1::ProcessingRegister::Activity& activity = register_.activities(i);
    const std::string field = absl::StrCat("processing_register.activities[", i, "]");
    if (activity.purpose() == v1::PURPOSE_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".purpose: required"));
    }
    if (!IsRegisterUri(activity.uri())) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".uri: want an absolute https: or urn: URI"));
    }
    if (!out.activity_by_purpose.emplace(activity.purpose(), activity.uri()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".purpose: ", v1::Purpose_Name(activity.purpose()), " is given twice"));
    }
  }
  if (!register_.case_administration_uri().empty()) {
    if (!IsRegisterUri(register_.case_administration_uri())) {
      return absl::InvalidArgumentError(
          "processing_register.case_administration_uri: want an absolute https: or urn: URI");
    }
    out.case_administration_uri = register_.case_administration_uri();
  }
  return out;
}

absl::StatusOr<LdvRegister> LdvRegisterFromConfig(const std::string& config_path) {
  absl::StatusOr<std::string> text = ledger_export::ReadSmallFile(config_path);
  if (!text.ok()) return text.status();
  v1::BrokerConfig config;
  const size_t first = text->find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (*text)[first] == '{') {
    if (!google::protobuf::util::JsonStringToMessage(*text, &config).ok()) {
      return absl::InvalidArgumentError(absl::StrCat(config_path, ": not a BrokerConfig (JSON)"));
    }
  } else if (!google::protobuf::TextFormat::ParseFromString(*text, &config)) {
    return absl::InvalidArgumentError(absl::StrCat(config_path, ": not a BrokerConfig textproto"));
  }
  return LdvRegisterFrom(config.processing_register());
}

absl::StatusOr<uint64_t> WriteLdvRecords(const std::string& dir, const LdvRegister& register_,
                                         std::ostream& out) {
  VerifyReport verified = VerifyExport(dir, VerifyOptions());
  if (!verified.status.ok()) return verified.status;

  absl::StatusOr<std::string> lines =
      ledger_export::ReadSmallFile(dir + "/" + ledger_export::kReceiptsFile);
  if (!lines.ok()) return lines.status();
  // Every record first, so that a receipt without an activity writes nothing.
  std::vector<v1::Receipt> receipts;
  for (absl::string_view line : absl::StrSplit(*lines, '\n', absl::SkipEmpty())) {
    ledger_export::ExportedReceipt exported;
    absl::Status parsed =
        ledger_export::ParseReceiptLine(std::string_view(line.data(), line.size()), exported);
    if (!parsed.ok()) return parsed;
    v1::Receipt& receipt = receipts.emplace_back();
    if (!receipt.ParseFromString(exported.receipt)) {
      return absl::DataLossError(absl::StrCat("receipt ", exported.index, " does not parse"));
    }
  }
  std::vector<std::string> records;
  records.reserve(receipts.size());
  for (size_t index = 0; index < receipts.size(); ++index) {
    const v1::Receipt& receipt = receipts[index];
    std::string activity = register_.case_administration_uri;
    if (receipt.purpose() != v1::PURPOSE_UNSPECIFIED) {
      auto found = register_.activity_by_purpose.find(receipt.purpose());
      if (found != register_.activity_by_purpose.end()) {
        activity = found->second;
      } else if (receipt.outcome() != v1::RECEIPT_OUTCOME_REFUSED) {
        // A refusal processed nothing for its purpose (a forbidden one, R08,
        // has no activity at all): it is the administration's check. Anything
        // that took effect needs its purpose's activity.
        activity.clear();
      }
    }
    if (activity.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "receipt ", index, ": no processing activity for ",
          receipt.purpose() == v1::PURPOSE_UNSPECIFIED
              ? std::string(
                    "receipts without a purpose (processing_register.case_administration_uri)")
              : absl::StrCat("purpose ", v1::Purpose_Name(receipt.purpose()),
                             " (processing_register.activities)")));
    }
    // An answer runs inside its decision: the decision's span is its parent.
    std::string parent;
    if (receipt.kind() == v1::RECEIPT_KIND_PROVIDER_ANSWER &&
        receipt.decision_leaf_index() < receipts.size() && receipt.decision_leaf_index() != index) {
      parent = SpanIdOf(receipts[receipt.decision_leaf_index()]);
    }
    absl::StatusOr<google::protobuf::Struct> record =
        RecordOf(receipt, index, activity, verified.checkpoint.origin, parent);
    if (!record.ok()) return record.status();
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(*record, &json).ok()) {
      return absl::InternalError(absl::StrCat("receipt ", index, ": cannot print its record"));
    }
    records.push_back(std::move(json));
  }
  for (const std::string& record : records) out << record << "\n";
  return records.size();
}

}  // namespace wams::auditor
