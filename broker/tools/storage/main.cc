// wams-storage: moves a broker's data from one storage backend into another
// (an embedded RocksDB log into PostgreSQL, or any Backend into another),
// then proves the copy with the ledger's own audit.
//
//   wams-storage copy --from BROKER_CONFIG --to BROKER_CONFIG
//                     [--batch-rows N] [--batch-bytes N]
//   wams-storage retire-legacy-key --config BROKER_CONFIG --index-key-out FILE
//
// retire-legacy-key ends the legacy global pseudonym key (issue 19, erasure;
// broker/ledger/README.md, "Pseudonyms, subject keys and erasure"): it marks
// the key retired in the broker's storage and writes the subject key table's
// index key into FILE (0600, must not exist). Point ledger.pseudonym_key_file
// at FILE, then destroy the old key file and its copies. Stop the broker first.
//
// The `storage` block (or legacy `data_dir`) of each broker config says
// where; the destination config's `ledger` block gives the keys to verify
// with (the same keys as the source's broker). Stop the source broker first.
// Steps: open both; refuse a destination holding any key; copy every family
// in key order from one snapshot of the source, in batches of at most N rows
// and N bytes; open the ledger on the destination and re-verify every
// receipt, every node and every checkpoint (Ledger::VerifyAll), and check
// that its latest checkpoint is the source's, byte for byte; print counts and
// the verified root.
//
// Exit status: 0 copied and verified; 1 the copy or the verification failed
// (the reason on stderr; copy again into a fresh destination); 2 usage or
// configuration error; 3 the destination is not empty (nothing written).
// Documented in broker/tools/README.md ("wams-storage").
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/cli/command_line.h"
#include "broker/base/files/private_dir.h"
#include "broker/base/secret_file.h"
#include "broker/config/config_loader.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/storage/copy.h"
#include "broker/storage/open_backend.h"
#include "broker/subjects/subject_key_table.h"

namespace {

namespace v1 = ::wams::broker::v1;
using wams::storage::Backend;

constexpr int kCopied = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr int kNotEmpty = 3;

constexpr char kExitCodes[] =
    "Exit status: 0 copied and verified, 1 copy or verification failed,\n"
    "2 usage or configuration error, 3 destination not empty (nothing written).";

int Usage(const std::string& error) {
  std::fprintf(stderr, "wams-storage: %s\n", error.c_str());
  return kUsage;
}

int Fail(std::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "wams-storage: FAILED: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(status.message().size()), status.message().data());
  return kFailed;
}

struct Flags {
  std::string from;
  std::string to;
  // retire-legacy-key
  bool retire = false;
  std::string config;
  std::string index_key_out;
  wams::storage::CopyOptions copy;
};

// The command line (CLI11, broker/base/cli/command_line.h): nullopt to go on, else
// the exit code (--help, --version, or a usage error printed on stderr).
std::optional<int> ParseFlags(int argc, char** argv, Flags& flags) {
  CLI::App app("Moves a broker's data between storage backends and re-verifies it there.",
               "wams-storage");
  wams::cli::AddVersionFlag(app);
  app.footer(kExitCodes);
  app.require_subcommand(1);
  CLI::App* copy = app.add_subcommand(
      "copy",
      "copy every family of the source's storage into the destination's, which must be empty,\n"
      "then re-verify every receipt and the root on the destination. Stop the source broker "
      "first.");
  copy->add_option("--from", flags.from, "the source broker's config")
      ->option_text("BROKER_CONFIG")
      ->required();
  copy->add_option("--to", flags.to, "the destination's config")
      ->option_text("BROKER_CONFIG")
      ->required();
  copy->add_option("--batch-rows", flags.copy.max_batch_rows, "rows a write batch")
      ->option_text("N")
      ->check(CLI::PositiveNumber);
  copy->add_option("--batch-bytes", flags.copy.max_batch_bytes, "bytes a write batch")
      ->option_text("N")
      ->check(CLI::PositiveNumber);
  CLI::App* retire = app.add_subcommand(
      "retire-legacy-key",
      "retire the legacy global pseudonym key: legacy pseudonyms are no longer found by BSN;\n"
      "writes the index key into FILE for ledger.pseudonym_key_file. Stop the broker first.");
  retire->add_option("--config", flags.config, "the broker's config")
      ->option_text("BROKER_CONFIG")
      ->required();
  retire->add_option("--index-key-out", flags.index_key_out, "the new key file (must not exist)")
      ->option_text("FILE")
      ->required();
  std::optional<int> done = wams::cli::Parse(app, argc, argv);
  flags.retire = retire->parsed();
  return done;
}

// Where a storage config points, to refuse copying a database onto itself.
std::string Location(const v1::StorageConfig& storage) {
  if (storage.has_rocksdb()) return absl::StrCat("rocksdb:", storage.rocksdb().dir());
  return absl::StrCat("postgres:", storage.postgres().conninfo(), " schema ",
                      storage.postgres().schema());
}

// The source's latest checkpoint as stored, or nullopt when it has none.
absl::StatusOr<std::optional<v1::Checkpoint>> LastStoredCheckpoint(const Backend& source) {
  wams::storage::ScanRange last = wams::storage::ScanRange::From("", 1);
  last.reverse = true;
  absl::StatusOr<std::vector<wams::storage::KeyValue>> rows =
      source.Scan(wams::storage::Family::kCheckpoints, last);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  v1::Checkpoint checkpoint;
  if (!checkpoint.ParseFromString(rows->front().value)) {
    return absl::DataLossError("the source's latest checkpoint does not parse");
  }
  return checkpoint;
}

struct Verified {
  uint64_t receipts = 0;  // all verified, also those after the latest checkpoint
  // The copy's latest checkpoint, the source's byte for byte; nullopt when
  // the log has none yet (a broker stopped before its first one).
  std::optional<v1::Checkpoint> checkpoint;
  std::string root_hex;  // the checkpoint's root, else the recomputed root
};

// Opens the ledger on the copy with the configured keys, rehashes and
// re-verifies all of it, and checks that it ends at the source's latest
// signed checkpoint.
absl::StatusOr<Verified> VerifyCopy(const Backend& source, const Backend& copy,
                                    const v1::BrokerConfig& config) {
  absl::StatusOr<std::optional<v1::Checkpoint>> expected = LastStoredCheckpoint(source);
  if (!expected.ok()) return expected.status();
  absl::StatusOr<wams::ledger::store::LedgerSetup> setup =
      wams::ledger::store::LoadLedgerSetup(config.ledger());
  if (!setup.ok()) return setup.status();
  setup->options.checkpoint_interval = absl::ZeroDuration();  // makes no checkpoint
  auto ledger =
      wams::ledger::store::Ledger::Open(copy, std::move(setup->signer), std::move(setup->options));
  if (!ledger.ok()) return ledger.status();
  if (absl::Status verified = (*ledger)->VerifyAll(); !verified.ok()) return verified;

  Verified result;
  result.receipts = (*ledger)->TreeSize();
  absl::StatusOr<v1::Checkpoint> latest = (*ledger)->LatestCheckpoint();
  if (!latest.ok() && !absl::IsNotFound(latest.status())) return latest.status();
  const bool same = latest.ok() ? expected->has_value() && latest->note() == (*expected)->note()
                                : !expected->has_value();
  if (!same) {
    return absl::DataLossError(absl::StrCat(
        "the copy's latest checkpoint (",
        latest.ok() ? absl::StrCat("tree size ", latest->tree_size()) : "none",
        ") is not the source's (",
        expected->has_value() ? absl::StrCat("tree size ", (*expected)->tree_size()) : "none",
        ")"));
  }
  if (latest.ok()) {
    result.root_hex = absl::BytesToHexString(latest->root_hash());
    result.checkpoint = *std::move(latest);
  } else if (result.receipts > 0) {
    absl::StatusOr<wams::ledger::Digest> root = (*ledger)->RootAt(result.receipts);
    if (!root.ok()) return root.status();
    result.root_hex = wams::ledger::DigestHex(*root);
  }
  return result;
}

int Copy(const Flags& flags) {
  absl::StatusOr<v1::BrokerConfig> from_config = wams::config::LoadBrokerConfig(flags.from);
  if (!from_config.ok()) return Usage(absl::StrCat("--from: ", from_config.status().message()));
  absl::StatusOr<v1::BrokerConfig> to_config = wams::config::LoadBrokerConfig(flags.to);
  if (!to_config.ok()) return Usage(absl::StrCat("--to: ", to_config.status().message()));
  const v1::StorageConfig from_storage = wams::storage::StorageOf(*from_config);
  const v1::StorageConfig to_storage = wams::storage::StorageOf(*to_config);
  if (Location(from_storage) == Location(to_storage)) {
    return Usage("--from and --to name the same database");
  }

  absl::StatusOr<std::unique_ptr<Backend>> source =
      wams::storage::OpenBackend(from_storage, {.create_if_missing = false, .writer = false});
  if (!source.ok()) return Fail("opening the source", source.status());
  absl::StatusOr<std::unique_ptr<Backend>> destination =
      wams::storage::OpenBackend(to_storage, {.create_if_missing = true});
  if (!destination.ok()) return Fail("opening the destination", destination.status());
  std::fprintf(stderr, "copying %s (%.*s) into %s (%.*s)\n", flags.from.c_str(),
               static_cast<int>((*source)->name().size()), (*source)->name().data(),
               flags.to.c_str(), static_cast<int>((*destination)->name().size()),
               (*destination)->name().data());

  const absl::Time start = absl::Now();
  absl::Time last_report = start;
  absl::StatusOr<wams::storage::CopyCounts> counts = wams::storage::CopyAll(
      **source, **destination, flags.copy, [&](const wams::storage::CopyCounts& so_far) {
        if (absl::Now() - last_report < absl::Seconds(5)) return;
        last_report = absl::Now();
        std::fprintf(stderr, "  %llu bytes in %llu batches so far\n",
                     static_cast<unsigned long long>(so_far.bytes),
                     static_cast<unsigned long long>(so_far.batches));
      });
  if (absl::IsFailedPrecondition(counts.status())) {
    std::fprintf(stderr, "wams-storage: %.*s\n", static_cast<int>(counts.status().message().size()),
                 counts.status().message().data());
    return kNotEmpty;
  }
  if (!counts.ok()) return Fail("copying", counts.status());
  const absl::Duration copied_in = absl::Now() - start;
  for (const wams::storage::FamilySpec& spec : wams::storage::FamilyTable()) {
    std::printf("%-12.*s %llu rows\n", static_cast<int>(spec.name.size()), spec.name.data(),
                static_cast<unsigned long long>(counts->rows[static_cast<int>(spec.family)]));
  }
  std::printf("copied: %llu bytes in %llu batches, %.1f s\n",
              static_cast<unsigned long long>(counts->bytes),
              static_cast<unsigned long long>(counts->batches), absl::ToDoubleSeconds(copied_in));

  const absl::Time verify_start = absl::Now();
  absl::StatusOr<Verified> verified = VerifyCopy(**source, **destination, *to_config);
  if (!verified.ok()) return Fail("verifying the copy", verified.status());
  std::printf("verified: %llu receipts, every signature, node and checkpoint, %.1f s\n",
              static_cast<unsigned long long>(verified->receipts),
              absl::ToDoubleSeconds(absl::Now() - verify_start));
  if (verified->checkpoint.has_value()) {
    std::printf("origin: %s\n", verified->checkpoint->origin().c_str());
    std::printf("tree size: %llu\n",
                static_cast<unsigned long long>(verified->checkpoint->tree_size()));
  } else {
    // Nothing signed to compare with: the root is recomputed from the copy.
    std::printf("checkpoint: none yet (the root below is recomputed, not signed)\n");
    std::printf("tree size: %llu\n", static_cast<unsigned long long>(verified->receipts));
  }
  std::printf("root: %s\n", verified->root_hex.c_str());
  std::printf("OK\n");
  return kCopied;
}

int RetireLegacyKey(const Flags& flags) {
  absl::StatusOr<v1::BrokerConfig> config = wams::config::LoadBrokerConfig(flags.config);
  if (!config.ok()) return Usage(absl::StrCat("--config: ", config.status().message()));
  absl::StatusOr<std::string> legacy_key = wams::base::ReadPrivateFile(
      config->ledger().pseudonym_key_file(), "ledger.pseudonym_key_file");
  if (!legacy_key.ok()) return Usage(std::string(legacy_key.status().message()));
  absl::StatusOr<std::unique_ptr<Backend>> backend =
      wams::storage::OpenBackend(wams::storage::StorageOf(*config), {.create_if_missing = false});
  if (!backend.ok()) return Fail("opening the storage", backend.status());
  // Made before anything is retired, so a failure leaves the key in use.
  const int fd = ::open(flags.index_key_out.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Usage(absl::StrCat("--index-key-out: cannot create ", flags.index_key_out));
  absl::StatusOr<std::string> index_key =
      wams::subjects::SubjectKeyTable::RetireLegacyKey(**backend, *legacy_key);
  if (!index_key.ok()) {
    ::close(fd);
    ::unlink(flags.index_key_out.c_str());
    return Fail("retiring the legacy key", index_key.status());
  }
  const bool written =
      ::write(fd, index_key->data(), index_key->size()) == static_cast<ssize_t>(index_key->size());
  if (::fsync(fd) != 0 || ::close(fd) != 0 || !written) {
    return Fail("writing the index key",
                absl::UnavailableError(absl::StrCat(
                    "the legacy key is retired but ", flags.index_key_out,
                    " could not be written; derive it again with the old key file (see "
                    "broker/ledger/README.md) before destroying that file")));
  }
  std::printf("retired; the index key is in %s\n", flags.index_key_out.c_str());
  std::printf("next: set ledger.pseudonym_key_file to it, then destroy the old key file\n");
  return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything creates a file: a RocksDB destination holds the cases,
  // minutes and receipts, so 0600 files in a 0700 directory, as the broker
  // makes them (and a broker refuses a data directory others may read).
  umask(wams::files::kPrivateUmask);
  Flags flags;
  if (std::optional<int> done = ParseFlags(argc, argv, flags)) return *done;
  return flags.retire ? RetireLegacyKey(flags) : Copy(flags);
}
