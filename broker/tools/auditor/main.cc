// wams-audit: offline checks of a Wams Broker receipt-log export, the
// Logboek Dataverwerkingen export, and the online commands against a running
// broker (online.h).
//
//   wams-audit verify [--threads N] [--witness-key FILE]... [--min-witnesses N] DIR
//   wams-audit consistency [--threads N] [--keys FILE] OLD NEW
//   wams-audit report [--case ID | --from DATE --to DATE] [--config F] --out FILE.html DIR
//   wams-audit ldv-export --config BROKER_CONFIG [--out FILE] DIR
//   wams-audit fetch | monitor | witness | inclusion | witness-key ...
//   wams-audit witness-serve --listen HOST:PORT --tls-cert F --tls-key F
//              --witness-name NAME --witness-key FILE --log-keys FILE --state-dir DIR
//   wams-audit --help | --version;  COMMAND --help
//
// --json (anywhere) prints each command's result as one JSON object on
// stdout, a failure too. Exit 0: verified (done). Exit 1: verification
// failed (the first bad receipt index is named when there is one) or the
// broker could not be asked. Exit 2: usage error. The command line is
// CLI11's (broker/base/cli/command_line.h). The format and the checks are
// described in broker/tools/README.md.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "broker/base/cli/command_line.h"
#include "broker/base/logging/log.h"
#include "broker/base/secret_file.h"
#include "broker/base/stop_signals.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/note/note.h"
#include "broker/tools/auditor/export_verifier.h"
#include "broker/tools/auditor/ldv_export.h"
#include "broker/tools/auditor/online.h"
#include "broker/tools/auditor/report.h"
#include "broker/tools/auditor/witness_check.h"
#include "broker/tools/auditor/witness_server.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace {

constexpr int kExitFailed = 1;

constexpr char kExitCodes[] =
    "Exit codes: 0 verified (or done), 1 verification failed or the broker could not be\n"
    "asked (ALARM: a fork, rollback or rewrite), 2 bad command line.\n"
    "CONN (online commands): --broker HOST:PORT --cert FILE --key FILE --ca FILE\n"
    "[--professional ID], or WAMS_BROKER, WAMS_CERT, WAMS_KEY, WAMS_CA, WAMS_PROFESSIONAL_ID.";

std::string Str(absl::string_view s) { return std::string(s.data(), s.size()); }

// One command's result: printed as text, or with --json as one JSON object
// (protobuf's printer escapes every string).
class Result {
 public:
  explicit Result(bool json) : json_(json) {}
  void Set(const std::string& key, const std::string& text) {
    (*object_.mutable_fields())[key].set_string_value(text);
  }
  void Set(const std::string& key, uint64_t number) {
    (*object_.mutable_fields())[key].set_number_value(static_cast<double>(number));
  }
  void SetDouble(const std::string& key, double number) {
    (*object_.mutable_fields())[key].set_number_value(number);
  }
  void SetBool(const std::string& key, bool value) {
    (*object_.mutable_fields())[key].set_bool_value(value);
  }
  void Add(const std::string& key, const std::string& text) {
    (*object_.mutable_fields())[key].mutable_list_value()->add_values()->set_string_value(text);
  }
  void Merge(const google::protobuf::Struct& fields) {
    for (const auto& [key, value] : fields.fields()) (*object_.mutable_fields())[key] = value;
  }
  void SetObject(const std::string& key, const Result& inner) {
    *(*object_.mutable_fields())[key].mutable_struct_value() = inner.object_;
  }
  bool json() const { return json_; }
  // Prints the JSON object (with --json); returns `code`.
  int Done(int code) const {
    if (json_) {
      std::string text;
      // A Struct of strings, numbers and booleans always prints.
      static_cast<void>(google::protobuf::util::MessageToJsonString(object_, &text));
      std::printf("%s\n", text.c_str());
    }
    return code;
  }

 private:
  bool json_;
  google::protobuf::Struct object_;
};

void PutCheckpoint(Result& result, const wams::ledger::CheckpointBody& cp) {
  result.Set("origin", cp.origin);
  result.Set("tree_size", cp.tree_size);
  result.Set("root", wams::ledger::DigestHex(cp.root_hash));
}

void PrintCheckpoint(const char* label, const wams::ledger::CheckpointBody& cp) {
  std::printf("%sorigin: %s\n", label, cp.origin.c_str());
  std::printf("%stree size: %llu\n", label, static_cast<unsigned long long>(cp.tree_size));
  std::printf("%sroot: %s\n", label, wams::ledger::DigestHex(cp.root_hash).c_str());
}

int Fail(Result& result, const absl::Status& status, const std::optional<uint64_t>& bad) {
  result.SetBool("ok", false);
  result.Set("error", Str(status.message()));
  if (bad.has_value()) result.Set("first_bad_index", *bad);
  if (!result.json()) {
    std::fprintf(stderr, "FAILED: %s\n", Str(status.message()).c_str());
    if (bad.has_value()) {
      std::fprintf(stderr, "first bad index: %llu\n", static_cast<unsigned long long>(*bad));
    }
  }
  return result.Done(kExitFailed);
}

// The witnesses named by --witness-key (repeatable) and --min-witnesses.
struct WitnessFlags {
  std::vector<std::string> key_files;
  uint64_t min_witnesses = 0;
};

void AddWitnessOptions(CLI::App& command, std::vector<std::string>& key_files,
                       uint64_t& min_witnesses) {
  command
      .add_option("--witness-key", key_files,
                  "a trusted witness's verifier key file, as `witness-key` prints it (repeatable)")
      ->option_text("FILE");
  command
      .add_option("--min-witnesses", min_witnesses,
                  "valid cosignatures by those witnesses the checkpoint needs (default 0)")
      ->option_text("N");
}

// OK, or what the checkpoint file in `dir` lacks in witness cosignatures;
// the findings go into `result` (JSON) and `check`.
absl::Status CheckExportWitnesses(const std::string& dir, const WitnessFlags& flags, Result& result,
                                  wams::auditor::WitnessCheck& check) {
  if (flags.key_files.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<wams::auditor::TrustedWitness>> trusted =
      wams::auditor::LoadWitnessKeys(flags.key_files);
  if (!trusted.ok()) return trusted.status();
  absl::StatusOr<std::string> note =
      wams::ledger_export::ReadSmallFile(dir + "/" + wams::ledger_export::kCheckpointFile);
  if (!note.ok()) return note.status();
  check = wams::auditor::CheckWitnesses(*note, *trusted, flags.min_witnesses);
  result.Set("min_witnesses", check.required);
  for (const std::string& name : check.valid) result.Add("witnesses_valid", name);
  for (const std::string& name : check.missing) result.Add("witnesses_missing", name);
  for (const std::string& name : check.bad) result.Add("witnesses_bad", name);
  if (!check.ok()) return absl::FailedPreconditionError(check.Message());
  return absl::OkStatus();
}

int Verify(const std::string& dir, const wams::auditor::VerifyOptions& options,
           const WitnessFlags& witnesses, Result result) {
  wams::auditor::VerifyReport r = wams::auditor::VerifyExport(dir, options);
  result.Set("receipts_verified", r.receipts_verified);
  if (!r.status.ok()) {
    if (!result.json()) {
      std::fprintf(stderr, "receipts verified before the failure: %llu\n",
                   static_cast<unsigned long long>(r.receipts_verified));
    }
    return Fail(result, r.status, r.first_bad_index);
  }
  wams::auditor::WitnessCheck check;
  if (absl::Status cosigned = CheckExportWitnesses(dir, witnesses, result, check); !cosigned.ok()) {
    return Fail(result, cosigned, std::nullopt);
  }
  result.SetBool("ok", true);
  PutCheckpoint(result, r.checkpoint);
  for (const std::string& k : r.checkpoint_signed_by) result.Add("checkpoint_signed_by", k);
  Result by_key(true);
  for (const auto& [key, count] : r.receipts_by_key) by_key.Set(key, count);
  result.SetObject("receipts_by_key", by_key);
  result.SetDouble("seconds", r.seconds);
  if (result.json()) return result.Done(0);
  std::printf("OK\n");
  std::printf("receipts verified: %llu\n", static_cast<unsigned long long>(r.receipts_verified));
  PrintCheckpoint("", r.checkpoint);
  for (const std::string& k : r.checkpoint_signed_by) {
    std::printf("checkpoint signed by: %s\n", k.c_str());
  }
  for (const std::string& name : check.valid) {
    std::printf("cosigned by witness: %s\n", name.c_str());
  }
  for (const auto& [key, count] : r.receipts_by_key) {
    std::printf("receipts signed by %s: %llu\n", key.c_str(),
                static_cast<unsigned long long>(count));
  }
  std::printf("time: %.3f s (%.0f receipts/s)\n", r.seconds,
              r.seconds > 0 ? static_cast<double>(r.receipts_verified) / r.seconds : 0.0);
  return 0;
}

int Consistency(const std::string& old_path, const std::string& new_dir,
                const wams::auditor::VerifyOptions& options, Result result) {
  wams::auditor::ConsistencyReport r = wams::auditor::CheckConsistency(old_path, new_dir, options);
  if (!r.status.ok()) return Fail(result, r.status, r.first_bad_index);
  result.SetBool("ok", true);
  Result old_checkpoint(true), new_checkpoint(true);
  PutCheckpoint(old_checkpoint, r.old_checkpoint);
  PutCheckpoint(new_checkpoint, r.new_checkpoint);
  result.SetObject("old", old_checkpoint);
  result.SetObject("new", new_checkpoint);
  result.Set("new_receipts_verified", r.new_export.receipts_verified);
  for (const wams::ledger::Digest& h : r.proof) {
    result.Add("proof", wams::ledger::DigestHex(h));
  }
  if (result.json()) return result.Done(0);
  std::printf("OK: consistent\n");
  PrintCheckpoint("old ", r.old_checkpoint);
  PrintCheckpoint("new ", r.new_checkpoint);
  std::printf("new receipts verified: %llu\n",
              static_cast<unsigned long long>(r.new_export.receipts_verified));
  std::printf("consistency proof (%zu hashes):\n", r.proof.size());
  for (const wams::ledger::Digest& h : r.proof) {
    std::printf("  %s\n", wams::ledger::DigestHex(h).c_str());
  }
  return 0;
}

struct ReportFlags {
  std::string case_id, from, to, out, config, dir;
  int threads = 0;
};

int Report(const ReportFlags& flags, Result result) {
  wams::auditor::ReportOptions options;
  if (!flags.case_id.empty()) options.case_id = flags.case_id;
  if (flags.threads > 0) options.threads = flags.threads;
  for (const auto& [text, is_from] : {std::pair{&flags.from, true}, std::pair{&flags.to, false}}) {
    if (text->empty()) continue;
    absl::StatusOr<int64_t> day = wams::auditor::ParseReportDate(*text);
    if (!day.ok()) {
      std::fprintf(stderr, "wams-audit report: %s\n", Str(day.status().message()).c_str());
      return wams::cli::kExitUsage;
    }
    if (is_from) {
      options.from_unix = *day;
    } else {
      options.to_unix = *day + 86400;  // --to is inclusive
    }
  }
  if (!flags.config.empty()) {
    absl::StatusOr<std::map<std::string, std::string>> names =
        wams::auditor::PartyNamesFromConfig(flags.config);
    if (!names.ok()) return Fail(result, names.status(), std::nullopt);
    options.party_names = *std::move(names);
  }
  absl::StatusOr<wams::auditor::ReportResult> r = wams::auditor::BuildReport(flags.dir, options);
  if (!r.ok()) return Fail(result, r.status(), std::nullopt);
  std::FILE* f = std::fopen(flags.out.c_str(), "wb");
  if (f == nullptr || std::fwrite(r->html.data(), 1, r->html.size(), f) != r->html.size() ||
      std::fclose(f) != 0) {
    return Fail(result, absl::InternalError("cannot write " + flags.out), std::nullopt);
  }
  result.Set("report", flags.out);
  result.Set("receipts", r->receipts_in_report);
  result.SetBool("ok", r->verified);
  result.SetBool("verified", r->verified);
  if (r->first_bad_index.has_value()) result.Set("first_bad_index", *r->first_bad_index);
  if (result.json()) return result.Done(r->verified ? 0 : kExitFailed);
  std::printf("report: %s (%llu receipts)\n", flags.out.c_str(),
              static_cast<unsigned long long>(r->receipts_in_report));
  if (!r->verified) {
    std::fprintf(stderr, "NOT VERIFIED");
    if (r->first_bad_index.has_value()) {
      std::fprintf(stderr, ": first bad index: %llu",
                   static_cast<unsigned long long>(*r->first_bad_index));
    }
    std::fprintf(stderr, "\n");
    return kExitFailed;
  }
  std::printf("verified\n");
  return 0;
}

// LDV records, one JSON line each, to `out_path` (or stdout). The summary
// goes to stderr; with --json and --out, as the JSON object on stdout (on
// stdout without --out the records are the output, and nothing mixes in).
int LdvExport(const std::string& config, const std::string& out_path, const std::string& dir,
              Result result) {
  absl::StatusOr<wams::auditor::LdvRegister> reg = wams::auditor::LdvRegisterFromConfig(config);
  if (!reg.ok()) return Fail(result, reg.status(), std::nullopt);
  std::ofstream file;
  if (!out_path.empty()) {
    file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(result, absl::InternalError("cannot write " + out_path), std::nullopt);
  }
  std::ostream& out = out_path.empty() ? std::cout : file;
  absl::StatusOr<uint64_t> written = wams::auditor::WriteLdvRecords(dir, *reg, out);
  if (!written.ok()) return Fail(result, written.status(), std::nullopt);
  out.flush();
  if (!out) return Fail(result, absl::InternalError("cannot write the records"), std::nullopt);
  result.SetBool("ok", true);
  result.Set("records", *written);
  if (!out_path.empty()) result.Set("out", out_path);
  // On stdout the records are the output; the summary must not mix in.
  if (result.json() && !out_path.empty()) return result.Done(0);
  std::fprintf(stderr, "ldv-export: %llu records%s%s\n", static_cast<unsigned long long>(*written),
               out_path.empty() ? "" : " to ", out_path.c_str());
  return 0;
}

// The online commands' connection flags, with their environment variables.
void AddConnection(CLI::App& command, wams::auditor::OnlineFlags& flags) {
  command.add_option("--broker", flags.broker, "broker address (default 127.0.0.1:7443)")
      ->option_text("HOST:PORT")
      ->envname("WAMS_BROKER");
  command.add_option("--cert", flags.cert_file, "your PEM certificate")
      ->option_text("FILE")
      ->envname("WAMS_CERT");
  command.add_option("--key", flags.key_file, "your PEM private key")
      ->option_text("FILE")
      ->envname("WAMS_KEY");
  command.add_option("--ca", flags.ca_file, "the CA bundle to trust")
      ->option_text("FILE")
      ->envname("WAMS_CA");
  command.add_option("--professional", flags.professional_id, "acting professional's id")
      ->option_text("ID")
      ->envname("WAMS_PROFESSIONAL_ID");
}

void AddThreads(CLI::App& command, int& threads) {
  command.add_option("--threads", threads, "verifying threads")
      ->option_text("N")
      ->check(CLI::Range(1, 256));
}

// The online commands fill a result, printed as their text lines or, with
// --json, as the JSON object (online_result.h).
int RunOnlineCommand(const std::string& command, const wams::auditor::OnlineFlags& flags,
                     Result result) {
  const wams::auditor::OnlineResult found = wams::auditor::RunOnline(command, flags);
  if (!result.json()) return wams::auditor::PrintOnlineText(found, std::cout, std::cerr);
  result.Merge(wams::auditor::OnlineResultJson(found));
  return result.Done(found.exit_code());
}

// The witness-serve command's flags.
struct ServeFlags {
  std::string listen = "127.0.0.1:0";
  std::string tls_cert, tls_key, witness_name, witness_key, log_keys, state_dir;
};

// Serves C2SP tlog-witness add-checkpoint over HTTPS until SIGTERM/SIGINT.
// Prints "listening on HOST:PORT" once it accepts requests.
int WitnessServe(const ServeFlags& flags) {
  wams::base::StopSignals stop;  // before the server's threads
  auto fail = [](const absl::Status& status) {
    std::fprintf(stderr, "wams-audit witness-serve: %s\n", status.ToString().c_str());
    return 1;
  };
  const size_t colon = flags.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(flags.listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    std::fprintf(stderr, "wams-audit: --listen wants HOST:PORT\n");
    return wams::cli::kExitUsage;
  }
  absl::StatusOr<std::string> pem = wams::base::ReadPrivateFile(flags.witness_key, "--witness-key");
  if (!pem.ok()) return fail(pem.status());
  absl::StatusOr<wams::ledger::Ed25519PrivateKey> key =
      wams::ledger::Ed25519PrivateKey::FromPem(*pem);
  if (!key.ok()) return fail(key.status());
  absl::StatusOr<std::string> log_keys = wams::ledger_export::ReadSmallFile(flags.log_keys);
  if (!log_keys.ok()) return fail(log_keys.status());
  absl::StatusOr<std::unique_ptr<wams::auditor::Witness>> witness =
      wams::auditor::Witness::Create({.name = flags.witness_name,
                                      .key = *std::move(key),
                                      .log_keys = *std::move(log_keys),
                                      .state_dir = flags.state_dir});
  if (!witness.ok()) return fail(witness.status());
  const std::string host = flags.listen.substr(0, colon);
  absl::StatusOr<std::unique_ptr<wams::auditor::WitnessServer>> server =
      wams::auditor::WitnessServer::Start(**witness, host, port, flags.tls_cert, flags.tls_key);
  if (!server.ok()) return fail(server.status());
  std::printf("listening on %s:%d\n", host.c_str(), (*server)->port());
  std::fflush(stdout);
  stop.Wait();
  (*server)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "Checks a Wams Broker receipt log: offline on an export directory, or online against a\n"
      "running broker's AuditService; writes Logboek Dataverwerkingen records.",
      "wams-audit");
  wams::cli::AddVersionFlag(app);
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.fallthrough();
  bool json = false;
  app.add_flag("--json", json, "print the result as one JSON object on stdout (a failure too)");

  wams::auditor::VerifyOptions verify_options;
  int threads = 0;
  std::string dir;
  CLI::App* verify = app.add_subcommand("verify", "verify an export directory offline");
  AddThreads(*verify, threads);
  WitnessFlags verify_witnesses;
  AddWitnessOptions(*verify, verify_witnesses.key_files, verify_witnesses.min_witnesses);
  verify->add_option("DIR", dir, "the export directory")->required();

  std::string keys_path;
  std::vector<std::string> old_new;
  CLI::App* consistency = app.add_subcommand(
      "consistency",
      "check that the checkpoint OLD (an export or a checkpoint file) is a prefix "
      "of the export NEW");
  AddThreads(*consistency, threads);
  consistency->add_option("--keys", keys_path, "verifier keys (default NEW/keys)")
      ->option_text("FILE");
  consistency->add_option("OLD NEW", old_new, "the old checkpoint and the new export")
      ->required()
      ->expected(2);

  ReportFlags report_flags;
  CLI::App* report = app.add_subcommand(
      "report", "write a self-contained HTML audit report (verified first; exit 1 if it fails)");
  report->add_option("--case", report_flags.case_id, "a case timeline")->option_text("ID");
  report->add_option("--from", report_flags.from, "first day, inclusive, UTC")
      ->option_text("YYYY-MM-DD");
  report->add_option("--to", report_flags.to, "last day, inclusive, UTC")
      ->option_text("YYYY-MM-DD");
  report->add_option("--config", report_flags.config, "the BrokerConfig, for party names")
      ->option_text("BROKER_CONFIG");
  report->add_option("--out", report_flags.out, "the report")->option_text("FILE.html")->required();
  AddThreads(*report, report_flags.threads);
  report->add_option("DIR", report_flags.dir, "the export directory")->required();

  std::string ldv_config, ldv_out;
  CLI::App* ldv = app.add_subcommand(
      "ldv-export",
      "write Logboek Dataverwerkingen records (JSON lines) of a verified export directory");
  ldv->add_option("--config", ldv_config, "the BrokerConfig with processing_register")
      ->option_text("BROKER_CONFIG")
      ->required();
  ldv->add_option("--out", ldv_out, "where to write the records (default: stdout)")
      ->option_text("FILE");
  ldv->add_option("DIR", dir, "the export directory")->required();

  wams::auditor::OnlineFlags online;
  online.broker = "127.0.0.1:7443";
  CLI::App* fetch = app.add_subcommand(
      "fetch", "export the log of a running broker into DIR (then: wams-audit verify DIR)");
  AddConnection(*fetch, online);
  CLI::Option* fetch_from = fetch->add_option(
      "--from", online.from_index,
      "continue the earlier fetch in DIR, whose checkpoint has size N: only receipts "
      "from N on are fetched, and the new checkpoint must extend the old one");
  fetch_from->option_text("N");
  fetch
      ->add_option("--tree-size", online.tree_size,
                   "end at the broker's stored checkpoint of this size, with its cosignatures "
                   "(default: a fresh checkpoint)")
      ->option_text("N");
  fetch->add_option("DIR", online.positional, "where to write the export")->required()->expected(1);
  CLI::App* monitor = app.add_subcommand(
      "monitor",
      "fetch and verify the newest checkpoint, check it extends the saved one, then save it");
  CLI::App* witness = app.add_subcommand(
      "witness", "as monitor, then cosign the checkpoint and hand the cosignature to the broker");
  for (CLI::App* command : {monitor, witness}) {
    AddConnection(*command, online);
    command->add_option("--keys", online.keys_file, "the log's trusted verifier keys")
        ->option_text("FILE")
        ->required();
    command->add_option("--state", online.state_file, "the saved checkpoint")
        ->option_text("FILE")
        ->required();
    command->add_flag("--quick", online.quick, "check the checkpoint's signature only");
  }
  CLI::App* witness_key = app.add_subcommand(
      "witness-key", "print the witness's verifier key for the broker's config (witnesses)");
  for (CLI::App* command : {witness, witness_key}) {
    command->add_option("--witness-name", online.witness_name, "the witness's name")
        ->option_text("NAME")
        ->required();
    command->add_option("--witness-key", online.witness_key_file, "its Ed25519 private key")
        ->option_text("FILE")
        ->required();
  }
  CLI::App* inclusion = app.add_subcommand(
      "inclusion", "prove a receipt (SignedReceipt JSON, or a receipts.jsonl line) is in the log");
  AddConnection(*inclusion, online);
  inclusion->add_option("--keys", online.keys_file, "the log's trusted verifier keys")
      ->option_text("FILE")
      ->required();
  inclusion->add_option("RECEIPT_FILE", online.positional, "the receipt")->required()->expected(1);
  for (CLI::App* command : {monitor, inclusion}) {
    AddWitnessOptions(*command, online.trusted_witness_files, online.min_witnesses);
  }

  ServeFlags serve;
  CLI::App* witness_serve = app.add_subcommand(
      "witness-serve",
      "be a C2SP tlog-witness over HTTPS: cosign checkpoints the broker pushes, when consistent");
  witness_serve->add_option("--listen", serve.listen, "address (port 0: any; default 127.0.0.1:0)")
      ->option_text("HOST:PORT");
  witness_serve->add_option("--tls-cert", serve.tls_cert, "the server certificate (PEM)")
      ->option_text("FILE")
      ->required();
  witness_serve->add_option("--tls-key", serve.tls_key, "its private key (PEM, 0600)")
      ->option_text("FILE")
      ->required();
  witness_serve->add_option("--witness-name", serve.witness_name, "the witness's name")
      ->option_text("NAME")
      ->required();
  witness_serve->add_option("--witness-key", serve.witness_key, "its Ed25519 private key")
      ->option_text("FILE")
      ->required();
  witness_serve
      ->add_option("--log-keys", serve.log_keys,
                   "the known logs' verifier keys, one per line (an export's keys file)")
      ->option_text("FILE")
      ->required();
  witness_serve->add_option("--state-dir", serve.state_dir, "where it keeps each log's size")
      ->option_text("DIR")
      ->required();

  if (std::optional<int> done = wams::cli::Parse(app, argc, argv)) return *done;
  if (witness_serve->parsed()) return WitnessServe(serve);
  online.continue_fetch = fetch_from->count() > 0;
  for (const auto& [files, min] :
       {std::pair{&verify_witnesses.key_files, verify_witnesses.min_witnesses},
        std::pair{&online.trusted_witness_files, online.min_witnesses}}) {
    if (min > files->size()) {
      std::fprintf(stderr, "wams-audit: --min-witnesses %llu needs as many --witness-key files\n",
                   static_cast<unsigned long long>(min));
      return wams::cli::kExitUsage;
    }
  }
  if (threads > 0) verify_options.threads = threads;
  Result result(json);
  result.Set("command", app.get_subcommands().front()->get_name());

  if (verify->parsed()) return Verify(dir, verify_options, verify_witnesses, result);
  if (consistency->parsed()) {
    std::optional<wams::ledger_export::KeyRing> ring;
    if (!keys_path.empty()) {
      absl::StatusOr<std::string> text = wams::ledger_export::ReadSmallFile(keys_path);
      if (!text.ok()) return Fail(result, text.status(), std::nullopt);
      absl::StatusOr<wams::ledger_export::KeyRing> parsed =
          wams::ledger_export::KeyRing::Parse(*text);
      if (!parsed.ok()) return Fail(result, parsed.status(), std::nullopt);
      ring = *std::move(parsed);
      verify_options.keys = &*ring;
    }
    return Consistency(old_new[0], old_new[1], verify_options, result);
  }
  if (report->parsed()) return Report(report_flags, result);
  if (ldv->parsed()) return LdvExport(ldv_config, ldv_out, dir, result);
  return RunOnlineCommand(app.get_subcommands().front()->get_name(), online, result);
}
