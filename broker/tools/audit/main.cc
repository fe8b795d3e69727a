// wams-audit: offline checks of a Wams Broker receipt-log export, and the
// online commands against a running broker (online.h).
//
//   wams-audit verify [--threads N] DIR
//   wams-audit consistency [--threads N] [--keys FILE] OLD NEW
//   wams-audit report [--case ID | --from DATE --to DATE] [--config F] --out FILE.html DIR
//   wams-audit fetch | monitor | witness | inclusion | witness-key ...
//
// Exit 0: verified. Exit 1: verification failed (the first bad receipt
// index is named when there is one). Exit 2: usage error.
// The format and the checks are described in broker/tools/README.md.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/note/note.h"
#include "broker/tools/audit/export_verifier.h"
#include "broker/tools/audit/online.h"
#include "broker/tools/audit/report.h"

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  wams-audit verify [--threads N] DIR\n"
    "      Verify an export directory (checkpoint, receipts.jsonl, keys) offline.\n"
    "  wams-audit consistency [--threads N] [--keys FILE] OLD NEW\n"
    "      Check that the checkpoint OLD (an export directory or a checkpoint file)\n"
    "      is a prefix of the export directory NEW. Keys: FILE, else NEW/keys.\n"
    "  wams-audit report [--case ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
    "                    [--config BROKER_CONFIG] --out FILE.html DIR\n"
    "      Write a self-contained HTML audit report: a case timeline (--case) or a\n"
    "      period report with charts (--from/--to inclusive, UTC; default whole log).\n"
    "      The export is verified first; exit 1 (report still written) if it fails.\n"
    "Exit status: 0 verified, 1 verification failed, 2 usage error.\n"
    "Online commands (against a running broker's AuditService):\n";

int Usage(const char* error) {
  if (error != nullptr) std::fprintf(stderr, "wams-audit: %s\n", error);
  std::fputs(kUsage, stderr);
  std::fputs(wams::audit::kOnlineUsage, stderr);
  return 2;
}

std::string Str(absl::string_view s) { return std::string(s.data(), s.size()); }

void PrintCheckpoint(const char* label, const wams::ledger::CheckpointBody& cp) {
  std::printf("%sorigin: %s\n", label, cp.origin.c_str());
  std::printf("%stree size: %llu\n", label, static_cast<unsigned long long>(cp.tree_size));
  std::printf("%sroot: %s\n", label, wams::ledger::DigestHex(cp.root_hash).c_str());
}

int Fail(const absl::Status& status, const std::optional<uint64_t>& bad) {
  std::fprintf(stderr, "FAILED: %s\n", Str(status.message()).c_str());
  if (bad.has_value()) {
    std::fprintf(stderr, "first bad index: %llu\n", static_cast<unsigned long long>(*bad));
  }
  return 1;
}

int Verify(const std::string& dir, const wams::audit::VerifyOptions& options) {
  wams::audit::VerifyReport r = wams::audit::VerifyExport(dir, options);
  if (!r.status.ok()) {
    std::fprintf(stderr, "receipts verified before the failure: %llu\n",
                 static_cast<unsigned long long>(r.receipts_verified));
    return Fail(r.status, r.first_bad_index);
  }
  std::printf("OK\n");
  std::printf("receipts verified: %llu\n", static_cast<unsigned long long>(r.receipts_verified));
  PrintCheckpoint("", r.checkpoint);
  for (const std::string& k : r.checkpoint_signed_by) {
    std::printf("checkpoint signed by: %s\n", k.c_str());
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
                const wams::audit::VerifyOptions& options) {
  wams::audit::ConsistencyReport r = wams::audit::CheckConsistency(old_path, new_dir, options);
  if (!r.status.ok()) return Fail(r.status, r.first_bad_index);
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

int Report(const std::vector<std::string>& args) {
  wams::audit::ReportOptions options;
  std::string out, config;
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--case" && has_value) {
      options.case_id = args[++i];
    } else if ((a == "--from" || a == "--to") && has_value) {
      absl::StatusOr<int64_t> day = wams::audit::ParseReportDate(args[++i]);
      if (!day.ok()) return Usage(Str(day.status().message()).c_str());
      if (a == "--from") {
        options.from_unix = *day;
      } else {
        options.to_unix = *day + 86400;  // --to is inclusive
      }
    } else if (a == "--out" && has_value) {
      out = args[++i];
    } else if (a == "--config" && has_value) {
      config = args[++i];
    } else if (a == "--threads" && has_value) {
      char* end = nullptr;
      long n = std::strtol(args[++i].c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 256) return Usage("--threads wants a number 1..256");
      options.threads = static_cast<int>(n);
    } else if (!a.empty() && a[0] == '-') {
      return Usage(("unknown or incomplete option " + a).c_str());
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 1) return Usage("report wants one export directory");
  if (out.empty()) return Usage("report wants --out FILE.html");
  if (!config.empty()) {
    absl::StatusOr<std::map<std::string, std::string>> names =
        wams::audit::PartyNamesFromConfig(config);
    if (!names.ok()) return Fail(names.status(), std::nullopt);
    options.party_names = *std::move(names);
  }
  absl::StatusOr<wams::audit::ReportResult> r = wams::audit::BuildReport(positional[0], options);
  if (!r.ok()) return Fail(r.status(), std::nullopt);
  std::FILE* f = std::fopen(out.c_str(), "wb");
  if (f == nullptr || std::fwrite(r->html.data(), 1, r->html.size(), f) != r->html.size() ||
      std::fclose(f) != 0) {
    std::fprintf(stderr, "FAILED: cannot write %s\n", out.c_str());
    return 1;
  }
  std::printf("report: %s (%llu receipts)\n", out.c_str(),
              static_cast<unsigned long long>(r->receipts_in_report));
  if (!r->verified) {
    std::fprintf(stderr, "NOT VERIFIED");
    if (r->first_bad_index.has_value()) {
      std::fprintf(stderr, ": first bad index: %llu",
                   static_cast<unsigned long long>(*r->first_bad_index));
    }
    std::fprintf(stderr, "\n");
    return 1;
  }
  std::printf("verified\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(kUsage, stdout);
    std::fputs(wams::audit::kOnlineUsage, stdout);
    return 0;
  }
  if (args.empty()) return Usage(nullptr);
  const std::string command = args[0];
  if (wams::audit::IsOnlineCommand(command)) {
    return wams::audit::RunOnline(command, std::vector<std::string>(args.begin() + 1, args.end()),
                                  std::cout, std::cerr);
  }
  if (command == "report") {
    return Report(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  wams::audit::VerifyOptions options;
  std::string keys_path;
  std::vector<std::string> positional;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--threads" && i + 1 < args.size()) {
      char* end = nullptr;
      long n = std::strtol(args[++i].c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 256) return Usage("--threads wants a number 1..256");
      options.threads = static_cast<int>(n);
    } else if (a == "--keys" && i + 1 < args.size() && command == "consistency") {
      keys_path = args[++i];
    } else if (!a.empty() && a[0] == '-') {
      return Usage(("unknown option " + a).c_str());
    } else {
      positional.push_back(a);
    }
  }
  if (command == "verify") {
    if (positional.size() != 1) return Usage("verify wants one directory");
    return Verify(positional[0], options);
  }
  if (command == "consistency") {
    if (positional.size() != 2) return Usage("consistency wants OLD and NEW");
    std::optional<wams::audit::KeyRing> ring;
    if (!keys_path.empty()) {
      absl::StatusOr<std::string> text = wams::audit::ReadSmallFile(keys_path);
      if (!text.ok()) return Fail(text.status(), std::nullopt);
      absl::StatusOr<wams::audit::KeyRing> parsed = wams::audit::KeyRing::Parse(*text);
      if (!parsed.ok()) return Fail(parsed.status(), std::nullopt);
      ring = *std::move(parsed);
      options.keys = &*ring;
    }
    return Consistency(positional[0], positional[1], options);
  }
  return Usage(("unknown command " + command).c_str());
}
