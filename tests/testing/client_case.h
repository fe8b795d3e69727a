// client_case.h: opens a client-initiated case at a real broker, the first
// step of most tests that exchange data through it.
//
//   std::string case_id = OpenClientCase(broker, "open-1", kClientBsn,
//                                        {v1::DOMAIN_EDUCATION, v1::DOMAIN_HOUSING});
//
// Thread-safety: as the BrokerFixture it uses (one call at a time per test).
#ifndef WAMS_TESTS_TESTING_CLIENT_CASE_H_
#define WAMS_TESTS_TESTING_CLIENT_CASE_H_

#include <string>
#include <string_view>
#include <vector>

#include "tests/testing/broker_fixture.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::testing {

namespace v1 = ::wams::broker::v1;

// Opens a case for `bsn` under the Wmo 2015 with `domains_in` in the client's
// scope, as the municipality's professional "wmo-consulent-12". Returns the
// case id; a refusal fails the calling test (and returns "").
std::string OpenClientCase(const BrokerFixture& broker, std::string_view request_id,
                           std::string_view bsn, const std::vector<v1::Domain>& domains_in);

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_CLIENT_CASE_H_
