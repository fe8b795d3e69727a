// conference_load_client: keeps N workers changing cases and conferences
// against a broker over mTLS until killed, and prints every acknowledged
// change, so a crash test can check after a SIGKILL that each one survived
// with its receipt (issue 17: one atomic write per change).
//
//   conference_load_client --pki DIR --port P --bsn BSN --provider OIN=category
//                          [--in-flight 4] [--prefix run1]
//
// Each worker, over and over, as the municipality: opens a research case
// (the provider's domain in scope), convenes a conference on it, invites GGZ,
// shares an item with GGZ, and asks the provider for data on the case (which
// makes the provider an involved party, R21). One line per acknowledgement,
// flushed at once:
//   CONF <conference_id> <leaf> <sha256>
//   ITEM <conference_id> <item_id> <leaf> <sha256>
//   DATA <case_id> <decision_leaf> <decision_sha256>
// where sha256 is the hex SHA-256 of the receipt's signed bytes. A failed
// call prints "ERR <step> <grpc code> <message>"; the worker then starts
// over with new request ids after 20 ms (the broker may be restarting).
#include <cstdio>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/ledger/crypto/sha256.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace {

namespace v1 = ::wams::broker::v1;

constexpr char kGgzOin[] = "00000003234567890000";

struct Flags {
  std::string pki;
  int port = 0;
  std::string bsn;
  std::string provider_oin;
  std::string category;
  int in_flight = 4;
  std::string prefix = "load";
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--pki") {
      flags->pki = value();
    } else if (arg == "--port") {
      if (!absl::SimpleAtoi(value(), &flags->port)) return false;
    } else if (arg == "--bsn") {
      flags->bsn = value();
    } else if (arg == "--provider") {
      std::vector<std::string> parts = absl::StrSplit(value(), '=');
      if (parts.size() != 2) return false;
      flags->provider_oin = parts[0];
      flags->category = parts[1];
    } else if (arg == "--in-flight") {
      if (!absl::SimpleAtoi(value(), &flags->in_flight) || flags->in_flight < 1) return false;
    } else if (arg == "--prefix") {
      flags->prefix = value();
    } else {
      return false;
    }
  }
  return !flags->pki.empty() && flags->port > 0 && !flags->bsn.empty() &&
         !flags->provider_oin.empty();
}

std::shared_ptr<grpc::Channel> MakeChannel(const Flags& flags) {
  std::filesystem::path pki(flags.pki);
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = wams::testing::ReadFile(pki / "ca.crt");
  tls.pem_cert_chain = wams::testing::ReadFile(pki / "municipality.crt");
  tls.pem_private_key = wams::testing::ReadFile(pki / "municipality.key");
  // Reconnect within a quarter second of a restart (see crash_load_client).
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 250);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", flags.port),
                                   grpc::SslCredentials(tls), args);
}

std::string ReceiptHash(const v1::SignedReceipt& receipt) {
  return wams::ledger::DigestHex(wams::ledger::Sha256(receipt.receipt_bytes()));
}

std::mutex output_mu;

void Print(const std::string& line) {
  std::lock_guard<std::mutex> lock(output_mu);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

// One call through the callback API, waited for here (see crash_load_client:
// a blocking call would stall a reconnect). Prints ERR and returns false
// when it fails.
template <typename Request, typename Response, typename Start>
bool Call(std::string_view step, const Start& start, const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
  std::promise<grpc::Status> done;
  start(&context, &request, response,
        [&done](grpc::Status status) { done.set_value(std::move(status)); });
  grpc::Status status = done.get_future().get();
  if (status.ok()) return true;
  Print(absl::StrCat("ERR ", absl::string_view(step.data(), step.size()), " ",
                     static_cast<int>(status.error_code()), " ", status.error_message(), "\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return false;
}

struct Stubs {
  std::unique_ptr<v1::CaseService::Stub> cases;
  std::unique_ptr<v1::ConferenceService::Stub> conferences;
  std::unique_ptr<v1::ExchangeService::Stub> exchange;
};

// One round of a worker: a case, a conference, an item, a data request.
void RunOnce(const Flags& flags, const Stubs& stubs, const std::string& id) {
  v1::OpenClientCaseRequest open;
  open.set_request_id(id + "-open");
  open.set_client_bsn(flags.bsn);
  open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  open.add_social_laws(v1::SOCIAL_LAW_JEUGDWET);
  open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
  open.mutable_scope()->add_domains_in(v1::DOMAIN_WELFARE);
  v1::CaseResponse opened;
  auto* cases = stubs.cases->async();
  if (!Call(
          "open", [&](auto... args) { cases->OpenClientCase(args...); }, open, &opened)) {
    return;
  }
  const std::string& case_id = opened.case_().case_id();

  auto* conferences = stubs.conferences->async();
  v1::ConveneRequest convene;
  convene.set_request_id(id + "-convene");
  convene.set_case_id(case_id);
  convene.set_subject("Afstemming van de hulp");
  v1::ConferenceResponse convened;
  if (!Call(
          "convene", [&](auto... args) { conferences->Convene(args...); }, convene, &convened)) {
    return;
  }
  const std::string& conference_id = convened.conference().conference_id();
  Print(absl::StrCat("CONF ", conference_id, " ", convened.receipt().leaf_index(), " ",
                     ReceiptHash(convened.receipt()), "\n"));

  v1::InviteRequest invite;
  invite.set_conference_id(conference_id);
  invite.mutable_invitation()->set_party_oin(kGgzOin);
  invite.mutable_invitation()->set_necessity_reason("Behandelt de client.");
  v1::ConferenceResponse invited;
  if (!Call(
          "invite", [&](auto... args) { conferences->Invite(args...); }, invite, &invited)) {
    return;
  }

  v1::ShareItemRequest share;
  share.set_request_id(id + "-share");
  share.set_conference_id(conference_id);
  share.mutable_item()->set_title("Afspraken");
  share.mutable_item()->set_content(absl::StrCat("Afspraken van overleg ", id, "."));
  share.mutable_item()->add_audience_oins(kGgzOin);
  v1::ShareItemResponse shared;
  if (!Call(
          "share", [&](auto... args) { conferences->ShareItem(args...); }, share, &shared)) {
    return;
  }
  Print(absl::StrCat("ITEM ", conference_id, " ", shared.item_id(), " ",
                     shared.receipt().leaf_index(), " ", ReceiptHash(shared.receipt()), "\n"));

  v1::DataRequest request;
  request.set_request_id(id + "-data");
  request.set_case_id(case_id);
  request.set_subject_bsn(flags.bsn);
  request.set_provider_oin(flags.provider_oin);
  request.set_purpose(v1::PURPOSE_RESEARCH);
  request.add_categories(flags.category);
  request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
  v1::DataResponse answered;
  auto* exchange = stubs.exchange->async();
  if (!Call(
          "data", [&](auto... args) { exchange->RequestData(args...); }, request, &answered)) {
    return;
  }
  Print(absl::StrCat("DATA ", case_id, " ", answered.decision_receipt().leaf_index(), " ",
                     ReceiptHash(answered.decision_receipt()), "\n"));
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    std::cerr << "usage: conference_load_client --pki DIR --port P --bsn BSN"
                 " --provider OIN=category [--in-flight N] [--prefix P]\n";
    return 2;
  }
  std::shared_ptr<grpc::Channel> channel = MakeChannel(flags);
  Stubs stubs{v1::CaseService::NewStub(channel), v1::ConferenceService::NewStub(channel),
              v1::ExchangeService::NewStub(channel)};
  std::vector<std::thread> workers;
  for (int worker = 0; worker < flags.in_flight; ++worker) {
    workers.emplace_back([&flags, &stubs, worker] {
      for (uint64_t n = 0;; ++n)
        RunOnce(flags, stubs, absl::StrCat(flags.prefix, "-", worker, "-", n));
    });
  }
  for (std::thread& worker : workers) worker.join();  // never: runs until killed
  return 0;
}
