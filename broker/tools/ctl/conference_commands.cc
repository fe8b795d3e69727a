// The `wamsctl conference ...` commands: one per ConferenceService RPC.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/secret_file.h"
#include "broker/tools/ctl/command.h"
#include "google/protobuf/util/time_util.h"
#include "wams/broker/v1/conference.grpc.pb.h"

namespace wams::ctl {
namespace {

using Stub = v1::ConferenceService::Stub;

void ConferenceFlag(CLI::App& command) {
  Text(command, "conference", "ID", "the conference")->required();
}
void ItemFlag(CLI::App& command) { Text(command, "item", "ID", "the item")->required(); }
void RequestIdFlag(CLI::App& command) {
  Text(command, "request-id", "ID", "idempotency key; default: a fresh UUIDv7, printed");
}

void PrintConferenceResponse(const v1::ConferenceResponse& response, std::ostream& out) {
  PrintConference(response.conference(), out);
  if (response.has_receipt()) PrintReceipt("conference event", response.receipt(), out);
}

void PrintShareItemResponse(const v1::ShareItemResponse& response, std::ostream& out) {
  if (response.has_decision()) PrintDecision(response.decision(), out);
  out << "item  " << response.item_id() << "\n";
  if (response.has_receipt()) PrintReceipt("conference event", response.receipt(), out);
}

// Text content is shown as is; anything else by its size only.
bool IsText(const std::string& content_type) {
  return content_type.starts_with("text/") || content_type == "application/json";
}

void PrintFetchItemsResponse(const v1::FetchItemsResponse& response, std::ostream& out) {
  out << response.items_size() << (response.items_size() == 1 ? " item" : " items")
      << " addressed to you\n";
  for (const v1::ConferenceItem& item : response.items()) {
    out << "item " << item.item_id() << "  \"" << item.title() << "\"\n";
    out << "  supplier      " << item.supplier_oin() << "\n";
    out << "  audience      " << absl::StrJoin(item.audience_oins(), ", ") << "\n";
    if (!item.categories().empty()) {
      out << "  categories    " << absl::StrJoin(item.categories(), ", ") << "\n";
    }
    if (!item.onward_use_assented_oins().empty()) {
      out << "  onward use    " << absl::StrJoin(item.onward_use_assented_oins(), ", ") << "\n";
    }
    out << "  content       (" << item.content_type() << ", " << item.content().size() << " bytes)";
    if (IsText(item.content_type())) out << "  " << item.content();
    out << "\n";
  }
  if (response.has_receipt()) PrintReceipt("fetch", response.receipt(), out);
}

void PrintOnwardUseResponse(const v1::OnwardUseResponse& response, std::ostream& out) {
  out << "onward use  " << (response.allowed() ? "ALLOWED" : "NOT ALLOWED") << "\n";
  if (response.has_decision()) PrintDecision(response.decision(), out);
  if (response.has_receipt()) PrintReceipt("conference event", response.receipt(), out);
}

// Calls one ConferenceService method with `request`.
template <typename Request, typename Response, typename PrintFn>
int ConferenceCall(const Invocation& invocation, const Request& request,
                   grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                   PrintFn print) {
  return Call<Response>(
      invocation,
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
          Response* response) {
        std::unique_ptr<Stub> stub = v1::ConferenceService::NewStub(channel);
        return (stub.get()->*method)(context, request, response);
      },
      print);
}

int Convene(const Invocation& inv) {
  v1::ConveneRequest request;
  request.set_case_id(inv.flags.Get("case"));
  request.set_subject(inv.flags.Get("subject"));
  if (inv.flags.Has("at")) {
    if (!google::protobuf::util::TimeUtil::FromString(inv.flags.Get("at"),
                                                      request.mutable_scheduled_at())) {
      return UsageError(inv, absl::StrCat("flag --at: \"", inv.flags.Get("at"),
                                          "\" is not an RFC 3339 time, e.g. "
                                          "2026-03-03T14:00:00+01:00"));
    }
  }
  request.set_request_id(RequestIdOrNew(inv));
  return ConferenceCall(inv, request, &Stub::Convene, PrintConferenceResponse);
}

int Invite(const Invocation& inv) {
  v1::InviteRequest request;
  request.set_conference_id(inv.flags.Get("conference"));
  request.mutable_invitation()->set_party_oin(inv.flags.Get("party"));
  request.mutable_invitation()->set_necessity_reason(inv.flags.Get("reason"));
  return ConferenceCall(inv, request, &Stub::Invite, PrintConferenceResponse);
}

int ClientInvitation(const Invocation& inv) {
  if (inv.flags.Has("invited") == inv.flags.Has("not-invited")) {
    return UsageError(inv, "give exactly one of --invited and --not-invited");
  }
  if (inv.flags.Has("not-invited") && !inv.flags.Has("weighty-interests")) {
    return UsageError(inv, "--not-invited needs --weighty-interests (R23)");
  }
  v1::SetClientInvitationRequest request;
  request.set_conference_id(inv.flags.Get("conference"));
  request.set_invited(inv.flags.Has("invited"));
  request.set_weighty_interests(inv.flags.Get("weighty-interests"));
  return ConferenceCall(inv, request, &Stub::SetClientInvitation, PrintConferenceResponse);
}

int ShareItem(const Invocation& inv) {
  if (inv.flags.Has("content") == inv.flags.Has("content-file")) {
    return UsageError(inv, "give exactly one of --content and --content-file");
  }
  v1::ShareItemRequest request;
  request.set_conference_id(inv.flags.Get("conference"));
  v1::ConferenceItem& item = *request.mutable_item();
  for (const std::string& oin : inv.flags.GetAll("audience")) item.add_audience_oins(oin);
  item.set_title(inv.flags.Get("title"));
  if (inv.flags.Has("content-file")) {
    absl::StatusOr<std::string> content =
        base::ReadPublicFile(inv.flags.Get("content-file"), "--content-file");
    WAMS_CTL_USAGE_IF_ERROR(inv, content.status());
    item.set_content(*std::move(content));
  } else {
    item.set_content(inv.flags.Get("content"));
  }
  item.set_content_type(inv.flags.Has("content-type") ? inv.flags.Get("content-type")
                                                      : "text/plain");
  for (const std::string& category : inv.flags.GetAll("category")) item.add_categories(category);
  request.set_request_id(RequestIdOrNew(inv));
  return ConferenceCall(inv, request, &Stub::ShareItem, PrintShareItemResponse);
}

int Fetch(const Invocation& inv) {
  v1::FetchItemsRequest request;
  request.set_conference_id(inv.flags.Get("conference"));
  return ConferenceCall(inv, request, &Stub::FetchItems, PrintFetchItemsResponse);
}

int Assent(const Invocation& inv) {
  v1::AssentOnwardUseRequest request;
  request.set_conference_id(inv.flags.Get("conference"));
  request.set_item_id(inv.flags.Get("item"));
  request.set_party_oin(inv.flags.Get("party"));
  return ConferenceCall(inv, request, &Stub::AssentOnwardUse, PrintOnwardUseResponse);
}

int OnwardUse(const Invocation& inv) {
  v1::RequestOnwardUseRequest request;
  request.set_conference_id(inv.flags.Get("conference"));
  request.set_item_id(inv.flags.Get("item"));
  return ConferenceCall(inv, request, &Stub::RequestOnwardUse, PrintOnwardUseResponse);
}

}  // namespace

std::vector<Command> ConferenceCommands() {
  return {
      {.name = "conference convene",
       .summary = "convene a case conference (R22)",
       .flags =
           [](CLI::App& command) {
             Text(command, "case", "ID", "the case")->required();
             Text(command, "subject", "TEXT", "what it is about")->required();
             Text(command, "at", "TIME", "when, RFC 3339");
             RequestIdFlag(command);
           },
       .example = "wamsctl conference convene --case ID --subject \"Afstemming aanpak\" "
                  "--at 2026-03-03T14:00:00+01:00",
       .run = Convene},
      {.name = "conference invite",
       .summary = "invite a party, with why it is needed (R23)",
       .flags =
           [](CLI::App& command) {
             ConferenceFlag(command);
             Text(command, "party", "OIN", "the party")->required();
             Text(command, "reason", "TEXT", "why its participation is necessary")->required();
           },
       .example = "wamsctl conference invite --conference ID --party 00000003234567890000 "
                  "--reason \"treats the client\"",
       .run = Invite},
      {.name = "conference client-invitation",
       .summary = "invite the client, or record the weighty interests against it (R23)",
       .flags =
           [](CLI::App& command) {
             ConferenceFlag(command);
             Switch(command, "invited", "the client is invited");
             Switch(command, "not-invited", "the client is not invited");
             Text(command, "weighty-interests", "TEXT", "why not (with --not-invited)");
           },
       .example = "wamsctl conference client-invitation --conference ID --invited",
       .run = ClientInvitation},
      {.name = "conference share-item",
       .summary = "share an item with a named audience (R24, R25)",
       .flags =
           [](CLI::App& command) {
             ConferenceFlag(command);
             List(command, "audience", "OIN", "an invited participant it is for")->required();
             Text(command, "title", "TEXT", "a title")->required();
             Text(command, "content", "TEXT", "the content");
             Text(command, "content-file", "FILE", "the content, from a file");
             Text(command, "content-type", "TYPE", "default text/plain");
             List(command, "category", "NAME", "a data category the item holds");
             RequestIdFlag(command);
           },
       .example = "wamsctl conference share-item --conference ID --audience 00000003234567890000 "
                  "--title \"Afspraken\" --content \"...\"",
       .run = ShareItem},
      {.name = "conference fetch",
       .summary = "fetch the items addressed to you (R25)",
       .flags = ConferenceFlag,
       .example = "wamsctl conference fetch --conference ID",
       .run = Fetch},
      {.name = "conference assent",
       .summary = "as supplier, allow a party onward use of your item (R26)",
       .flags =
           [](CLI::App& command) {
             ConferenceFlag(command);
             ItemFlag(command);
             Text(command, "party", "OIN", "the party allowed")->required();
           },
       .example = "wamsctl conference assent --conference ID --item ITEM --party "
                  "00000003123456780000",
       .run = Assent},
      {.name = "conference onward-use",
       .summary = "ask to take an item into your own task (R26; exit 1 if not allowed)",
       .flags =
           [](CLI::App& command) {
             ConferenceFlag(command);
             ItemFlag(command);
           },
       .example = "wamsctl conference onward-use --conference ID --item ITEM",
       .run = OnwardUse},
  };
}

}  // namespace wams::ctl
