// The broker's health (broker/services/serving_status.h): SERVING only while
// the receipt log can write and the listener takes new connections (issue 15
// item 1), whatever order the two conditions change in.
#include "broker/services/serving_status.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wams::services {
namespace {

using ::testing::ElementsAre;

// Records what the health service is told.
class RecordingHealth : public grpc::HealthCheckServiceInterface {
 public:
  void SetServingStatus(const std::string&, bool) override {}
  void SetServingStatus(bool serving) override { told.push_back(serving); }
  std::vector<bool> told;
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
  EXPECT_THAT(health.told, ElementsAre(false, true, false, false, false, true));
}

TEST(ServingStatusTest, TellsNothingAfterDetach) {
  RecordingHealth health;
  ServingStatus serving;
  serving.Attach(&health);
  serving.Detach();
  serving.SetListenerAccepting(false);
  EXPECT_THAT(health.told, ElementsAre(true));
}

}  // namespace
}  // namespace wams::services
