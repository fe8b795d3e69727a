// config_fuzzer.cc: the broker's and the reference adapter's config parsers
// and validators on arbitrary text (textproto, or JSON when it starts with
// '{'), as an operator's file or a hostile one reaches them.
//
// Invariants (a crash when broken):
//   - parsing and validating never crash and fail only with INVALID_ARGUMENT;
//   - a config that parses (with UTF-8 strings) prints back (textproto and,
//     when protobuf can print it, JSON) to text that parses to the same
//     message;
//   - validation is deterministic (the same code; which of several bad
//     fields it names may follow hash-map order);
//   - a validated adapter config holds only UTF-8 strings, so the answers
//     it shapes (legal basis, conditions) parse at the broker;
//   - a validated BrokerConfig builds the party registry and the policy
//     (what start-up does next without touching a file), and every party it
//     lists is found in both.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "adapters/reference/adapter_config.h"
#include "broker/base/deterministic_bytes.h"
#include "broker/config/config_loader.h"
#include "broker/identity/party_registry.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "policy/policy.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

namespace v1 = ::wams::broker::v1;
using ::wams::base::DeterministicBytes;

// Prints `message` as textproto and JSON and checks that `parse` reads each
// back to the same message.
// True when every string field is UTF-8, as protobuf's binary parser (the
// broker's and the adapter's gRPC peers) demands; the text and JSON parsers
// accept any bytes.
template <typename Message>
bool WireParses(const Message& message) {
  Message binary;
  return binary.ParseFromString(DeterministicBytes(message));
}

template <typename Message, typename Parse>
void CheckRoundTrip(const Message& message, Parse parse) {
  const std::string bytes = DeterministicBytes(message);
  // A string that is not UTF-8 has no faithful JSON spelling: no round trip.
  if (!WireParses(message)) return;
  std::string text;
  WAMS_FUZZ_CHECK(google::protobuf::TextFormat::PrintToString(message, &text));
  auto reparsed = parse(text);
  WAMS_FUZZ_CHECK_MSG(reparsed.ok(), reparsed.status().ToString());
  WAMS_FUZZ_CHECK(DeterministicBytes(*reparsed) == bytes);

  std::string json;
  // Protobuf refuses to print some values as JSON (e.g. a Duration beyond
  // its JSON range); only what it prints must read back.
  if (google::protobuf::util::MessageToJsonString(message, &json).ok()) {
    auto from_json = parse(json);
    WAMS_FUZZ_CHECK_MSG(from_json.ok(), from_json.status().ToString());
    WAMS_FUZZ_CHECK(DeterministicBytes(*from_json) == bytes);
  }
}

void FuzzBrokerConfig(absl::string_view text) {
  absl::StatusOr<v1::BrokerConfig> config = wams::config::ParseBrokerConfig(text);
  if (!config.ok()) {
    WAMS_FUZZ_CHECK_MSG(config.status().code() == absl::StatusCode::kInvalidArgument,
                        config.status().ToString());
    return;
  }
  CheckRoundTrip(*config, [](const std::string& t) { return wams::config::ParseBrokerConfig(t); });

  absl::Status valid = wams::config::ValidateBrokerConfig(*config);
  const absl::Status again = wams::config::ValidateBrokerConfig(*config);
  // Which of several bad fields a message names may follow hash-map order.
  WAMS_FUZZ_CHECK_MSG(again.code() == valid.code(), valid.ToString() + " then " + again.ToString());
  if (!valid.ok()) {
    WAMS_FUZZ_CHECK_MSG(valid.code() == absl::StatusCode::kInvalidArgument, valid.ToString());
    WAMS_FUZZ_CHECK(!valid.message().empty());
    return;
  }
  absl::StatusOr<wams::identity::PartyRegistry> registry =
      wams::identity::PartyRegistry::Create(*config);
  WAMS_FUZZ_CHECK_MSG(registry.ok(), registry.status().ToString());
  absl::StatusOr<wams::policy::Policy> policy = wams::policy::Policy::Create(*config);
  WAMS_FUZZ_CHECK_MSG(policy.ok(), policy.status().ToString());
  WAMS_FUZZ_CHECK(registry->size() == static_cast<size_t>(config->parties_size()));
  for (const v1::Party& party : config->parties()) {
    WAMS_FUZZ_CHECK(registry->Find(party.oin()) != nullptr);
    WAMS_FUZZ_CHECK(policy->catalogue().FindParty(party.oin()) != nullptr);
  }
}

void FuzzAdapterConfig(absl::string_view text) {
  absl::StatusOr<wams::adapters::AdapterConfig> config = wams::adapters::ParseAdapterConfig(text);
  if (!config.ok()) {
    WAMS_FUZZ_CHECK_MSG(config.status().code() == absl::StatusCode::kInvalidArgument,
                        config.status().ToString());
    return;
  }
  CheckRoundTrip(*config,
                 [](const std::string& t) { return wams::adapters::ParseAdapterConfig(t); });
  absl::Status valid = wams::adapters::ValidateAdapterConfig(*config);
  const absl::Status again = wams::adapters::ValidateAdapterConfig(*config);
  // Which of several bad fields a message names may follow hash-map order.
  WAMS_FUZZ_CHECK_MSG(again.code() == valid.code(), valid.ToString() + " then " + again.ToString());
  if (!valid.ok()) {
    WAMS_FUZZ_CHECK_MSG(valid.code() == absl::StatusCode::kInvalidArgument, valid.ToString());
    return;
  }
  // What the adapter sends (legal basis, conditions, statements) must parse
  // at the broker: a validated config holds UTF-8 only.
  WAMS_FUZZ_CHECK(WireParses(*config));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Protobuf logs every invalid string it parses; the fuzzer makes millions.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Configs are small files; protobuf's text parser is linear, so a cap only
  // keeps the fuzzer on inputs of a realistic size.
  if (size > 64 * 1024) return 0;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  FuzzBrokerConfig(text);
  FuzzAdapterConfig(text);
  return 0;
}
