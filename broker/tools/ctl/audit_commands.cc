// The audit commands: disclosure (a client's overview, AVG art. 15), every
// page of it.
#include <string>

#include "absl/strings/numbers.h"
#include "broker/tools/ctl/command.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::ctl {
namespace {

// Pages are followed to the end, but not forever: a broker that kept
// handing out tokens would be a broken one.
constexpr int kMaxPages = 100000;

int Disclosure(const Invocation& inv) {
  v1::DisclosureRequest request;
  request.set_subject_bsn(inv.flags.Get("bsn"));
  absl::StatusOr<v1::Language> language = ParseLanguage(inv.flags);
  WAMS_CTL_USAGE_IF_ERROR(inv, language.status());
  request.set_language(*language);
  if (inv.flags.Has("page-size")) {
    uint32_t page_size = 0;
    if (!absl::SimpleAtoi(inv.flags.Get("page-size"), &page_size) || page_size == 0) {
      return UsageError(inv, "--page-size: want a positive number");
    }
    request.set_page_size(page_size);
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(inv.connection);
  if (!channel.ok()) {
    inv.err << "wamsctl: " << channel.status().message() << "\n";
    return channel.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  std::unique_ptr<v1::AuditService::Stub> stub = v1::AuditService::NewStub(*channel);
  // The pages, joined: entries and notices in order, the documents one after
  // another (the broker numbers the entries on across pages).
  v1::DisclosureResponse all;
  for (int page = 0; page < kMaxPages; ++page) {
    grpc::ClientContext context;
    PrepareContext(inv.connection, &context);
    v1::DisclosureResponse response;
    grpc::Status status = stub->GetDisclosureOverview(&context, request, &response);
    if (!status.ok()) {
      ReportRpcError(status, inv.json, inv.out, inv.err);
      return kExitFailed;
    }
    all.mutable_entries()->MergeFrom(response.entries());
    all.mutable_withheld()->MergeFrom(response.withheld());
    all.mutable_document()->append(response.document());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (inv.json) {
    inv.out << ToJson(all) << "\n";
  } else {
    inv.out << all.document();
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> AuditCommands() {
  return {
      {.name = "disclosures",
       .summary = "a client's disclosure overview (AVG art. 15), every page; privacy officer",
       .flags =
           [](CLI::App& command) {
             Text(command, "bsn", "BSN", "the client")->required();
             Text(command, "lang", "LANG", "language of the overview: en or nl")
                 ->check(LanguageName());
             Text(command, "page-size", "N", "receipts a page (default 100, at most 1000)");
           },
       .example = "wamsctl --professional fg-voorbeeldstad-1 disclosures --bsn 111222333 --lang en",
       .run = Disclosure},
  };
}

}  // namespace wams::ctl
