// wams-storage copy from a real broker's RocksDB log into a throwaway
// PostgreSQL 15 (tests/testing/postgres_server.h), then a broker on
// PostgreSQL extends the same log (issue 17: moving a RocksDB log into
// PostgreSQL, deploy/README.md).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/subprocess.h"
#include "wams/broker/v1/case.grpc.pb.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ValueOf(const std::string& output, const std::string& label) {
  for (const std::string& line : std::vector<std::string>(absl::StrSplit(output, '\n'))) {
    if (line.starts_with(label + ": ")) return line.substr(label.size() + 2);
  }
  return "";
}

TEST(WamsStoragePostgresTest, MovesARocksDbLogIntoPostgresAndABrokerServesFromIt) {
  absl::StatusOr<std::unique_ptr<PostgresServer>> server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string database = (*server)->CreateDatabase();

  BrokerFixture broker;
  ASSERT_TRUE(broker.Start()) << ReadFile(broker.log_path());
  auto stub = v1::CaseService::NewStub(broker.Channel("municipality"));
  for (int i = 0; i < 200; ++i) {
    v1::OpenClientCaseRequest request;
    request.set_request_id(absl::StrCat("move-", i));
    request.set_client_bsn(kClientBsn);
    request.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
    v1::CaseResponse response;
    ASSERT_TRUE(stub->OpenClientCase(&context, request, &response).ok());
  }
  ASSERT_EQ(broker.Stop(), 0);
  std::string source_check;
  ASSERT_EQ(broker.ExportAndVerify(broker.root() / "source-export", &source_check), 0)
      << source_check;

  // The same config with storage { postgres { ... } } instead of data_dir.
  const std::string rocksdb_config = (broker.root() / "config" / "rocksdb.textproto").string();
  WriteFile(rocksdb_config, ReadFile(broker.config_path()));
  const std::string postgres_storage =
      absl::StrCat("storage { postgres { conninfo: \"", (*server)->Conninfo(database),
                   "\" node_name: \"broker-1\" } }");
  ASSERT_EQ(broker.ReplaceInConfig("data_dir: \"../dev-data/broker\"", postgres_storage), 1);

  std::string output;
  ASSERT_EQ(RunCommand({WAMS_STORAGE_BINARY, "copy", "--from", rocksdb_config, "--to",
                        broker.config_path()},
                       &output),
            0)
      << output;
  std::cout << output;
  EXPECT_THAT(output, HasSubstr("(postgres)"));
  EXPECT_THAT(output, HasSubstr("\nOK\n"));
  EXPECT_EQ(ValueOf(output, "root"), ValueOf(source_check, "root")) << output;

  std::string again;
  EXPECT_EQ(RunCommand({WAMS_STORAGE_BINARY, "copy", "--from", rocksdb_config, "--to",
                        broker.config_path()},
                       &again),
            3)
      << again;

  ASSERT_TRUE(broker.Start()) << ReadFile(broker.log_path());
  {
    v1::OpenClientCaseRequest request;
    request.set_request_id("after-move");
    request.set_client_bsn(kClientBsn);
    request.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context.AddMetadata("x-wams-professional-id", "wmo-consulent-12");
    v1::CaseResponse response;
    auto on_postgres = v1::CaseService::NewStub(broker.Channel("municipality"));
    ASSERT_TRUE(on_postgres->OpenClientCase(&context, request, &response).ok());
  }
  ASSERT_EQ(broker.Stop(), 0);
  std::string copy_check;
  ASSERT_EQ(broker.ExportAndVerify(broker.root() / "copy-export", &copy_check), 0) << copy_check;
  EXPECT_THAT(ReadFile(broker.root() / "copy-export/receipts.jsonl"),
              StartsWith(ReadFile(broker.root() / "source-export/receipts.jsonl")));
}

}  // namespace
}  // namespace wams::testing
