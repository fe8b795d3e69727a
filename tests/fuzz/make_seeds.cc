// make_seeds.cc: writes the raw seed inputs of every fuzz target, from real
// artefacts: the repo's configs, requests against the fuzz world's stored
// cases, an export of the fuzz world's receipt log (the broker's own Ledger
// and ExportWriter), checkpoints signed and cosigned with the fixed fuzz
// keys, the published signed-note and Merkle vectors (the ones
// tests/ledger/primitives checks).
//
//   fuzz_make_seeds OUT_DIR      # writes OUT_DIR/{config,request,receipt,note,proof}/
//
// The repo corpus is these seeds minimised with libFuzzer's -merge=1 (see
// tests/fuzz/README.md). Built on demand only (EXCLUDE_FROM_ALL).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "adapters/reference/adapter_config.h"
#include "broker/base/deterministic_bytes.h"
#include "broker/config/config_loader.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "google/protobuf/util/json_util.h"
#include "tests/fuzz/fuzz_keys.h"
#include "tests/fuzz/fuzz_world.h"

namespace wams::fuzz {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "make_seeds: %s\n", what.c_str());
  std::exit(1);
}

void Check(const absl::Status& status, const std::string& what) {
  if (!status.ok()) Die(absl::StrCat(what, ": ", status.ToString()));
}

std::string ReadFileOrDie(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) Die("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

void WriteSeed(const fs::path& dir, const std::string& name, std::string_view bytes) {
  fs::create_directories(dir);
  std::ofstream file(dir / name, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file.good()) Die("cannot write " + (dir / name).string());
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

void AppendU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// ---------------------------------------------------------------- config

void ConfigSeeds(const fs::path& out) {
  const fs::path source(WAMS_SOURCE_DIR);
  for (const fs::path& dir : {source / "deploy/config", source / "adapters/config"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".textproto") continue;
      WriteSeed(out, entry.path().filename().string(), ReadFileOrDie(entry.path()));
    }
  }
  // The same configs as JSON, which the loaders accept too.
  absl::StatusOr<v1::BrokerConfig> broker =
      config::ParseBrokerConfig(ReadFileOrDie(source / "deploy/config/broker.example.textproto"));
  Check(broker.status(), "example config");
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*broker, &json).ok()) Die("broker JSON");
  WriteSeed(out, "broker.example.json", json);
  absl::StatusOr<adapters::AdapterConfig> school =
      adapters::ParseAdapterConfig(ReadFileOrDie(source / "adapters/config/school-http.textproto"));
  Check(school.status(), "school-http config");
  json.clear();
  if (!google::protobuf::util::MessageToJsonString(*school, &json).ok()) Die("adapter JSON");
  WriteSeed(out, "school-http.json", json);
}

// --------------------------------------------------------------- request

constexpr char kPlaceholderCaseId[] = "0190c5a0-0000-7000-8000-000000000001";
constexpr char kUnknownCaseId[] = "0190c5a0-0000-7000-8000-00000000dead";

struct RequestSeed {
  const char* name;
  int caller;        // index in FuzzWorld::callers() (the example config's order)
  int professional;  // 1 case worker, 2 coordinator
  int case_choice;   // CaseIndex, or 255 for the request's own case id
  int subject;       // 0 client, 1 agreed member, 2 refused member, 255 the request's own
  int flags;         // request_fuzzer.cc's byte 4
  const char* provider;
  v1::Purpose purpose;
  std::vector<std::string> categories;
  const char* bsn = "";                          // only when subject is 255
  const v1::ProviderResponse* answer = nullptr;  // with flags bit 2: instead of the case
};

v1::ProviderResponse Answer(v1::ProviderAnswerStatus status, std::vector<std::string> provided,
                            std::vector<std::string> withheld, const char* reasons = "",
                            const char* good_care = "", const char* legal_basis = "") {
  v1::ProviderResponse answer;
  answer.set_status(status);
  for (const std::string& category : provided) {
    v1::CategoryData* data = answer.add_data();
    data->set_category(category);
    data->set_content(R"({"summary":"test data"})");
    data->set_content_type("application/json");
  }
  for (const std::string& category : withheld) answer.add_withheld_categories(category);
  answer.set_refusal_reasons(reasons);
  answer.set_good_care_statement(good_care);
  answer.set_legal_basis(legal_basis);
  answer.add_conditions("Niet doorgeven aan derden.");
  return answer;
}

void RequestSeeds(FuzzWorld& world, const fs::path& out) {
  using v1::PURPOSE_RESEARCH;
  const v1::ProviderResponse ggz_provided =
      Answer(v1::PROVIDER_ANSWER_STATUS_PROVIDED, {"treatment_status"}, {});
  const v1::ProviderResponse school_partly =
      Answer(v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED, {"attendance"}, {"support_needs"},
             "Het zorgplan wordt eerst met de ouders besproken.");
  const v1::ProviderResponse school_refused =
      Answer(v1::PROVIDER_ANSWER_STATUS_REFUSED, {}, {}, "Zwaarwegend belang van de leerling.");
  const v1::ProviderResponse ggz_good_care =
      Answer(v1::PROVIDER_ANSWER_STATUS_PROVIDED, {"care_contact", "crisis_plan"}, {}, "",
             "Verstrekking is in het belang van goede zorg voor de client.");
  const v1::ProviderResponse probation_basis = Answer(
      v1::PROVIDER_ANSWER_STATUS_PROVIDED, {"supervision_status"}, {}, "", "", "art. 16 Wjsg");
  const v1::ProviderResponse probation_no_basis =
      Answer(v1::PROVIDER_ANSWER_STATUS_PROVIDED, {"supervision_status"}, {});
  const char* unknown_oin = "00000009999999990000";
  // clang-format off
  const std::vector<RequestSeed> seeds = {
    {"ggz-with-consent", 0, 1, kResearchCase, 0, 0, kGgzOin, PURPOSE_RESEARCH, {"treatment_status"}},
    {"school-two-categories", 0, 1, kResearchCase, 0, 0, kSchoolOin, PURPOSE_RESEARCH,
     {"attendance", "support_needs"}},
    {"police-outside-scope-r04", 0, 1, kResearchCase, 0, 0, kPoliceOin, PURPOSE_RESEARCH,
     {"police_contacts"}},
    {"fraud-control-r08", 0, 1, kResearchCase, 0, 0, kSchoolOin, v1::PURPOSE_FRAUD_CONTROL,
     {"attendance"}},
    {"coordination-by-coordinator", 1, 2, kCoordinationCase, 0, 0, kSchoolOin,
     v1::PURPOSE_COORDINATION, {"attendance"}},
    {"case-conference-in-coordination", 1, 2, kCoordinationCase, 1, 0, kGgzOin,
     v1::PURPOSE_CASE_CONFERENCE, {"care_contact", "crisis_plan"}},
    {"closed-case-r10", 0, 1, kClosedCase, 0, 0, kSchoolOin, PURPOSE_RESEARCH, {"attendance"}},
    {"awaiting-decision-r02", 0, 1, kAwaitingCase, 0, 0, kTeamOin, PURPOSE_RESEARCH,
     {"support_plan"}},
    {"uninformed-client-r02", 0, 1, kUninformedCase, 0, 0, kProbationOin, PURPOSE_RESEARCH,
     {"supervision_status"}},
    {"refused-family-member-r11", 0, 1, kResearchCase, 2, 0, kSchoolOin, PURPOSE_RESEARCH,
     {"attendance"}},
    {"share-with-team-r21", 0, 1, kResearchCase, 0, 1, kTeamOin, PURPOSE_RESEARCH,
     {"wmo_services"}},
    {"no-case-r09", 3, 1, 255, 0, 2, kGgzOin, PURPOSE_RESEARCH, {"treatment_status"}},
    {"auditor-asks", 6, 1, kResearchCase, 0, 0, kSchoolOin, PURPOSE_RESEARCH, {"attendance"}},
    {"bad-elfproef", 0, 1, kResearchCase, 255, 0, kSchoolOin, PURPOSE_RESEARCH, {"attendance"},
     "123456789"},
    {"unknown-provider", 0, 1, kResearchCase, 0, 0, unknown_oin, PURPOSE_RESEARCH,
     {"attendance"}},
    {"answer-ggz-provided", 0, 1, kResearchCase, 0, 4, kGgzOin, PURPOSE_RESEARCH,
     {"treatment_status"}, "", &ggz_provided},
    {"answer-school-partly", 0, 1, kResearchCase, 0, 4, kSchoolOin, PURPOSE_RESEARCH,
     {"attendance", "support_needs"}, "", &school_partly},
    {"answer-school-refused", 0, 1, kResearchCase, 0, 4, kSchoolOin, PURPOSE_RESEARCH,
     {"attendance", "support_needs"}, "", &school_refused},
    {"answer-ggz-good-care-r17", 1, 2, kCoordinationCase, 0, 4, kGgzOin,
     v1::PURPOSE_COORDINATION, {"care_contact", "crisis_plan"}, "", &ggz_good_care},
    {"answer-probation-legal-basis-r18", 0, 1, kResearchCase, 0, 4, kProbationOin,
     PURPOSE_RESEARCH, {"supervision_status"}, "", &probation_basis},
    {"answer-probation-no-basis-r18", 0, 1, kResearchCase, 0, 4, kProbationOin,
     PURPOSE_RESEARCH, {"supervision_status"}, "", &probation_no_basis},
  };
  // clang-format on
  const char* subjects[] = {kClientBsn, kAgreedFamilyBsn, kRefusedFamilyBsn};
  for (const RequestSeed& seed : seeds) {
    v1::DataRequest request;
    request.set_request_id(absl::StrCat("req-", seed.name));
    // A stored case is named by its selector byte (its id is a fresh UUID in
    // every run); the seed holds a fixed id instead, so no random digits that
    // could read as a BSN end up in the repo.
    request.set_case_id(seed.case_choice < kCaseCount ? kPlaceholderCaseId : kUnknownCaseId);
    request.set_subject_bsn(seed.subject < 3 ? subjects[seed.subject] : seed.bsn);
    request.set_provider_oin(seed.provider);
    request.set_purpose(seed.purpose);
    for (const std::string& category : seed.categories) request.add_categories(category);
    request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
    request.set_language(v1::LANGUAGE_ENGLISH);
    // After the request: the provider's answer, or the case as the policy
    // sees it for this subject (the stored snapshot).
    std::string rest;
    if (seed.answer != nullptr) {
      rest = base::DeterministicBytes(*seed.answer);
    } else if (seed.case_choice < kCaseCount) {
      absl::StatusOr<std::optional<v1::Case>> snapshot =
          world.cases().Snapshot(world.case_ids()[seed.case_choice], request.subject_bsn());
      Check(snapshot.status(), "snapshot");
      if (snapshot->has_value()) {
        (*snapshot)->set_case_id(kPlaceholderCaseId);
        rest = base::DeterministicBytes(**snapshot);
      }
    }
    const std::string request_bytes = base::DeterministicBytes(request);
    std::string input;
    input.push_back(static_cast<char>(seed.caller));
    input.push_back(static_cast<char>(seed.professional));
    input.push_back(static_cast<char>(seed.case_choice));
    input.push_back(static_cast<char>(seed.subject));
    input.push_back(static_cast<char>(seed.flags));
    input.push_back(static_cast<char>(request_bytes.size() & 0xff));
    input.push_back(static_cast<char>(request_bytes.size() >> 8));
    input += request_bytes;
    input += rest;
    WriteSeed(out, seed.name, input);
  }
}

// --------------------------------------------- receipt (export) and note

struct LogSeeds {
  std::vector<std::string> lines;  // receipts.jsonl lines, with "\n"
  std::vector<ledger::Digest> leaves;
};

std::string SignedCheckpoint(const LogSeeds& log, size_t size) {
  ledger::CompactRange range;
  for (size_t i = 0; i < size; ++i) range.Append(log.leaves[i]);
  ledger::NoteSigner signer(kLogOrigin, FixedKey(kLogKeySeedHex));
  return signer.Sign(ledger::FormatCheckpointBody({kLogOrigin, size, range.Root()}));
}

void ReceiptAndNoteSeeds(FuzzWorld& world, const fs::path& receipt_out, const fs::path& note_out,
                         const fs::path& scratch) {
  // A real export, written by the ledger exactly as `wams-broker --export` does.
  absl::StatusOr<v1::Checkpoint> checkpoint = world.ledger().MakeCheckpoint();
  Check(checkpoint.status(), "checkpoint");
  const fs::path export_dir = scratch / "export";
  Check(world.ledger().Export(export_dir.string()), "export");
  const std::string receipts = ReadFileOrDie(export_dir / ledger_export::kReceiptsFile);
  const std::string note = ReadFileOrDie(export_dir / ledger_export::kCheckpointFile);
  WriteSeed(receipt_out, "full-export", note + receipts);

  LogSeeds log;
  for (std::string_view rest = receipts; !rest.empty();) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    ledger_export::ExportedReceipt r;
    Check(ledger_export::ParseReceiptLine(line, r), "exported line");
    log.lines.push_back(std::string(line) + "\n");
    log.leaves.push_back(ledger::LeafHash(r.receipt));
    rest.remove_prefix(nl + 1);
  }
  // Prefixes with their own checkpoints (the same key signs them, as the
  // ledger's checkpoint timer would have at those sizes).
  for (size_t size : {size_t{1}, size_t{3}}) {
    std::string input = SignedCheckpoint(log, size);
    for (size_t i = 0; i < size; ++i) input += log.lines[i];
    WriteSeed(receipt_out, absl::StrCat("prefix-", size), input);
  }
  WriteSeed(receipt_out, "one-line", log.lines[0]);

  // Notes: the log's checkpoint, cosigned by the witness; the test vector.
  WriteSeed(note_out, "checkpoint", note);
  absl::StatusOr<ledger::ParsedNote> parsed = ledger::ParseNote(note);
  Check(parsed.status(), "checkpoint note");
  const std::string cosignature =
      ledger::CosignatureLine(kWitnessName, FixedKey(kWitnessKeySeedHex), parsed->text, 1767225600);
  WriteSeed(note_out, "cosigned-checkpoint", note + cosignature);
  WriteSeed(note_out, "cosignature-line", cosignature);
  WriteSeed(note_out, "checkpoint-body-with-extension", parsed->text + "extension line\n");
  WriteSeed(
      note_out, "peter-neumann",
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n"
      "\n"
      "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
      "XgKvqfqdngotpRZb6KE6RyyBwJnAM=\n");
  WriteSeed(note_out, "keys",
            ledger::VerifierKeyLine(kLogOrigin, FixedKey(kLogKeySeedHex).PublicKey()) + "\n" +
                kPeterNeumannVerifierKey + "\n");
}

// ------------------------------------------------------------------ proof

void ProofSeeds(const fs::path& out) {
  auto proof_input = [](uint8_t flags, uint64_t a, uint64_t b,
                        const std::vector<std::string>& hex_hashes) {
    std::string input(1, static_cast<char>(flags));
    AppendU64(input, a);
    AppendU64(input, b);
    for (const std::string& hex : hex_hashes) input += Unhex(hex);
    return input;
  };
  // Inclusion (flags 0) and consistency (flags 1) proofs of the RFC 6962
  // reference tree (as in tests/ledger/primitives/merkle_test.cc).
  WriteSeed(out, "inclusion-5-8",
            proof_input(0, 5, 8,
                        {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                         "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
  WriteSeed(out, "inclusion-0-8",
            proof_input(0, 0, 8,
                        {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                         "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                         "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
  WriteSeed(
      out, "inclusion-2-3",
      proof_input(0, 2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}));
  WriteSeed(out, "consistency-2-5",
            proof_input(1, 2, 5,
                        {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                         "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}));
  WriteSeed(out, "consistency-6-8",
            proof_input(1, 6, 8,
                        {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                         "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
  WriteSeed(out, "consistency-1-8",
            proof_input(1, 1, 8,
                        {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                         "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                         "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
  // Real proofs in the larger tree, mutated: flip a bit, drop a hash, move
  // the index, put in another node, flip the leaf.
  WriteSeed(out, "mutate-inclusion-77-133",
            proof_input(2 | 4, 77, 133, {}) + std::string("\0\1\x42", 3));
  WriteSeed(out, "mutate-inclusion-drop",
            proof_input(2 | 4, 64, 100, {}) + std::string("\1\2\0", 3));
  WriteSeed(out, "mutate-inclusion-move-index",
            proof_input(2 | 4, 12, 40, {}) + std::string("\4\x81\0", 3));
  WriteSeed(out, "mutate-inclusion-other-node",
            proof_input(2 | 4, 3, 17, {}) + std::string("\6\2\x33", 3));
  WriteSeed(out, "mutate-inclusion-leaf",
            proof_input(2 | 4, 100, 101, {}) + std::string("\7\5\3", 3));
  WriteSeed(out, "mutate-consistency-13-100",
            proof_input(1 | 2 | 4, 13, 100, {}) + std::string("\0\1\x10", 3));
  WriteSeed(out, "mutate-consistency-move-size",
            proof_input(1 | 2 | 4, 32, 64, {}) + std::string("\5\x7f\0", 3));
  WriteSeed(out, "huge-sizes", proof_input(0, ~uint64_t{0} - 1, ~uint64_t{0}, {}));
}

}  // namespace
}  // namespace wams::fuzz

int main(int argc, char** argv) {
  using namespace ::wams::fuzz;  // NOLINT
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path out(argv[1]);
  absl::StatusOr<std::unique_ptr<FuzzWorld>> world = FuzzWorld::Create();
  Check(world.status(), "fuzz world");
  ConfigSeeds(out / "config");
  RequestSeeds(**world, out / "request");
  const fs::path scratch = out / "scratch";
  ReceiptAndNoteSeeds(**world, out / "receipt", out / "note", scratch);
  fs::remove_all(scratch);
  ProofSeeds(out / "proof");
  std::printf("seeds written to %s\n", out.c_str());
  return 0;
}
