#include "tests/security/security_test_util.h"

#include <fstream>
#include <memory>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/testing/subprocess.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

bool IsDigit(char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }

// True when `bsn` occurs in `line` with no digit right before or after it.
bool ContainsAsNumber(const std::string& line, const std::string& bsn) {
  for (size_t at = line.find(bsn); at != std::string::npos; at = line.find(bsn, at + 1)) {
    bool digit_before = at > 0 && IsDigit(line[at - 1]);
    bool digit_after = at + bsn.size() < line.size() && IsDigit(line[at + bsn.size()]);
    if (!digit_before && !digit_after) return true;
  }
  return false;
}

}  // namespace

grpc::Status WhoAmI(const std::shared_ptr<grpc::Channel>& channel, v1::WhoAmIResponse* response,
                    const std::string& professional_id) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!professional_id.empty()) context.AddMetadata("x-wams-professional-id", professional_id);
  v1::WhoAmIResponse ignored;
  return v1::ExchangeService::NewStub(channel)->WhoAmI(&context, v1::WhoAmIRequest(),
                                                       response == nullptr ? &ignored : response);
}

std::vector<BsnSighting> FindBsns(const std::vector<std::filesystem::path>& files,
                                  const std::vector<std::string>& bsns) {
  std::vector<BsnSighting> sightings;
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file);
    if (!in) {
      sightings.push_back(BsnSighting{.file = file, .line = 0, .bsn = "(file unreadable)"});
      continue;
    }
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      for (const std::string& bsn : bsns) {
        if (ContainsAsNumber(line, bsn)) {
          sightings.push_back(BsnSighting{.file = file, .line = number, .bsn = bsn});
        }
      }
    }
  }
  return sightings;
}

std::vector<BsnSighting> FindBsnsInDatabase(const std::filesystem::path& data_dir,
                                            const std::vector<std::string>& bsns) {
  std::vector<BsnSighting> sightings;
  auto unreadable = [&](const std::string& what) {
    sightings.push_back(BsnSighting{.file = data_dir, .line = 0, .bsn = what});
  };
  rocksdb::Options options;
  std::vector<std::string> families;
  if (!rocksdb::DB::ListColumnFamilies(options, data_dir.string(), &families).ok()) {
    unreadable("(database unreadable: no column families)");
    return sightings;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : families) descriptors.emplace_back(name, options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(options, data_dir.string(), descriptors, &handles, &raw).ok()) {
    unreadable("(database unreadable: does not open)");
    return sightings;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
    int entry = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++entry;
      for (const std::string& bsn : bsns) {
        if (ContainsAsNumber(it->key().ToString(), bsn) ||
            ContainsAsNumber(it->value().ToString(), bsn)) {
          sightings.push_back(
              BsnSighting{.file = data_dir / handle->GetName(), .line = entry, .bsn = bsn});
        }
      }
    }
    if (!it->status().ok()) unreadable("(database unreadable: " + handle->GetName() + ")");
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  return sightings;
}

std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

std::vector<BsnSighting> FindBsnsInExport(const std::filesystem::path& export_dir,
                                          const std::vector<std::string>& bsns) {
  std::vector<BsnSighting> sightings = FindBsns(FilesUnder(export_dir), bsns);
  const std::filesystem::path receipts = export_dir / "receipts.jsonl";
  std::ifstream in(receipts);
  if (!in) {
    sightings.push_back(BsnSighting{.file = receipts, .line = 0, .bsn = "(file unreadable)"});
    return sightings;
  }
  static const std::regex kReceipt("\"receipt\"\\s*:\\s*\"([A-Za-z0-9+/=]*)\"");
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::smatch match;
    std::string bytes;
    if (!std::regex_search(line, match, kReceipt) ||
        !absl::Base64Unescape(match[1].str(), &bytes)) {
      sightings.push_back(BsnSighting{.file = receipts, .line = number, .bsn = "(no receipt)"});
      continue;
    }
    for (const std::string& bsn : bsns) {
      if (ContainsAsNumber(bytes, bsn)) {
        sightings.push_back(BsnSighting{.file = receipts, .line = number, .bsn = bsn});
      }
    }
  }
  return sightings;
}

std::string Describe(const std::vector<BsnSighting>& sightings) {
  std::string text;
  for (const BsnSighting& s : sightings) {
    absl::StrAppend(&text, s.file.string(), ":", s.line, ": ", s.bsn, "\n");
  }
  return text;
}

int DeliveredRequests(const std::string& adapter_log) {
  int delivered = 0;
  for (size_t at = adapter_log.find("deliver request_id="); at != std::string::npos;
       at = adapter_log.find("deliver request_id=", at + 1)) {
    ++delivered;
  }
  return delivered;
}

std::vector<std::filesystem::path> FilesAtRest(const BrokerFixture& broker) {
  std::string output;
  std::filesystem::path export_dir = broker.root() / "export";
  EXPECT_EQ(broker.ExportAndVerify(export_dir, &output), 0) << output;
  std::filesystem::path report = broker.root() / "report.html";
  EXPECT_EQ(
      RunCommand({AuditBinary(), "report", "--out", report.string(), export_dir.string()}, &output),
      0)
      << output;
  std::vector<std::filesystem::path> files = {report};
  for (const std::filesystem::path& dir : {broker.root() / "dev-data", export_dir}) {
    for (std::filesystem::path& file : FilesUnder(dir)) files.push_back(std::move(file));
  }
  return files;
}

bool SomeLineStartsWith(absl::string_view text, absl::string_view prefix) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, prefix)) return true;
  }
  return false;
}

}  // namespace wams::testing
