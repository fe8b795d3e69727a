// GrpcProviderTransport (broker/routing/grpc_provider_transport.h) without a
// provider server: what Create refuses (naming the field), and the codes
// Deliver reports when the provider cannot be reached (no endpoint, nothing
// listening, a peer that never completes the handshake). HandshakeRefusals,
// the record the transport reads its refusal messages from, too. The
// provider's own errors and refused handshakes need a provider and are in
// tests/security (impostor_provider_test.cc) and tests/faults.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/synchronization/notification.h"
#include "broker/base/clock.h"
#include "broker/routing/grpc_provider_transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace wams::routing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::wams::testing::IsOk;
using ::wams::testing::kGgzOin;
using ::wams::testing::StatusIs;

// A TCP socket on 127.0.0.1, port 0. Listening, the kernel completes TCP
// connections to it but nothing ever speaks TLS; closed, its port refuses.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listen) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
    if (listen) {
      EXPECT_EQ(::listen(fd_, 16), 0);
    } else {
      Close();
    }
  }
  ~LoopbackSocket() { Close(); }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_;
  int port_ = 0;
};

class ProviderTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::TempDir();
    testing::MakeDevPki(pki_->path());
  }
  static void TearDownTestSuite() { delete pki_; }

  // The machine's time: the dev PKI's CRL is dated from it.
  base::SystemClock clock_;

  // The broker's client TLS files of the dev PKI.
  static v1::TlsFiles BrokerTls() {
    v1::TlsFiles tls;
    tls.set_certificate_file((pki_->path() / "broker.crt").string());
    tls.set_private_key_file((pki_->path() / "broker.key").string());
    tls.set_ca_bundle_file((pki_->path() / "ca.crt").string());
    return tls;
  }
  static v1::Party Ggz(std::string endpoint) {
    v1::Party party;
    party.set_oin(kGgzOin);
    party.set_name("GGZ Voorbeeld");
    party.set_role(v1::PARTY_ROLE_PROVIDER);
    party.set_endpoint(std::move(endpoint));
    return party;
  }
  // Delivers a request and waits for the one answer.
  static absl::StatusOr<v1::ProviderResponse> Deliver(ProviderTransport& transport,
                                                      const v1::Party& provider,
                                                      absl::Duration deadline) {
    absl::Notification done;
    absl::StatusOr<v1::ProviderResponse> answer = absl::UnknownError("no answer");
    v1::ProviderRequest request;
    request.set_request_id("request-1");
    transport.Deliver(provider, request, deadline,
                      [&](absl::StatusOr<v1::ProviderResponse> result) {
                        answer = std::move(result);
                        done.Notify();  // Notify twice aborts: "exactly once" is checked
                      });
    done.WaitForNotification();
    return answer;
  }

  static testing::TempDir* pki_;
};
testing::TempDir* ProviderTransportTest::pki_ = nullptr;

TEST_F(ProviderTransportTest, CreateRefusesMissingFilesNamingTheField) {
  struct Case {
    std::function<void(v1::TlsFiles&)> spoil;
    absl::StatusCode code;
    std::string field;
  };
  const std::vector<Case> table = {
      {[](auto& t) { t.set_ca_bundle_file("/nonexistent/ca.crt"); }, absl::StatusCode::kNotFound,
       "client_tls.ca_bundle_file"},
      {[](auto& t) { t.set_certificate_file("/nonexistent/broker.crt"); },
       absl::StatusCode::kNotFound, "client_tls.certificate_file"},
      {[](auto& t) { t.set_private_key_file("/nonexistent/broker.key"); },
       absl::StatusCode::kNotFound, "client_tls.private_key_file"},
      {[](auto& t) { t.set_crl_file("/nonexistent/ca.crl"); }, absl::StatusCode::kNotFound,
       "client_tls.crl_file"},
  };
  for (const Case& c : table) {
    v1::TlsFiles tls = BrokerTls();
    c.spoil(tls);
    EXPECT_THAT(GrpcProviderTransport::Create(tls, clock_, "client_tls"),
                StatusIs(c.code, HasSubstr(c.field)))
        << c.field;
  }
}

TEST_F(ProviderTransportTest, CreateRefusesAKeyOthersCanReadAndACrlThatIsNone) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() / "open.key", testing::ReadFile(pki_->path() / "broker.key"), 0644);
  v1::TlsFiles tls = BrokerTls();
  tls.set_private_key_file(dir.File("open.key"));
  EXPECT_THAT(
      GrpcProviderTransport::Create(tls, clock_, "client_tls"),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("client_tls.private_key_file")));

  testing::WriteFile(dir.path() / "ca.crl", "not a CRL");
  tls = BrokerTls();
  tls.set_crl_file(dir.File("ca.crl"));
  EXPECT_THAT(GrpcProviderTransport::Create(tls, clock_, "client_tls"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("client_tls.crl_file")));

  EXPECT_THAT(GrpcProviderTransport::Create(BrokerTls(), clock_, "client_tls"), IsOk());
}

TEST_F(ProviderTransportTest, ProviderWithoutEndpointIsFailedPreconditionNamingIt) {
  auto transport = GrpcProviderTransport::Create(BrokerTls(), clock_);
  ASSERT_THAT(transport, IsOk());
  EXPECT_THAT(
      Deliver(**transport, Ggz(""), absl::Seconds(5)),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("GGZ Voorbeeld"), HasSubstr(kGgzOin), HasSubstr("no endpoint"))));
}

TEST_F(ProviderTransportTest, NothingListeningIsUnavailableNamingTheProvider) {
  auto transport = GrpcProviderTransport::Create(BrokerTls(), clock_);
  ASSERT_THAT(transport, IsOk());
  LoopbackSocket closed(/*listen=*/false);
  EXPECT_THAT(Deliver(**transport, Ggz(closed.endpoint()), absl::Seconds(10)),
              StatusIs(absl::StatusCode::kUnavailable, StartsWith("GGZ Voorbeeld: ")));
}

TEST_F(ProviderTransportTest, PeerThatNeverAnswersIsDeadlineExceeded) {
  auto transport = GrpcProviderTransport::Create(BrokerTls(), clock_);
  ASSERT_THAT(transport, IsOk());
  LoopbackSocket silent(/*listen=*/true);
  EXPECT_THAT(Deliver(**transport, Ggz(silent.endpoint()), absl::Milliseconds(300)),
              StatusIs(absl::StatusCode::kDeadlineExceeded, StartsWith("GGZ Voorbeeld: ")));
}

TEST(HandshakeRefusalsTest, LastIsTheRefusalOfTheLastHandshakeOnly) {
  HandshakeRefusals refusals;
  EXPECT_FALSE(refusals.Last().has_value());
  refusals.Refused(absl::UnauthenticatedError("carries OIN 1, not 2"));
  ASSERT_TRUE(refusals.Last().has_value());
  EXPECT_THAT(*refusals.Last(),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("carries OIN 1")));
  refusals.Refused(absl::UnauthenticatedError("revoked"));
  EXPECT_THAT(*refusals.Last(), StatusIs(absl::StatusCode::kUnauthenticated, "revoked"));
  refusals.Accepted();
  EXPECT_FALSE(refusals.Last().has_value());
}

}  // namespace
}  // namespace wams::routing
