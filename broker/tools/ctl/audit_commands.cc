// The audit commands: disclosure (a client's overview, AVG art. 15), every
// page of it; erase (the privacy officer erases a person, AVG art. 17).
#include <ostream>
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

int Erase(const Invocation& inv) {
  v1::EraseSubjectRequest request;
  request.set_subject_bsn(inv.flags.Get("bsn"));
  absl::StatusOr<v1::ErasureBasis> basis =
      ParseEnum<v1::ErasureBasis>("basis", inv.flags.Get("basis"));
  WAMS_CTL_USAGE_IF_ERROR(inv, basis.status());
  request.set_basis(*basis);
  request.set_justification(inv.flags.Get("justification"));
  return Call<v1::EraseSubjectResponse>(
      inv,
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* context,
          v1::EraseSubjectResponse* response) {
        return v1::AuditService::NewStub(channel)->EraseSubject(context, request, response);
      },
      [](const v1::EraseSubjectResponse& r, std::ostream& out) {
        out << "erased: cases " << r.cases_removed() << ", family entries " << r.cases_stripped()
            << ", conference records " << r.conference_records_removed() << ", index entries "
            << r.index_entries_removed() << ", keys shredded " << r.keys_shredded() << "\n"
            << "receipt: leaf " << r.receipt().leaf_index() << " (" << r.receipt().receipt_id()
            << ")\n";
      });
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
      {.name = "erase",
       .summary = "erase what the broker holds about a person (AVG art. 17); privacy officer",
       .flags =
           [](CLI::App& command) {
             Text(command, "bsn", "BSN", "the person")->required();
             Text(command, "basis", "BASIS",
                  "the legal basis: data_subject_request (refused while a case is open), "
                  "unlawful_processing or legal_obligation")
                 ->required()
                 ->check(EnumName<v1::ErasureBasis>());
             Text(command, "justification", "TEXT",
                  "why, e.g. the request's reference (receipted as its hash)")
                 ->required();
           },
       .example = "wamsctl --professional fg-voorbeeldstad-1 erase --bsn 111222333 "
                  "--basis data_subject_request --justification \"Verzoek AVG-2026-0042\"",
       .run = Erase},
  };
}

}  // namespace wams::ctl
