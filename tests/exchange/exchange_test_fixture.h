// exchange_test_fixture.h: a real broker process with real provider servers
// (TestProvider over mTLS) for the GGZ institution, the school, the police
// and the neighbourhood team, and helpers to drive cases and requests as the
// municipality would.
#ifndef WAMS_TESTS_EXCHANGE_EXCHANGE_TEST_FIXTURE_H_
#define WAMS_TESTS_EXCHANGE_EXCHANGE_TEST_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/call_result.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/test_provider.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {

namespace v1 = ::wams::broker::v1;

inline constexpr char kCaseWorker[] = "wmo-consulent-12";
inline constexpr char kCoordinator[] = "regisseur-7";

class ExchangeFlowTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Called by SetUp once the config points at the providers, before the
  // broker starts: a test changes the config (or its providers) here.
  virtual void BeforeBrokerStart() {}

  // A stub as `cert_name`, acting as `professional_id`.
  std::unique_ptr<v1::CaseService::Stub> Cases(const std::string& cert_name = "municipality");
  std::unique_ptr<v1::ExchangeService::Stub> Exchange(
      const std::string& cert_name = "municipality");
  static void Prepare(grpc::ClientContext* context, const std::string& professional_id);

  // Opens a client-initiated case for kClientBsn, laws Wmo + Jeugdwet.
  v1::Case OpenCase(const std::vector<v1::Domain>& domains_in,
                    const std::vector<v1::Domain>& domains_out);
  v1::CaseResponse CaseCall(
      const std::function<grpc::Status(v1::CaseService::Stub&, grpc::ClientContext*,
                                       v1::CaseResponse*)>& call,
      const std::string& professional_id = kCaseWorker);

  // A data request as `cert_name` / `professional_id`.
  v1::DataRequest NewRequest(const std::string& case_id, const std::string& provider_oin,
                             std::vector<std::string> categories,
                             v1::Purpose purpose = v1::PURPOSE_RESEARCH);
  // A share (R21) of one wmo_services item with `recipient_oin`.
  v1::ShareRequest NewShareRequest(const std::string& case_id, const std::string& recipient_oin);
  // A case in which the school is involved (it answered a granted request),
  // then NewShareRequest with the school (R21) as the municipality.
  grpc::Status ShareWithInvolvedSchool(v1::ShareResponse* shared);
  CallResult RequestData(const v1::DataRequest& request, v1::DataResponse* response,
                         const std::string& cert_name = "municipality",
                         const std::string& professional_id = kCaseWorker);

  static std::vector<std::string> FailedRules(const CallResult& result);

  BrokerFixture broker_;
  std::unique_ptr<TestProvider> ggz_;
  std::unique_ptr<TestProvider> school_;
  std::unique_ptr<TestProvider> police_;
  std::unique_ptr<TestProvider> team_;
  int next_request_ = 0;
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_EXCHANGE_EXCHANGE_TEST_FIXTURE_H_
