#include "tests/adapters/adapter_harness.h"

#include <atomic>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "grpcpp/client_context.h"
#include "tests/testing/broker_fixture.h"

namespace wams::testing {

std::string AdapterBinary() { return WAMS_ADAPTER_BINARY; }

ReferenceAdapter::ReferenceAdapter(const std::filesystem::path& pki_dir, std::string_view name,
                                   std::vector<std::pair<std::string, std::string>> replacements) {
  std::string config =
      ReadFile(SourcePath(absl::StrCat("adapters/config/", std::string(name), ".textproto")));
  std::vector<std::pair<std::string, std::string>> all = {
      {"../../deploy/dev-pki/", pki_dir.string() + "/"},
      {"\"records/", absl::StrCat("\"", SourcePath("adapters/config/records"), "/")},
  };
  for (int port = 7451; port <= 7456; ++port) {
    all.emplace_back(absl::StrCat("\"127.0.0.1:", port, "\""), "\"127.0.0.1:0\"");
  }
  all.insert(all.end(), replacements.begin(), replacements.end());
  for (const auto& [from, to] : all) config = absl::StrReplaceAll(config, {{from, to}});
  WriteFile(config_path(), config);
}

bool ReferenceAdapter::Start(const std::vector<std::string>& launcher) {
  std::vector<std::string> argv = launcher;
  argv.insert(argv.end(), {AdapterBinary(), "--config", config_path()});
  process_ = std::make_unique<Subprocess>(argv, dir_.File("adapter.log"));
  std::optional<std::string> line = process_->ReadStdoutLine(absl::Seconds(30));
  constexpr std::string_view kPrefix = "listening on 127.0.0.1:";
  if (!line.has_value() || !line->starts_with(kPrefix)) return false;
  return absl::SimpleAtoi(line->substr(kPrefix.size()), &port_);
}

BrokerCaller::BrokerCaller(const std::filesystem::path& pki_dir, int port,
                           std::string_view cert_name)
    : stub_(v1::ProviderService::NewStub(MutualTlsChannel(pki_dir, cert_name, port))) {}

grpc::Status BrokerCaller::Deliver(const v1::ProviderRequest& request,
                                   v1::ProviderResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return stub_->Deliver(&context, request, response);
}

v1::ProviderRequest GrantedRequest(std::string_view bsn, std::vector<std::string> categories) {
  static std::atomic<int> counter{0};
  int n = ++counter;
  v1::ProviderRequest request;
  request.set_request_id(absl::StrCat("req-", n));
  request.set_transaction_id(absl::StrCat("0190a8c0-0000-7000-8000-", 100000000000 + n));
  request.set_case_id("case-1");
  request.set_subject_bsn(std::string(bsn));
  request.set_requester_oin(kMunicipalityOin);
  request.set_requester_name("Gemeente Voorbeeldstad");
  request.set_professional_id("prof-7");
  request.set_purpose(v1::PURPOSE_RESEARCH);
  for (std::string& category : categories) {
    request.add_categories(std::move(category));
  }
  request.set_justification("Research into related problems: school absence and debts.");
  return request;
}

void AddObligation(v1::ProviderRequest& request, v1::ObligationKind kind,
                   std::vector<std::string> categories) {
  v1::Obligation* obligation = request.add_obligations();
  obligation->set_kind(kind);
  obligation->set_rule_id(kind == v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT ? "R17"
                          : kind == v1::OBLIGATION_KIND_LEGAL_BASIS       ? "R18"
                                                                          : "R16");
  for (std::string& category : categories) obligation->add_categories(std::move(category));
}

void AddConsent(v1::ProviderRequest& request, std::string_view category) {
  v1::ConsentBasis* consent = request.add_consent_basis();
  consent->set_category(std::string(category));
  consent->set_explicit_consent(true);
  consent->set_consent_id(absl::StrCat("consent-", std::string(category)));
}

}  // namespace wams::testing
