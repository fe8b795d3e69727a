// status_matchers.h: gMock matchers for absl::Status, absl::StatusOr<T> and
// grpc::Status, so a test asserts the code a function documents, not only
// that it failed. Abseil 20220623 ships none (design/style.md).
//
//   EXPECT_THAT(ParseBsn("123", "bsn"), StatusIs(absl::StatusCode::kInvalidArgument));
//   EXPECT_THAT(policy.status(),
//               StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("catalogs[0]")));
//   EXPECT_THAT(stub->GetCase(&context, request, &reply),
//               StatusIs(grpc::StatusCode::PERMISSION_DENIED));
//   ASSERT_THAT(ledger.Append(receipt), IsOk());
//   EXPECT_THAT(ParseOin(text, "oin"), IsOkAndHolds(Property(&Oin::value, text)));
//
// A grpc::Status is matched by its code's number (gRPC and Abseil number the
// codes alike) and its error_message(). Link wams::status_matchers. Header
// only; the matchers hold no state and may be used from any thread.
#ifndef WAMS_TESTS_TESTING_STATUS_MATCHERS_H_
#define WAMS_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "grpcpp/support/status.h"

namespace wams::testing {
namespace status_internal {

inline absl::Status ToAbsl(const absl::Status& status) { return status; }
template <typename T>
absl::Status ToAbsl(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}
inline absl::Status ToAbsl(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

inline void Explain(const absl::Status& status, ::testing::MatchResultListener* listener) {
  *listener << "which is " << absl::StatusCodeToString(status.code()) << ": \"" << status.message()
            << "\"";
}

// Matches any status type whose code and message match.
class StatusIsMatcher {
 public:
  StatusIsMatcher(::testing::Matcher<absl::StatusCode> code,
                  ::testing::Matcher<const std::string&> message)
      : code_(std::move(code)), message_(std::move(message)) {}

  template <typename StatusType>
  bool MatchAndExplain(const StatusType& actual, ::testing::MatchResultListener* listener) const {
    const absl::Status status = ToAbsl(actual);
    Explain(status, listener);
    return code_.Matches(status.code()) && message_.Matches(std::string(status.message()));
  }
  void DescribeTo(std::ostream* os) const {
    *os << "has a code that ";
    code_.DescribeTo(os);
    *os << " and a message that ";
    message_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "has a code that ";
    code_.DescribeNegationTo(os);
    *os << " or a message that ";
    message_.DescribeNegationTo(os);
  }

 private:
  ::testing::Matcher<absl::StatusCode> code_;
  ::testing::Matcher<const std::string&> message_;
};

class IsOkMatcher {
 public:
  template <typename StatusType>
  bool MatchAndExplain(const StatusType& actual, ::testing::MatchResultListener* listener) const {
    const absl::Status status = ToAbsl(actual);
    if (!status.ok()) Explain(status, listener);
    return status.ok();
  }
  void DescribeTo(std::ostream* os) const { *os << "is OK"; }
  void DescribeNegationTo(std::ostream* os) const { *os << "is not OK"; }
};

template <typename T>
class IsOkAndHoldsImpl : public ::testing::MatcherInterface<const absl::StatusOr<T>&> {
 public:
  explicit IsOkAndHoldsImpl(::testing::Matcher<const T&> value) : value_(std::move(value)) {}

  bool MatchAndExplain(const absl::StatusOr<T>& actual,
                       ::testing::MatchResultListener* listener) const override {
    if (!actual.ok()) {
      Explain(actual.status(), listener);
      return false;
    }
    ::testing::StringMatchResultListener inner;
    const bool matches = value_.MatchAndExplain(*actual, &inner);
    if (!inner.str().empty()) *listener << "whose value " << inner.str();
    return matches;
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "is OK and has a value that ";
    value_.DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is not OK or has a value that ";
    value_.DescribeNegationTo(os);
  }

 private:
  ::testing::Matcher<const T&> value_;
};

// Becomes a matcher of absl::StatusOr<T> for whichever T the assertion has.
template <typename ValueMatcher>
class IsOkAndHoldsMatcher {
 public:
  explicit IsOkAndHoldsMatcher(ValueMatcher value) : value_(std::move(value)) {}

  template <typename StatusOrType>
  operator ::testing::Matcher<StatusOrType>() const {  // NOLINT(google-explicit-constructor)
    using T = typename std::decay_t<StatusOrType>::value_type;
    return ::testing::Matcher<StatusOrType>(
        new IsOkAndHoldsImpl<T>(::testing::SafeMatcherCast<const T&>(value_)));
  }

 private:
  ValueMatcher value_;
};

}  // namespace status_internal

// The status's code matches `code` (a code or a matcher of one).
inline ::testing::PolymorphicMatcher<status_internal::StatusIsMatcher> StatusIs(
    ::testing::Matcher<absl::StatusCode> code) {
  return ::testing::MakePolymorphicMatcher(
      status_internal::StatusIsMatcher(std::move(code), ::testing::_));
}

// The status's code matches `code` and its message matches `message` (a
// string or a matcher such as HasSubstr("field")).
inline ::testing::PolymorphicMatcher<status_internal::StatusIsMatcher> StatusIs(
    ::testing::Matcher<absl::StatusCode> code, ::testing::Matcher<const std::string&> message) {
  return ::testing::MakePolymorphicMatcher(
      status_internal::StatusIsMatcher(std::move(code), std::move(message)));
}

// The same with a gRPC code, for grpc::Status above all.
inline ::testing::PolymorphicMatcher<status_internal::StatusIsMatcher> StatusIs(
    grpc::StatusCode code) {
  return StatusIs(static_cast<absl::StatusCode>(code));
}
inline ::testing::PolymorphicMatcher<status_internal::StatusIsMatcher> StatusIs(
    grpc::StatusCode code, ::testing::Matcher<const std::string&> message) {
  return StatusIs(static_cast<absl::StatusCode>(code), std::move(message));
}

inline ::testing::PolymorphicMatcher<status_internal::IsOkMatcher> IsOk() {
  return ::testing::MakePolymorphicMatcher(status_internal::IsOkMatcher());
}

// An absl::StatusOr<T> that is OK and whose value matches `value`.
template <typename ValueMatcher>
status_internal::IsOkAndHoldsMatcher<std::decay_t<ValueMatcher>> IsOkAndHolds(
    ValueMatcher&& value) {
  return status_internal::IsOkAndHoldsMatcher<std::decay_t<ValueMatcher>>(
      std::forward<ValueMatcher>(value));
}

}  // namespace wams::testing

namespace grpc {
// Lets gtest print a grpc::Status as its code and message, not as bytes
// (found by argument-dependent lookup, hence in gRPC's namespace).
inline void PrintTo(const Status& status, std::ostream* os) {
  *os << ::absl::StatusCodeToString(static_cast<::absl::StatusCode>(status.error_code())) << ": \""
      << status.error_message() << "\"";
}
}  // namespace grpc

#endif  // WAMS_TESTS_TESTING_STATUS_MATCHERS_H_
