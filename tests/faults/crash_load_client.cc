// crash_load_client: keeps N RequestData calls in flight against a broker
// over mTLS until killed, and prints every acknowledged request, so a crash
// test can check after a SIGKILL that each acknowledgement survived.
//
//   crash_load_client --pki DIR --port P --case CASE_ID --bsn BSN
//                     --target OIN=category [--target OIN=category ...]
//                     [--cert municipality] [--in-flight 8] [--prefix run1]
//
// One line per acknowledged request, flushed at once (a line on stdout means
// the client holds the broker's answer):
//   ACK <request_id> <transaction_id> <decision_leaf> <decision_sha256> <answer_leaf>
//   <answer_sha256>
// where each sha256 is the hex SHA-256 of the receipt's signed bytes. Request
// ids are "<prefix>-<worker>-<n>": unique as long as each run has its own
// prefix. A failed call prints "ERR <request_id> <grpc code> <message>" and its worker
// retries with a new id after 20 ms (the broker may be restarting). Workers
// alternate between the targets. The channel reconnects within a quarter
// second of the broker coming back, instead of gRPC's default backoff of up
// to two minutes.
#include <cstdio>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
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
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace {

namespace v1 = ::wams::broker::v1;

struct Target {
  std::string oin;
  std::string category;
};

struct Flags {
  std::string pki;
  std::string cert = "municipality";
  int port = 0;
  std::string case_id;
  std::string bsn;
  std::vector<Target> targets;
  int in_flight = 8;
  std::string prefix = "load";
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--pki") {
      flags->pki = value();
    } else if (arg == "--cert") {
      flags->cert = value();
    } else if (arg == "--port") {
      if (!absl::SimpleAtoi(value(), &flags->port)) return false;
    } else if (arg == "--case") {
      flags->case_id = value();
    } else if (arg == "--bsn") {
      flags->bsn = value();
    } else if (arg == "--target") {
      std::vector<std::string> parts = absl::StrSplit(value(), '=');
      if (parts.size() != 2) return false;
      flags->targets.push_back({parts[0], parts[1]});
    } else if (arg == "--in-flight") {
      if (!absl::SimpleAtoi(value(), &flags->in_flight) || flags->in_flight < 1) return false;
    } else if (arg == "--prefix") {
      flags->prefix = value();
    } else {
      return false;
    }
  }
  return !flags->pki.empty() && flags->port > 0 && !flags->case_id.empty() && !flags->bsn.empty() &&
         !flags->targets.empty();
}

std::shared_ptr<grpc::Channel> MakeChannel(const Flags& flags) {
  std::filesystem::path pki(flags.pki);
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = wams::testing::ReadFile(pki / "ca.crt");
  tls.pem_cert_chain = wams::testing::ReadFile(pki / (flags.cert + ".crt"));
  tls.pem_private_key = wams::testing::ReadFile(pki / (flags.cert + ".key"));
  // Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC also uses it as the connect
  // timeout, and a TLS handshake on a busy machine can take longer.
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

void RunWorker(const Flags& flags, v1::ExchangeService::Stub* stub, int worker) {
  for (uint64_t n = 0;; ++n) {
    const Target& target = flags.targets[(static_cast<size_t>(worker) + n) % flags.targets.size()];
    v1::DataRequest request;
    request.set_request_id(absl::StrCat(flags.prefix, "-", worker, "-", n));
    request.set_case_id(flags.case_id);
    request.set_subject_bsn(flags.bsn);
    request.set_provider_oin(target.oin);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    request.add_categories(target.category);
    request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata("x-wams-professional-id", "crash-load-client");
    v1::DataResponse response;
    // The callback API, waited for here: its calls are polled by gRPC's own
    // threads. A blocking call polls only while it runs, so a reconnect begun
    // by a call that failed fast would stall until its 20 s connect timeout.
    std::promise<grpc::Status> done;
    stub->async()->RequestData(&context, &request, &response,
                               [&done](grpc::Status status) { done.set_value(std::move(status)); });
    grpc::Status status = done.get_future().get();
    if (status.ok()) {
      Print(absl::StrCat("ACK ", request.request_id(), " ", response.transaction_id(), " ",
                         response.decision_receipt().leaf_index(), " ",
                         ReceiptHash(response.decision_receipt()), " ",
                         response.answer_receipt().leaf_index(), " ",
                         ReceiptHash(response.answer_receipt()), "\n"));
    } else {
      Print(absl::StrCat("ERR ", request.request_id(), " ", status.error_code(), " ",
                         status.error_message(), "\n"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    std::cerr << "usage: crash_load_client --pki DIR --port P --case CASE_ID --bsn BSN"
                 " --target OIN=category... [--cert NAME] [--in-flight N] [--prefix P]\n";
    return 2;
  }
  std::unique_ptr<v1::ExchangeService::Stub> stub =
      v1::ExchangeService::NewStub(MakeChannel(flags));
  std::vector<std::thread> workers;
  for (int worker = 0; worker < flags.in_flight; ++worker) {
    workers.emplace_back(RunWorker, std::cref(flags), stub.get(), worker);
  }
  for (std::thread& worker : workers) worker.join();  // never: runs until killed
  return 0;
}
