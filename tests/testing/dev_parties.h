// dev_parties.h: the OINs of the dev PKI (deploy/dev-pki.sh) and the example
// config, and BSNs of fictional people (each passes the elfproef), shared by
// every test that talks to a real broker or adapter.
#ifndef WAMS_TESTS_TESTING_DEV_PARTIES_H_
#define WAMS_TESTS_TESTING_DEV_PARTIES_H_

namespace wams::testing {

inline constexpr char kBrokerOin[] = "00000001001234567100";
inline constexpr char kMunicipalityOin[] = "00000001001234567000";
inline constexpr char kTeamOin[] = "00000003123456780000";  // the neighbourhood team
inline constexpr char kGgzOin[] = "00000003234567890000";
inline constexpr char kSchoolOin[] = "00000003345678900000";
inline constexpr char kPoliceOin[] = "00000001003214345000";
inline constexpr char kProbationOin[] = "00000003456789010000";
inline constexpr char kHousingOin[] = "00000003567890120000";  // may not process the BSN (R19)
inline constexpr char kAuditorOin[] = "00000001004567890000";
inline constexpr char kOutsiderOin[] = "00000009999999990000";  // valid certificate, not registered

inline constexpr char kClientBsn[] = "111222333";
inline constexpr char kOtherPersonBsn[] = "123456782";
inline constexpr char kFamilyBsn[] = "999990019";

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_DEV_PARTIES_H_
