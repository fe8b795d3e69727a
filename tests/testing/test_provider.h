// test_provider.h: a real ProviderService over mutual TLS, in the test
// process, standing in for a party's adapter. It records every request it
// receives and answers with a handler the test sets.
//
//   TestProvider ggz(pki_dir, "ggz");
//   ggz.SetHandler([](const v1::ProviderRequest& r, v1::ProviderResponse* a) { ...; });
//   ... ggz.port() goes into the broker config ...
//   EXPECT_EQ(ggz.Received().size(), 1);
#ifndef WAMS_TESTS_TESTING_TEST_PROVIDER_H_
#define WAMS_TESTS_TESTING_TEST_PROVIDER_H_

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpcpp/server.h"
#include "wams/broker/v1/provider.grpc.pb.h"

namespace wams::testing {

namespace v1 = ::wams::broker::v1;

class TestProvider {
 public:
  using Handler = std::function<grpc::Status(const v1::ProviderRequest&, v1::ProviderResponse*)>;

  // Serves on 127.0.0.1 (a free port) with `cert_name`.crt/.key from
  // `pki_dir`, requiring client certificates from `pki_dir`/ca.crt. The
  // default handler provides every category asked with a small JSON body.
  TestProvider(const std::filesystem::path& pki_dir, const std::string& cert_name);
  ~TestProvider();

  int port() const { return port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  void SetHandler(Handler handler);
  // Every request received so far, in order.
  std::vector<v1::ProviderRequest> Received() const;
  // The metadata each of them came with (keys lower case), in the same order.
  using Metadata = std::multimap<std::string, std::string>;
  std::vector<Metadata> ReceivedMetadata() const;

  // The default answer: every category provided as {"category": "..."}.
  static grpc::Status ProvideAll(const v1::ProviderRequest& request,
                                 v1::ProviderResponse* response);

 private:
  class Service;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_TEST_PROVIDER_H_
