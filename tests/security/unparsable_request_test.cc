// A request whose bytes do not parse as its message (here: a string field
// with invalid UTF-8, which proto3 refuses) gets INVALID_ARGUMENT from the
// real broker, not gRPC's UNIMPLEMENTED; the service never sees it (nothing
// is receipted) and libprotobuf's error line per such request is
// rate-limited in the broker's log. The request is sent raw: a valid
// DataRequest serialised, then one string's bytes replaced, through a
// generic stub.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/security/security_test_util.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kMarker[] = "AAAAAAAAAAAAAAAA";  // replaced in the wire bytes
constexpr int kCalls = 40;

// A DataRequest whose request_id holds bytes that are not UTF-8.
std::string InvalidUtf8Request() {
  v1::DataRequest request;
  request.set_request_id(kMarker);
  request.set_case_id("case-1");
  request.set_provider_oin(kGgzOin);
  request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
  std::string wire = request.SerializeAsString();
  std::string garbage(sizeof(kMarker) - 1, '\xff');
  EXPECT_TRUE(absl::StrContains(wire, kMarker));
  return absl::StrReplaceAll(wire, {{kMarker, garbage}});
}

grpc::Status CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                     const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return status;
}

int LinesContaining(const std::string& text, const std::string& needle) {
  int count = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StrContains(line, needle)) ++count;
  }
  return count;
}

TEST(UnparsableRequestTest, InvalidUtf8IsInvalidArgumentAndItsLogLinesAreRateLimited) {
  BrokerFixture broker;
  ASSERT_TRUE(broker.Start()) << ReadFile(broker.log_path());
  std::shared_ptr<grpc::Channel> channel = broker.Channel("municipality");
  const std::string bytes = InvalidUtf8Request();

  const absl::Time start = absl::Now();
  for (int i = 0; i < kCalls; ++i) {
    grpc::Status status = CallRaw(channel, "/wams.broker.v1.ExchangeService/RequestData", bytes);
    ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << i << ": " << status.error_code() << " " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("UTF-8"));
  }
  const absl::Duration elapsed = absl::Now() - start;
  // The same bytes, valid again, are an ordinary request (refused on its
  // merits, not as unparsable): the rewrite touches only parse failures.
  v1::DataRequest valid;
  ASSERT_TRUE(valid.ParseFromString(absl::StrReplaceAll(
      bytes, {{std::string(sizeof(kMarker) - 1, '\xff'), std::string(kMarker)}})));
  grpc::Status ordinary =
      CallRaw(channel, "/wams.broker.v1.ExchangeService/RequestData", valid.SerializeAsString());
  EXPECT_NE(ordinary.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(ordinary.error_message(), Not(HasSubstr("does not parse")));
  // An unknown method is still UNIMPLEMENTED.
  EXPECT_EQ(CallRaw(channel, "/wams.broker.v1.ExchangeService/NoSuchMethod", bytes).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_TRUE(WhoAmI(channel).ok());
  ASSERT_EQ(broker.Stop(), 0);

  // libprotobuf's line per request, rate-limited: a burst of 5, then one a
  // second, however fast the requests came.
  const std::string log = ReadFile(broker.log_path());
  const int lines = LinesContaining(log, "invalid UTF-8");
  EXPECT_GE(lines, 1) << log;
  EXPECT_LE(lines, 5 + static_cast<int>(absl::ToInt64Seconds(elapsed)) + 1)
      << "after " << elapsed << ":\n"
      << log;
  EXPECT_LT(lines, kCalls) << "one line per request: not rate-limited";
}

}  // namespace
}  // namespace wams::testing
