#include "broker/tools/ctl/output.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/tools/ctl/enum_names.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace wams::ctl {
namespace {

using google::protobuf::util::TimeUtil;

// Columns count characters, not bytes: articles hold UTF-8 ("casuïstisch").
size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;  // skip UTF-8 continuation bytes
  }
  return width;
}

std::string Pad(const std::string& text, size_t width) {
  const size_t have = DisplayWidth(text);
  return have >= width ? text : text + std::string(width - have, ' ');
}

template <typename Enum, typename Repeated>
std::string EnumList(const Repeated& values) {
  if (values.empty()) return "-";
  std::vector<std::string> labels;
  for (int value : values) labels.push_back(EnumLabel(static_cast<Enum>(value)));
  return absl::StrJoin(labels, ", ");
}

template <typename Repeated>
std::string List(const Repeated& values) {
  return values.empty() ? "-" : absl::StrJoin(values, ", ");
}

// Enough of the pseudonym to tell clients apart; it reveals nothing of the BSN.
std::string ShortPseudonym(const std::string& pseudonym) {
  if (pseudonym.empty()) return "-";
  return absl::StrCat(absl::BytesToHexString(pseudonym.substr(0, 8)), "...");
}

void Row(const std::string& label, const std::string& value, std::ostream& out) {
  out << "  " << Pad(label, 14) << value << "\n";
}

}  // namespace

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  // Every message wamsctl prints is linked in, so conversion cannot fail for
  // lack of a type; an empty object is still valid JSON should it ever do.
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return "{}";
  while (!json.empty() && json.back() == '\n') json.pop_back();
  return json;
}

std::string StatusCodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  int index = static_cast<int>(code);
  return index >= 0 && index < static_cast<int>(std::size(kNames)) ? kNames[index]
                                                                   : absl::StrCat(index);
}

RefusalDetails DecodeDetails(const grpc::Status& status) {
  RefusalDetails details;
  if (status.error_details().empty() || !details.status.ParseFromString(status.error_details())) {
    return details;
  }
  for (const google::protobuf::Any& any : details.status.details()) {
    if (any.Is<v1::Decision>()) {
      if (v1::Decision decision; any.UnpackTo(&decision)) {
        details.decisions.push_back(std::move(decision));
      }
    } else if (any.Is<v1::SignedReceipt>()) {
      if (v1::SignedReceipt receipt; any.UnpackTo(&receipt)) {
        details.receipts.push_back(std::move(receipt));
      }
    } else if (any.Is<v1::ReceiptReference>()) {
      if (v1::ReceiptReference reference; any.UnpackTo(&reference)) {
        details.references.push_back(std::move(reference));
      }
    }
  }
  return details;
}

void PrintDecision(const v1::Decision& decision, std::ostream& out) {
  out << (decision.allowed() ? "GRANTED" : "REFUSED");
  if (!decision.failed_rule_ids().empty()) {
    out << "  failed: " << absl::StrJoin(decision.failed_rule_ids(), ", ");
  }
  if (!decision.policy_version().empty()) {
    out << "  (policy " << decision.policy_version() << ")";
  }
  out << "\n";
  size_t rule_width = 0;
  size_t article_width = 0;
  for (const v1::RuleResult& rule : decision.rules()) {
    rule_width = std::max(rule_width, DisplayWidth(rule.rule_id()));
    article_width = std::max(article_width, DisplayWidth(rule.article()));
  }
  // The widest outcome label is NOT_APPLICABLE.
  constexpr size_t kOutcomeWidth = 14;
  for (const v1::RuleResult& rule : decision.rules()) {
    out << "  " << Pad(rule.rule_id(), rule_width) << "  "
        << Pad(EnumLabel(rule.outcome()), kOutcomeWidth) << "  "
        << Pad(rule.article(), article_width) << "  " << rule.message() << "\n";
  }
  if (!decision.obligations().empty()) {
    out << "obligations\n";
    for (const v1::Obligation& obligation : decision.obligations()) {
      out << "  " << obligation.rule_id() << "  " << EnumLabel(obligation.kind()) << "  ["
          << (obligation.categories().empty() ? "all categories"
                                              : absl::StrJoin(obligation.categories(), ", "))
          << "]  " << obligation.message() << "\n";
    }
  }
  if (!decision.consent_basis().empty()) {
    out << "consent basis\n";
    for (const v1::ConsentBasis& basis : decision.consent_basis()) {
      out << "  " << basis.category() << "  "
          << (basis.explicit_consent() ? absl::StrCat("explicit consent ", basis.consent_id())
                                       : std::string("no explicit consent"))
          << "\n";
    }
  }
}

void PrintReceipt(const std::string& label, const v1::SignedReceipt& signed_receipt,
                  std::ostream& out) {
  out << "receipt  " << label << "  leaf " << signed_receipt.leaf_index();
  v1::Receipt receipt;
  if (!receipt.ParseFromString(signed_receipt.receipt_bytes())) {
    out << "  (receipt bytes do not parse)\n";
    return;
  }
  out << "  id " << receipt.receipt_id() << "  " << EnumLabel(receipt.kind()) << " "
      << EnumLabel(receipt.outcome());
  if (!receipt.failed_rule_ids().empty()) {
    out << " [" << absl::StrJoin(receipt.failed_rule_ids(), ", ") << "]";
  }
  if (!receipt.detail().empty()) out << "  " << receipt.detail();
  out << "\n";
}

void PrintReceiptReference(const std::string& label, const v1::ReceiptReference& reference,
                           std::ostream& out) {
  out << "receipt  " << label << "  leaf " << reference.leaf_index() << "  id "
      << reference.receipt_id() << "  (for auditors)\n";
}

void PrintCase(const v1::Case& c, std::ostream& out) {
  out << "case " << c.case_id() << "\n";
  Row("phase", EnumLabel(c.phase()), out);
  Row("origin", EnumLabel(c.origin()), out);
  Row("municipality", c.municipality_oin(), out);
  for (const v1::CaseClient& client : c.clients()) {
    Row(client.primary() ? "client" : "family member",
        absl::StrCat("pseudonym ", ShortPseudonym(client.subject_pseudonym()),
                     client.primary() ? "" : (client.agreed() ? "  agreed" : "  not agreed")),
        out);
  }
  Row("laws", EnumList<v1::SocialLaw>(c.social_laws()), out);
  Row("scope in", EnumList<v1::Domain>(c.scope().domains_in()), out);
  Row("scope out", EnumList<v1::Domain>(c.scope().domains_out()), out);
  Row("adjacent", EnumList<v1::Domain>(c.adjacent_domains()), out);
  Row("informed", c.client_informed() ? "yes" : "no", out);
  if (c.has_professional_request()) {
    const v1::ProfessionalRequest& request = c.professional_request();
    Row("requested by", absl::StrCat(request.requester_oin(), " / ", request.professional_id()),
        out);
    if (request.has_decision()) {
      Row("decision",
          absl::StrCat(request.decision().accepted() ? "accepted: " : "declined: ",
                       request.decision().reason()),
          out);
    }
  }
  for (const v1::Consent& consent : c.consents()) {
    Row("consent",
        absl::StrCat(consent.consent_id(), "  ", consent.provider_oin(), "  [",
                     absl::StrJoin(consent.categories(), ", "), "]",
                     consent.has_withdrawn_at() ? "  withdrawn" : ""),
        out);
  }
  // The ground and the coordinator's kind are derived by the broker (R12,
  // R13); unset in a professional's outcome view.
  if (c.coordination_ground() != v1::COORDINATION_GROUND_UNSPECIFIED) {
    Row("coordination", absl::StrCat(EnumLabel(c.coordination_ground()), " (R12)"), out);
  }
  const std::string kind = c.coordinator_kind() == v1::COORDINATOR_KIND_UNSPECIFIED
                               ? std::string()
                               : absl::StrCat("  (", EnumLabel(c.coordinator_kind()), ", R13)");
  if (c.coordination().has_designated()) {
    Row("coordinator",
        absl::StrCat(c.coordination().designated().party_oin(), " / ",
                     c.coordination().designated().professional_id(), kind),
        out);
  } else if (c.coordination().has_self()) {
    Row("coordinator", absl::StrCat("self: ", c.coordination().self().by(), kind), out);
  }
  Row("involved", List(c.involved_party_oins()), out);
  if (c.has_opened_at()) Row("opened", TimeUtil::ToString(c.opened_at()), out);
  if (c.has_closed_at()) Row("closed", TimeUtil::ToString(c.closed_at()), out);
  Row("version", absl::StrCat(c.version()), out);
}

void PrintConference(const v1::Conference& conference, std::ostream& out) {
  out << "conference " << conference.conference_id() << "\n";
  Row("case", conference.case_id(), out);
  Row("convener", conference.convener_oin(), out);
  Row("subject", conference.subject(), out);
  if (conference.has_scheduled_at()) {
    Row("scheduled", TimeUtil::ToString(conference.scheduled_at()), out);
  }
  for (const v1::Invitation& invitation : conference.invitations()) {
    Row("invited", absl::StrCat(invitation.party_oin(), "  ", invitation.necessity_reason()), out);
  }
  Row("client",
      conference.client_invited() ? std::string("invited")
      : conference.client_not_invited_reason().empty()
          ? std::string("not invited")
          : absl::StrCat("not invited: ", conference.client_not_invited_reason()),
      out);
}

void ReportRpcError(const grpc::Status& status, bool json, std::ostream& out, std::ostream& err) {
  RefusalDetails details = DecodeDetails(status);
  if (json) {
    google::protobuf::Struct object;
    auto& fields = *object.mutable_fields();
    fields["code"].set_string_value(StatusCodeName(status.error_code()));
    fields["message"].set_string_value(status.error_message());
    google::protobuf::ListValue& list = *fields["details"].mutable_list_value();
    for (const google::protobuf::Any& any : details.status.details()) {
      google::protobuf::Value value;
      if (google::protobuf::util::JsonStringToMessage(ToJson(any), &value).ok()) {
        *list.add_values() = std::move(value);
      }
    }
    out << ToJson(object) << "\n";
    return;
  }
  err << "wamsctl: broker answered " << StatusCodeName(status.error_code()) << ": "
      << status.error_message() << "\n";
  for (const v1::Decision& decision : details.decisions) PrintDecision(decision, out);
  for (const v1::SignedReceipt& receipt : details.receipts) {
    v1::Receipt decoded;
    std::string label = decoded.ParseFromString(receipt.receipt_bytes())
                            ? absl::AsciiStrToLower(EnumLabel(decoded.kind()))
                            : std::string("receipt");
    PrintReceipt(label, receipt, out);
  }
  for (const v1::ReceiptReference& reference : details.references) {
    PrintReceiptReference("refusal", reference, out);
  }
}

}  // namespace wams::ctl
