// The broker's health (broker/services/serving_status.h): SERVING only while
// the receipt log can write and the listener takes new connections (issue 15
// item 1), whatever order the two conditions change in.
#include "broker/services/serving_status.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wams::services {
namespace {

using ::testing::ElementsAre;

// Records what the health service is told, per service name.
class RecordingHealth : public grpc::HealthCheckServiceInterface {
 public:
  void SetServingStatus(const std::string& service, bool serving) override {
    told[service].push_back(serving);
  }
  void SetServingStatus(bool serving) override { told["*"].push_back(serving); }
  // The last status told for `service`.
  bool Now(const std::string& service) const { return told.at(service).back(); }
  std::map<std::string, std::vector<bool>> told;
};

TEST(ServingStatusTest, ServesOnlyWhileTheLogWritesAndTheListenerAccepts) {
  RecordingHealth health;
  ServingStatus serving;
  serving.SetListenerAccepting(false);  // before the server exists: kept
  serving.Attach(&health);
  serving.SetListenerAccepting(true);
  serving.SetLogWritable(false);
  serving.SetListenerAccepting(false);
  serving.SetLogWritable(true);
  serving.SetListenerAccepting(true);
  EXPECT_THAT(health.told[""], ElementsAre(false, true, false, false, false, true));
  EXPECT_THAT(health.told["wams.broker.v1.ExchangeService"],
              ElementsAre(false, true, false, false, false, true));
}

// A full disk or a standby: not ready to write, but alive, and audit reads go on.
TEST(ServingStatusTest, ALogThatCannotWriteLeavesLivenessAndAuditServing) {
  RecordingHealth health;
  ServingStatus serving;
  serving.Attach(&health);
  serving.SetLogWritable(false);
  for (const char* writing : {"", "wams.broker.v1.ExchangeService", "wams.broker.v1.CaseService",
                              "wams.broker.v1.ConferenceService"}) {
    EXPECT_FALSE(health.Now(writing)) << writing;
  }
  EXPECT_TRUE(health.Now("wams.broker.v1.AuditService"));
  EXPECT_TRUE(health.Now(kLivenessService));
  serving.SetListenerAccepting(false);
  EXPECT_FALSE(health.Now("wams.broker.v1.AuditService"));
  EXPECT_TRUE(health.Now(kLivenessService));
}

TEST(ServingStatusTest, TellsNothingAfterDetach) {
  RecordingHealth health;
  ServingStatus serving;
  serving.Attach(&health);
  serving.Detach();
  serving.SetListenerAccepting(false);
  EXPECT_THAT(health.told[""], ElementsAre(true));
}

}  // namespace
}  // namespace wams::services
