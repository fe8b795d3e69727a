#include "tests/security/security_test_util.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
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

}  // namespace wams::testing
