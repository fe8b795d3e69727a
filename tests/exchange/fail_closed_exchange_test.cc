// Fail closed: when the receipt log cannot make a decision durable, the
// caller gets UNAVAILABLE and the provider hears nothing. In-process (the
// broker's real parts, real RocksDB with a WAL that fails on demand, a real
// provider over mTLS), since a running broker process cannot be made to fail
// its fsyncs from outside.
#include "absl/strings/str_replace.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "broker/cases/case_manager.h"
#include "broker/cases/case_store.h"
#include "broker/config/config_loader.h"
#include "broker/exchange/exchange_core.h"
#include "broker/exchange/outcome_store.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/routing/grpc_provider_transport.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/subjects/subject_key_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/policy.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/wal_sync_fs.h"

namespace wams::testing {
namespace {

TEST(FailClosedExchangeTest, UnwritableLedgerForwardsNothingAndAnswersUnavailable) {
  TempDir dir;
  MakeDevPki(dir.path() / "pki");
  TestProvider school(dir.path() / "pki", "school");
  std::string text = absl::StrReplaceAll(
      ReadFile(SourcePath("deploy/config/broker.example.textproto")),
      {{"127.0.0.1:7453", school.endpoint()}, {"../dev-pki/", (dir.path() / "pki/").string()}});
  absl::StatusOr<v1::BrokerConfig> config = config::ParseBrokerConfig(text);
  ASSERT_TRUE(config.ok()) << config.status();

  auto fs = std::make_shared<WalSyncFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  ::wams::storage::RocksDbOptions storage_options;
  storage_options.env = env.get();
  auto storage = ::wams::storage::RocksDbBackend::Open(dir.File("db"), storage_options);
  ASSERT_TRUE(storage.ok()) << storage.status();
  auto setup = ledger::store::LoadLedgerSetup(config->ledger());
  ASSERT_TRUE(setup.ok()) << setup.status();
  setup->options.checkpoint_interval = absl::ZeroDuration();
  auto ledger =
      ledger::store::Ledger::Open(**storage, std::move(setup->signer), std::move(setup->options));
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  auto subject_keys = subjects::SubjectKeyTable::Open(**storage, setup->pseudonym_key, 0);
  ASSERT_TRUE(subject_keys.ok()) << subject_keys.status();
  auto registry = identity::PartyRegistry::Create(*config);
  auto policy = policy::Policy::Create(*config);
  ASSERT_TRUE(registry.ok() && policy.ok());
  v1::TlsFiles broker_tls;
  broker_tls.set_certificate_file((dir.path() / "pki/broker.crt").string());
  broker_tls.set_private_key_file((dir.path() / "pki/broker.key").string());
  broker_tls.set_ca_bundle_file((dir.path() / "pki/ca.crt").string());
  FakeClock clock(absl::Now());
  auto transport = routing::GrpcProviderTransport::Create(broker_tls, clock);
  ASSERT_TRUE(transport.ok()) << transport.status();

  cases::CaseStore case_store(**storage);
  cases::CaseManager cases({.store = &case_store,
                            .ledger = ledger->get(),
                            .subject_keys = subject_keys->get(),
                            .policy = &*policy,
                            .registry = &*registry,
                            .clock = &clock});
  exchange::OutcomeStore outcomes(**storage);
  exchange::ExchangeCore core({.cases = &cases,
                               .involvement = &cases,
                               .ledger = ledger->get(),
                               .subject_keys = subject_keys->get(),
                               .policy = &*policy,
                               .registry = &*registry,
                               .transport = transport->get(),
                               .outcomes = &outcomes,
                               .clock = &clock},
                              exchange::ExchangeOptions());

  identity::Caller municipality{.party = registry->Find(kMunicipalityOin),
                                .certificate_oin = kMunicipalityOin,
                                .professional_id = kCaseWorker};
  v1::OpenClientCaseRequest open;
  open.set_request_id("open-1");
  open.set_client_bsn(kClientBsn);
  open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
  absl::StatusOr<v1::CaseResponse> opened = cases.OpenClientCase(municipality, open);
  ASSERT_TRUE(opened.ok()) << opened.status();

  v1::DataRequest request;
  request.set_request_id("req-1");
  request.set_case_id(opened->case_().case_id());
  request.set_subject_bsn(kClientBsn);
  request.set_provider_oin(kSchoolOin);
  request.set_purpose(v1::PURPOSE_RESEARCH);
  request.add_categories("attendance");
  request.set_justification("Verzuim hangt mogelijk samen met de thuissituatie.");
  auto run = [&](const v1::DataRequest& data_request) {
    absl::Notification done;
    absl::Status result;
    core.RequestData(municipality, data_request, {},
                     [&](absl::StatusOr<v1::DataResponse> response) {
                       result = response.status();
                       done.Notify();
                     });
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
    return result;
  };
  // While the log writes, a request goes through (and involves the school).
  ASSERT_TRUE(run(request).ok());
  ASSERT_EQ(school.Received().size(), 1u);

  // From here on the WAL cannot be synced: no receipt can be made durable.
  fs->fail = true;
  request.set_request_id("req-2");
  absl::Status result = run(request);

  EXPECT_EQ(result.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(result.message()), ::testing::HasSubstr("nothing was forwarded"));
  EXPECT_EQ(school.Received().size(), 1u) << "a request reached the provider without a receipt";
}

}  // namespace
}  // namespace wams::testing
