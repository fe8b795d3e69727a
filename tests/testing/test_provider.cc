#include "tests/testing/test_provider.h"

#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {

class TestProvider::Service final : public v1::ProviderService::Service {
 public:
  grpc::Status Deliver(grpc::ServerContext* context, const v1::ProviderRequest* request,
                       v1::ProviderResponse* response) override {
    Metadata metadata;
    for (const auto& [key, value] : context->client_metadata()) {
      metadata.emplace(std::string(key.data(), key.size()),
                       std::string(value.data(), value.size()));
    }
    Handler handler;
    {
      absl::MutexLock lock(&mu_);
      received_.push_back(*request);
      received_metadata_.push_back(std::move(metadata));
      handler = handler_;
    }
    return handler(*request, response);
  }

  void SetHandler(Handler handler) {
    absl::MutexLock lock(&mu_);
    handler_ = std::move(handler);
  }

  std::vector<v1::ProviderRequest> Received() const {
    absl::MutexLock lock(&mu_);
    return received_;
  }

  std::vector<Metadata> ReceivedMetadata() const {
    absl::MutexLock lock(&mu_);
    return received_metadata_;
  }

 private:
  mutable absl::Mutex mu_;
  Handler handler_ ABSL_GUARDED_BY(mu_) = ProvideAll;
  std::vector<v1::ProviderRequest> received_ ABSL_GUARDED_BY(mu_);
  std::vector<Metadata> received_metadata_ ABSL_GUARDED_BY(mu_);
};

TestProvider::TestProvider(const std::filesystem::path& pki_dir, const std::string& cert_name)
    : service_(std::make_unique<Service>()) {
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = ReadFile(pki_dir / "ca.crt");
  options.pem_key_cert_pairs.push_back(
      {ReadFile(pki_dir / (cert_name + ".key")), ReadFile(pki_dir / (cert_name + ".crt"))});
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(options), &port_);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
}

TestProvider::~TestProvider() {
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
}

void TestProvider::SetHandler(Handler handler) { service_->SetHandler(std::move(handler)); }

std::vector<v1::ProviderRequest> TestProvider::Received() const { return service_->Received(); }

std::vector<TestProvider::Metadata> TestProvider::ReceivedMetadata() const {
  return service_->ReceivedMetadata();
}

grpc::Status TestProvider::ProvideAll(const v1::ProviderRequest& request,
                                      v1::ProviderResponse* response) {
  response->set_status(v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  for (const std::string& category : request.categories()) {
    v1::CategoryData* data = response->add_data();
    data->set_category(category);
    data->set_content("{\"category\":\"" + category + "\"}");
    data->set_content_type("application/json");
  }
  return grpc::Status::OK;
}

}  // namespace wams::testing
