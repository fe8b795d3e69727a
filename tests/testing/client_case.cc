#include "tests/testing/client_case.h"

#include <chrono>

#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "wams/broker/v1/case.grpc.pb.h"

namespace wams::testing {

std::string OpenClientCase(const BrokerFixture& broker, std::string_view request_id,
                           std::string_view bsn, const std::vector<v1::Domain>& domains_in) {
  v1::OpenClientCaseRequest open;
  open.set_request_id(std::string(request_id));
  open.set_client_bsn(std::string(bsn));
  open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  for (v1::Domain domain : domains_in) open.mutable_scope()->add_domains_in(domain);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
  v1::CaseResponse opened;
  grpc::Status status = v1::CaseService::NewStub(broker.Channel("municipality"))
                            ->OpenClientCase(&context, open, &opened);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return opened.case_().case_id();
}

}  // namespace wams::testing
