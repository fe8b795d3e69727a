// The `wamsctl case ...` commands: one per CaseService RPC.
#include "absl/strings/str_cat.h"
#include "broker/tools/ctl/command.h"
#include "wams/broker/v1/case.grpc.pb.h"

namespace wams::ctl {
namespace {

using Stub = v1::CaseService::Stub;

void CaseFlag(CLI::App& command) { Text(command, "case", "ID", "the case")->required(); }
void RequestIdFlag(CLI::App& command) {
  Text(command, "request-id", "ID", "idempotency key; default: a fresh UUIDv7, printed");
}
void LawFlag(CLI::App& command) {
  List(command, "law", "LAW", "social-domain law: WMO_2015, JEUGDWET, PARTICIPATIEWET, WGS")
      ->check(EnumName<v1::SocialLaw>());
}
// --in, --out and --adjacent: the client's scope (R04) and the adjacent
// domains involved (R12).
void ScopeFlags(CLI::App& command) {
  List(command, "in", "DOMAIN", "domain the client includes, e.g. MENTAL_HEALTH")
      ->check(EnumName<v1::Domain>());
  List(command, "out", "DOMAIN", "domain the client excludes, e.g. POLICE")
      ->check(EnumName<v1::Domain>());
  List(command, "adjacent", "DOMAIN", "adjacent domain involved (R12)")
      ->check(EnumName<v1::Domain>());
}

void PrintCaseResponse(const v1::CaseResponse& response, std::ostream& out) {
  if (response.has_decision()) PrintDecision(response.decision(), out);
  PrintCase(response.case_(), out);
  if (response.has_receipt()) PrintReceipt("case event", response.receipt(), out);
}

// Runs one CaseService method with `request` and prints the case.
template <typename Request>
int CaseCall(const Invocation& invocation, const Request& request,
             grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                          v1::CaseResponse*)) {
  return Call<v1::CaseResponse>(
      invocation,
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
          v1::CaseResponse* response) {
        std::unique_ptr<Stub> stub = v1::CaseService::NewStub(channel);
        return (stub.get()->*method)(context, request, response);
      },
      PrintCaseResponse);
}

int Open(const Invocation& inv) {
  v1::OpenClientCaseRequest request;
  request.set_client_bsn(inv.flags.Get("bsn"));
  WAMS_CTL_USAGE_IF_ERROR(inv, AddEnums<v1::SocialLaw>(inv.flags, "law", [&](v1::SocialLaw law) {
                            request.add_social_laws(law);
                          }));
  WAMS_CTL_USAGE_IF_ERROR(inv, AddEnums<v1::Domain>(inv.flags, "in", [&](v1::Domain domain) {
                            request.mutable_scope()->add_domains_in(domain);
                          }));
  WAMS_CTL_USAGE_IF_ERROR(inv, AddEnums<v1::Domain>(inv.flags, "out", [&](v1::Domain domain) {
                            request.mutable_scope()->add_domains_out(domain);
                          }));
  WAMS_CTL_USAGE_IF_ERROR(inv, AddEnums<v1::Domain>(inv.flags, "adjacent", [&](v1::Domain domain) {
                            request.add_adjacent_domains(domain);
                          }));
  request.set_request_id(RequestIdOrNew(inv));
  return CaseCall(inv, request, &Stub::OpenClientCase);
}

int OpenProfessional(const Invocation& inv) {
  v1::OpenProfessionalCaseRequest request;
  request.set_client_bsn(inv.flags.Get("bsn"));
  request.set_municipality_oin(inv.flags.Get("municipality"));
  v1::ProfessionalGrounds& grounds = *request.mutable_grounds();
  grounds.set_persistent_problems(inv.flags.Has("persistent-problems"));
  grounds.set_nuisance_or_danger(inv.flags.Has("nuisance-or-danger"));
  grounds.set_coordinated_approach_expected(inv.flags.Has("coordinated-approach-expected"));
  grounds.set_reasons(inv.flags.Get("reasons"));
  request.set_request_id(RequestIdOrNew(inv));
  return CaseCall(inv, request, &Stub::OpenProfessionalCase);
}

int Decide(const Invocation& inv) {
  if (inv.flags.Has("accept") == inv.flags.Has("decline")) {
    return UsageError(inv, "give exactly one of --accept and --decline");
  }
  v1::DecideProfessionalRequestRequest request;
  request.set_case_id(inv.flags.Get("case"));
  request.set_accept(inv.flags.Has("accept"));
  request.set_reason(inv.flags.Get("reason"));
  WAMS_CTL_USAGE_IF_ERROR(inv, AddEnums<v1::SocialLaw>(inv.flags, "law", [&](v1::SocialLaw law) {
                            request.add_social_laws(law);
                          }));
  return CaseCall(inv, request, &Stub::DecideProfessionalRequest);
}

int Inform(const Invocation& inv) {
  v1::InformClientRequest request;
  request.set_case_id(inv.flags.Get("case"));
  request.set_how(inv.flags.Get("how"));
  return CaseCall(inv, request, &Stub::InformClient);
}

int Consent(const Invocation& inv) {
  v1::RecordConsentRequest request;
  request.set_case_id(inv.flags.Get("case"));
  request.set_subject_bsn(inv.flags.Get("bsn"));
  request.set_provider_oin(inv.flags.Get("provider"));
  for (const std::string& category : inv.flags.GetAll("category")) {
    request.add_categories(category);
  }
  return CaseCall(inv, request, &Stub::RecordConsent);
}

int WithdrawConsent(const Invocation& inv) {
  v1::WithdrawConsentRequest request;
  request.set_case_id(inv.flags.Get("case"));
  request.set_consent_id(inv.flags.Get("consent"));
  return CaseCall(inv, request, &Stub::WithdrawConsent);
}

int Scope(const Invocation& inv) {
  v1::SetClientScopeRequest request;
  request.set_case_id(inv.flags.Get("case"));
  WAMS_CTL_USAGE_IF_ERROR(inv, AddEnums<v1::Domain>(inv.flags, "in", [&](v1::Domain domain) {
                            request.mutable_scope()->add_domains_in(domain);
                          }));
  WAMS_CTL_USAGE_IF_ERROR(inv, AddEnums<v1::Domain>(inv.flags, "out", [&](v1::Domain domain) {
                            request.mutable_scope()->add_domains_out(domain);
                          }));
  WAMS_CTL_USAGE_IF_ERROR(inv, AddEnums<v1::Domain>(inv.flags, "adjacent", [&](v1::Domain domain) {
                            request.add_adjacent_domains(domain);
                          }));
  return CaseCall(inv, request, &Stub::SetClientScope);
}

int AddFamily(const Invocation& inv) {
  v1::AddFamilyMemberRequest request;
  request.set_case_id(inv.flags.Get("case"));
  request.set_bsn(inv.flags.Get("bsn"));
  request.set_agreed(inv.flags.Has("agreed"));
  return CaseCall(inv, request, &Stub::AddFamilyMember);
}

int Coordinate(const Invocation& inv) {
  const bool designated = inv.flags.Has("coordinator-oin") || inv.flags.Has("coordinator-id");
  if (designated == inv.flags.Has("self")) {
    return UsageError(inv, "give either --coordinator-oin and --coordinator-id, or --self");
  }
  v1::StartCoordinationRequest request;
  request.set_case_id(inv.flags.Get("case"));
  if (designated) {
    if (!inv.flags.Has("coordinator-oin")) return UsageError(inv, "missing flag --coordinator-oin");
    if (!inv.flags.Has("coordinator-id")) return UsageError(inv, "missing flag --coordinator-id");
    v1::DesignatedCoordinator& coordinator = *request.mutable_coordination()->mutable_designated();
    coordinator.set_party_oin(inv.flags.Get("coordinator-oin"));
    coordinator.set_professional_id(inv.flags.Get("coordinator-id"));
  } else {
    request.mutable_coordination()->mutable_self()->set_by(inv.flags.Get("self"));
  }
  return CaseCall(inv, request, &Stub::StartCoordination);
}

int Close(const Invocation& inv) {
  v1::CloseCaseRequest request;
  request.set_case_id(inv.flags.Get("case"));
  request.set_reason(inv.flags.Get("reason"));
  return CaseCall(inv, request, &Stub::CloseCase);
}

int Get(const Invocation& inv) {
  v1::GetCaseRequest request;
  request.set_case_id(inv.flags.Get("case"));
  return CaseCall(inv, request, &Stub::GetCase);
}

}  // namespace

std::vector<Command> CaseCommands() {
  return {
      {.name = "case open",
       .summary = "open a case on a resident's own request under a social-domain law (R01)",
       .flags =
           [](CLI::App& command) {
             Text(command, "bsn", "BSN", "the client")->required();
             LawFlag(command);
             ScopeFlags(command);
             RequestIdFlag(command);
           },
       .example = "wamsctl case open --bsn 111222333 --law WMO_2015 --law JEUGDWET "
                  "--in MENTAL_HEALTH --in EDUCATION --out POLICE --adjacent MENTAL_HEALTH "
                  "--request-id r1",
       .run = Open},
      {.name = "case open-professional",
       .summary = "ask the municipality to investigate (R02)",
       .flags =
           [](CLI::App& command) {
             Text(command, "bsn", "BSN", "the person")->required();
             Text(command, "municipality", "OIN", "the municipality asked")->required();
             Switch(command, "persistent-problems",
                    "ground (a): persistent or recurring multiple problems");
             Switch(command, "nuisance-or-danger",
                    "ground (b): nuisance or danger in the surroundings");
             Switch(command, "coordinated-approach-expected",
                    "ground (c): a coordinated approach can help");
             Text(command, "reasons", "TEXT", "your reasons, in your own words")->required();
             RequestIdFlag(command);
           },
       .example = "wamsctl --cert ggz.crt --key ggz.key case open-professional --bsn 111222333 "
                  "--municipality 00000001001234567000 --persistent-problems "
                  "--coordinated-approach-expected --reasons \"...\"",
       .run = OpenProfessional},
      {.name = "case decide",
       .summary = "accept or decline a professional request",
       .flags =
           [](CLI::App& command) {
             CaseFlag(command);
             Switch(command, "accept", "accept: research starts");
             Switch(command, "decline", "decline");
             Text(command, "reason", "TEXT", "by the published criteria")->required();
             LawFlag(command);
           },
       .example = "wamsctl case decide --case ID --accept --reason \"criteria met\" --law WMO_2015",
       .run = Decide},
      {.name = "case inform",
       .summary = "record that the client was informed",
       .flags =
           [](CLI::App& command) {
             CaseFlag(command);
             Text(command, "how", "TEXT", "letter, conversation, ...")->required();
           },
       .example = "wamsctl case inform --case ID --how \"letter of 3 March\"",
       .run = Inform},
      {.name = "case consent",
       .summary = "record a client's explicit consent (R17)",
       .flags =
           [](CLI::App& command) {
             CaseFlag(command);
             Text(command, "bsn", "BSN", "the consenting client")->required();
             Text(command, "provider", "OIN", "the provider it covers")->required();
             List(command, "category", "NAME", "a category it covers")->required();
           },
       .example = "wamsctl case consent --case ID --bsn 111222333 "
                  "--provider 00000003234567890000 --category treatment_status",
       .run = Consent},
      {.name = "case withdraw-consent",
       .summary = "withdraw a consent",
       .flags =
           [](CLI::App& command) {
             CaseFlag(command);
             Text(command, "consent", "ID", "the consent")->required();
           },
       .example = "wamsctl case withdraw-consent --case ID --consent CONSENT_ID",
       .run = WithdrawConsent},
      {.name = "case scope",
       .summary = "replace the client's scope (R04)",
       .flags =
           [](CLI::App& command) {
             CaseFlag(command);
             ScopeFlags(command);
           },
       .example = "wamsctl case scope --case ID --in MENTAL_HEALTH --out POLICE",
       .run = Scope},
      {.name = "case add-family",
       .summary = "record a family member and whether they agreed (R11)",
       .flags =
           [](CLI::App& command) {
             CaseFlag(command);
             Text(command, "bsn", "BSN", "the family member")->required();
             Switch(command, "agreed", "they agreed to be involved");
           },
       .example = "wamsctl case add-family --case ID --bsn 999990019 --agreed",
       .run = AddFamily},
      {.name = "case coordinate",
       .summary = "start the coordinated approach (R12, R13)",
       .flags =
           [](CLI::App& command) {
             CaseFlag(command);
             Text(command, "coordinator-oin", "OIN", "designated coordinator's party");
             Text(command, "coordinator-id", "ID", "designated coordinator's professional id");
             Text(command, "self", "WHO", "self-coordination by the client, a carer, ...");
           },
       .example = "wamsctl case coordinate --case ID --coordinator-oin 00000003123456780000 "
                  "--coordinator-id regisseur-7",
       .run = Coordinate},
      {.name = "case close",
       .summary = "close a case (R10)",
       .flags =
           [](CLI::App& command) {
             CaseFlag(command);
             Text(command, "reason", "TEXT", "why")->required();
           },
       .example = "wamsctl case close --case ID --reason \"help in place\"",
       .run = Close},
      {.name = "case get",
       .summary = "show a case",
       .flags = CaseFlag,
       .example = "wamsctl case get --case ID",
       .run = Get},
  };
}

}  // namespace wams::ctl
