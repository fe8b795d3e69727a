// storage_fault_util.h: helpers of the storage fault tests (a small file
// system the test mounts, the broker's health, an export's receipts).
//
//   SmallFileSystem disk(dir, 256);            // tmpfs of 256 MiB at dir
//   if (!disk.mounted()) GTEST_SKIP() << disk.why();
//   disk.Fill();                               // ballast until ENOSPC
//   disk.Free();                               // ballast gone
#ifndef WAMS_TESTS_FAULTS_STORAGE_FAULT_UTIL_H_
#define WAMS_TESTS_FAULTS_STORAGE_FAULT_UTIL_H_

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/ledger/export/export_format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {

// A tmpfs of `size_mib` MiB mounted at `dir` (created) for the life of the
// object. Needs CAP_SYS_ADMIN (root on a VM, as in CI); otherwise
// mounted() is false and why() says so.
class SmallFileSystem {
 public:
  SmallFileSystem(const std::filesystem::path& dir, int size_mib) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    std::string output;
    int code = RunCommand({"mount", "-t", "tmpfs", "-o", absl::StrCat("size=", size_mib, "m"),
                           "tmpfs", dir_.string()},
                          &output);
    mounted_ = code == 0;
    if (!mounted_) {
      why_ = absl::StrCat("cannot mount a tmpfs (needs root with CAP_SYS_ADMIN): ", output);
    }
  }
  ~SmallFileSystem() {
    if (!mounted_) return;
    std::string output;
    RunCommand({"umount", "-l", dir_.string()}, &output);
  }
  SmallFileSystem(const SmallFileSystem&) = delete;
  SmallFileSystem& operator=(const SmallFileSystem&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }

  // Free bytes as statvfs(2) reports them (what the broker sees).
  uint64_t FreeBytes() const {
    struct statvfs st {};
    if (statvfs(dir_.c_str(), &st) != 0) return 0;
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }

  // Writes a ballast file until the file system is full (ENOSPC).
  void Fill() {
    std::FILE* f = std::fopen((dir_ / "ballast").c_str(), "wb");
    if (f == nullptr) return;
    std::string chunk(1 << 20, 'b');
    while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size()) {
    }
    // The last partial chunk may still sit in stdio's buffer: top up byte
    // by byte until nothing more fits.
    std::fflush(f);
    while (std::fputc('b', f) != EOF && std::fflush(f) == 0) {
    }
    std::fclose(f);
  }
  void Free() { std::filesystem::remove(dir_ / "ballast"); }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string why_;
};

// The broker's gRPC health status for `service` ("" overall; "" when the
// call fails).
inline std::string HealthOf(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& service = "") {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status =
      grpc::health::v1::Health::NewStub(channel)->Check(&context, request, &response);
  if (!status.ok()) return "";
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

// The receipts of an export directory, by leaf index.
inline std::map<uint64_t, ledger_export::ExportedReceipt> ReadExportedReceipts(
    const std::filesystem::path& dir) {
  std::map<uint64_t, ledger_export::ExportedReceipt> out;
  std::string text = ReadFile(dir / ledger_export::kReceiptsFile);
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ledger_export::ExportedReceipt receipt;
    if (ledger_export::ParseReceiptLine(std::string_view(line.data(), line.size()), receipt).ok()) {
      out[receipt.index] = receipt;
    }
  }
  return out;
}

// Whether `acknowledged` is in `exported` byte for byte at its leaf index.
inline bool ContainsReceipt(const std::map<uint64_t, ledger_export::ExportedReceipt>& exported,
                            const wams::broker::v1::SignedReceipt& acknowledged) {
  auto it = exported.find(acknowledged.leaf_index());
  return it != exported.end() && it->second.receipt == acknowledged.receipt_bytes() &&
         it->second.signature == acknowledged.signature();
}

}  // namespace wams::testing

#endif  // WAMS_TESTS_FAULTS_STORAGE_FAULT_UTIL_H_
