// The exchange commands: request, check (the dry run), share and whoami.
#include "absl/strings/str_cat.h"
#include "broker/base/secret_file.h"
#include "broker/base/uuid.h"
#include "broker/tools/ctl/command.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::ctl {
namespace {

using Stub = v1::ExchangeService::Stub;

// The identifying details for a party that may not process the BSN (R19),
// from their flags; the broker checks their syntax and whether they suffice.
void SetSubjectDetails(const Invocation& inv, v1::SubjectDetails* details) {
  details->set_family_name(inv.flags.Get("family-name"));
  details->set_given_names(inv.flags.Get("given-names"));
  details->set_date_of_birth(inv.flags.Get("date-of-birth"));
  details->set_postal_code(inv.flags.Get("postal-code"));
  details->set_house_number(inv.flags.Get("house-number"));
  details->set_party_client_number(inv.flags.Get("client-number"));
}

// Their flags, for request, check and share.
void SubjectDetailsFlags(CLI::App& command) {
  Text(command, "client-number", "ID",
       "for a party that may not process the BSN (R19): its own number for the person");
  Text(command, "family-name", "TEXT",
       "R19, else: family name, with --date-of-birth, --postal-code and --house-number");
  Text(command, "given-names", "TEXT", "R19: given names or initials (optional)");
  Text(command, "date-of-birth", "YYYY-MM-DD", "R19: date of birth");
  Text(command, "postal-code", "\"1234 AB\"", "R19: postal code of the home address");
  Text(command, "house-number", "TEXT", "R19: house number, e.g. 12a");
}

void RequestIdAndLanguageFlags(CLI::App& command) {
  Text(command, "request-id", "ID", "idempotency key; default: a fresh UUIDv7, printed");
  Text(command, "lang", "LANG", "language of the messages: en or nl")->check(LanguageName());
}

// Fills the fields request and check share; INVALID_ARGUMENT names the flag.
absl::Status BuildDataRequest(const Invocation& inv, v1::DataRequest* request) {
  request->set_case_id(inv.flags.Get("case"));
  request->set_subject_bsn(inv.flags.Get("bsn"));
  request->set_provider_oin(inv.flags.Get("provider"));
  absl::StatusOr<v1::Purpose> purpose = ParseEnum<v1::Purpose>("purpose", inv.flags.Get("purpose"));
  if (!purpose.ok()) return purpose.status();
  request->set_purpose(*purpose);
  for (const std::string& category : inv.flags.GetAll("category")) {
    request->add_categories(category);
  }
  request->set_justification(inv.flags.Get("justification"));
  SetSubjectDetails(inv, request->mutable_subject_details());
  absl::StatusOr<v1::Language> language = ParseLanguage(inv.flags);
  if (!language.ok()) return language.status();
  request->set_language(*language);
  return absl::OkStatus();
}

void PrintDataResponse(const v1::DataResponse& response, std::ostream& out) {
  PrintDecision(response.decision(), out);
  out << "answer  " << EnumLabel(response.status()) << "\n";
  for (const v1::CategoryData& data : response.data()) {
    out << "  " << data.category() << "  (" << data.content_type() << ", " << data.content().size()
        << " bytes)  " << data.content() << "\n";
  }
  for (const std::string& condition : response.conditions()) {
    out << "  condition        " << condition << "\n";
  }
  if (!response.good_care_statement().empty()) {
    out << "  good care        " << response.good_care_statement() << "\n";
  }
  if (!response.legal_basis().empty()) {
    out << "  legal basis      " << response.legal_basis() << "\n";
  }
  if (!response.refusal_reasons().empty()) {
    out << "  refused because  " << response.refusal_reasons() << "\n";
  }
  if (response.has_decision_receipt()) PrintReceipt("decision", response.decision_receipt(), out);
  if (response.has_answer_receipt()) PrintReceipt("answer", response.answer_receipt(), out);
  if (!response.transaction_id().empty())
    out << "transaction  " << response.transaction_id() << "\n";
}

void PrintShareResponse(const v1::ShareResponse& response, std::ostream& out) {
  PrintDecision(response.decision(), out);
  out << "acknowledged  " << (response.acknowledged() ? "yes" : "no") << "\n";
  if (!response.refusal_reasons().empty()) {
    out << "  refused because  " << response.refusal_reasons() << "\n";
  }
  if (response.has_decision_receipt()) PrintReceipt("decision", response.decision_receipt(), out);
  if (response.has_delivery_receipt()) PrintReceipt("delivery", response.delivery_receipt(), out);
  if (!response.transaction_id().empty())
    out << "transaction  " << response.transaction_id() << "\n";
}

int Request(const Invocation& inv) {
  v1::DataRequest request;
  WAMS_CTL_USAGE_IF_ERROR(inv, BuildDataRequest(inv, &request));
  request.set_request_id(RequestIdOrNew(inv));
  return Call<v1::DataResponse>(
      inv,
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
          v1::DataResponse* response) {
        return v1::ExchangeService::NewStub(channel)->RequestData(context, request, response);
      },
      PrintDataResponse);
}

int Check(const Invocation& inv) {
  v1::DataRequest request;
  WAMS_CTL_USAGE_IF_ERROR(inv, BuildDataRequest(inv, &request));
  // The broker wants an id on every DataRequest, but a dry run is not
  // remembered (only receipted as a consultation), so a made-up one is not
  // worth announcing.
  request.set_request_id(inv.flags.Has("request-id") ? inv.flags.Get("request-id")
                                                     : base::NewUuidV7());
  return Call<v1::CheckResponse>(
      inv,
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
          v1::CheckResponse* response) {
        return v1::ExchangeService::NewStub(channel)->CheckRequest(context, request, response);
      },
      [](const v1::CheckResponse& response, std::ostream& out) {
        out << "dry run: ";
        PrintDecision(response.decision(), out);
        PrintReceiptReference("consultation", response.consultation_receipt(), out);
      });
}

// "--data CATEGORY=TEXT" or "--data CATEGORY=@FILE".
absl::Status AddShareData(const Invocation& inv, v1::ShareRequest* request) {
  for (const std::string& item : inv.flags.GetAll("data")) {
    size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --data: \"", item, "\" is not CATEGORY=TEXT or CATEGORY=@FILE"));
    }
    v1::CategoryData& data = *request->add_data();
    data.set_category(item.substr(0, equals));
    std::string value = item.substr(equals + 1);
    if (value.starts_with("@")) {
      absl::StatusOr<std::string> contents = base::ReadPublicFile(value.substr(1), "--data");
      if (!contents.ok()) return contents.status();
      value = *std::move(contents);
    }
    data.set_content(std::move(value));
    data.set_content_type(inv.flags.Has("content-type") ? inv.flags.Get("content-type")
                                                        : "application/json");
  }
  return absl::OkStatus();
}

int Share(const Invocation& inv) {
  v1::ShareRequest request;
  request.set_case_id(inv.flags.Get("case"));
  request.set_subject_bsn(inv.flags.Get("bsn"));
  request.set_recipient_oin(inv.flags.Get("recipient"));
  absl::StatusOr<v1::Purpose> purpose = ParseEnum<v1::Purpose>("purpose", inv.flags.Get("purpose"));
  WAMS_CTL_USAGE_IF_ERROR(inv, purpose.status());
  request.set_purpose(*purpose);
  for (const std::string& category : inv.flags.GetAll("category")) {
    request.add_categories(category);
  }
  request.set_justification(inv.flags.Get("justification"));
  SetSubjectDetails(inv, request.mutable_subject_details());
  WAMS_CTL_USAGE_IF_ERROR(inv, AddShareData(inv, &request));
  absl::StatusOr<v1::Language> language = ParseLanguage(inv.flags);
  WAMS_CTL_USAGE_IF_ERROR(inv, language.status());
  request.set_language(*language);
  request.set_request_id(RequestIdOrNew(inv));
  return Call<v1::ShareResponse>(
      inv,
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
          v1::ShareResponse* response) {
        return v1::ExchangeService::NewStub(channel)->ShareData(context, request, response);
      },
      PrintShareResponse);
}

void PrintWhoAmI(const v1::WhoAmIResponse& response, std::ostream& out) {
  const v1::Party& party = response.party();
  out << party.name() << "\n"
      << "  OIN           " << party.oin() << "\n"
      << "  domain        " << EnumLabel(party.domain()) << "\n"
      << "  role          " << EnumLabel(party.role()) << "\n"
      << "  regime        " << EnumLabel(party.secrecy_regime()) << "\n"
      << "  may use BSN   " << (party.may_process_bsn() ? "yes" : "no") << "\n";
  if (!response.professional_id().empty()) {
    out << "  professional  " << response.professional_id() << "\n";
  }
}

int WhoAmI(const Invocation& inv) {
  return Call<v1::WhoAmIResponse>(
      inv,
      [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
         v1::WhoAmIResponse* response) {
        return v1::ExchangeService::NewStub(channel)->WhoAmI(context, v1::WhoAmIRequest(),
                                                             response);
      },
      PrintWhoAmI);
}

// The flags of request and check.
void DataRequestFlags(CLI::App& command) {
  Text(command, "case", "ID", "the case")->required();
  Text(command, "bsn", "BSN", "the subject: a client of the case")->required();
  Text(command, "provider", "OIN", "the provider asked")->required();
  Text(command, "purpose", "PURPOSE", "RESEARCH, COORDINATION, CASE_CONFERENCE, ...")
      ->required()
      ->check(EnumName<v1::Purpose>());
  List(command, "category", "NAME", "a data category needed at this step")->required();
  Text(command, "justification", "TEXT", "why these categories are necessary now")->required();
  SubjectDetailsFlags(command);
  RequestIdAndLanguageFlags(command);
}

void ShareFlags(CLI::App& command) {
  Text(command, "case", "ID", "the case")->required();
  Text(command, "bsn", "BSN", "the subject: a client of the case")->required();
  Text(command, "recipient", "OIN", "the receiving party (involved)")->required();
  Text(command, "purpose", "PURPOSE", "RESEARCH or COORDINATION")
      ->required()
      ->check(EnumName<v1::Purpose>());
  List(command, "category", "NAME", "a category shared")->required();
  Text(command, "justification", "TEXT", "why the party needs it for its contribution (R21)")
      ->required();
  List(command, "data", "CAT=TEXT|CAT=@FILE", "the data of one category");
  Text(command, "content-type", "TYPE", "of --data; default application/json");
  RequestIdAndLanguageFlags(command);
  SubjectDetailsFlags(command);
}

}  // namespace

std::vector<Command> ExchangeCommands() {
  return {
      {.name = "request",
       .summary = "ask a provider for data about a client of a case",
       .flags = DataRequestFlags,
       .example = "wamsctl request --case ID --bsn 111222333 --provider 00000003345678900000 "
                  "--purpose research --category attendance --category support_needs "
                  "--justification \"...\" --lang en",
       .run = Request},
      {.name = "check",
       .summary = "dry run: the decision a request would get now (exit 1 if refused)",
       .flags = DataRequestFlags,
       .example = "wamsctl check --case ID --bsn 111222333 --provider 00000001003214345000 "
                  "--purpose research --category police_contacts --justification \"...\"",
       .run = Check},
      {.name = "share",
       .summary = "share municipal data with an involved party (R21)",
       .flags = ShareFlags,
       .example = "wamsctl share --case ID --bsn 111222333 --recipient 00000003345678900000 "
                  "--purpose research --category youth_services --justification \"...\" "
                  "--data youth_services=@youth.json",
       .run = Share},
      {.name = "whoami",
       .summary = "show the party the broker matches to your certificate",
       .flags = nullptr,
       .example = "wamsctl whoami",
       .run = WhoAmI},
  };
}

}  // namespace wams::ctl
