// problem.h: a failed call of the REST face as RFC 9457 problem details
// (application/problem+json), as the Dutch API Design Rules ask.
//
// Members: exactly type, title, status, detail and instance.
//   - status: the HTTP status of the gRPC code (HttpStatusOf; the table is
//     in broker/rest/README.md and tests/rest check the two agree);
//   - detail: the status message, which for a refusal names every failed
//     rule with its article ("refused by R09, R10: R09 (art. ...): ...");
//   - type: for a refusal, the problem type of its first failed rule,
//     "/api/v1/problem-types/R09" (served by the broker, ProblemTypeJson),
//     else "about:blank" (RFC 9457 4.2.1) with the status's reason phrase as
//     title;
//   - instance: the refusal's receipt, "/api/v1/receipts/<leaf index>",
//     whose resource serves the decision as receipted; absent when the call
//     left no receipt.
#ifndef WAMS_BROKER_REST_PROBLEM_H_
#define WAMS_BROKER_REST_PROBLEM_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace wams::rest {

inline constexpr char kProblemContentType[] = "application/problem+json";
inline constexpr char kProblemTypesPath[] = "/api/v1/problem-types";
inline constexpr char kReceiptsPath[] = "/api/v1/receipts";

// The HTTP status for a non-OK gRPC/absl code.
int HttpStatusOf(absl::StatusCode code);
// "Bad Request", "Forbidden", ...: the reason phrase of an HTTP status.
absl::string_view ReasonPhrase(int http_status);

struct Problem {
  int status = 500;
  std::string json;  // the application/problem+json body
};

// The problem for a failed call (`status` not OK).
Problem ProblemOf(const absl::Status& status);
// A problem with no rule or receipt: about:blank, the reason phrase, `detail`.
Problem PlainProblem(int http_status, absl::string_view detail);

// The JSON of the problem type of rule `rule_id` ("R09"): its id, article
// and Dutch and English titles; nullopt for an id the rule table lacks.
std::optional<std::string> ProblemTypeJson(absl::string_view rule_id);

}  // namespace wams::rest

#endif  // WAMS_BROKER_REST_PROBLEM_H_
