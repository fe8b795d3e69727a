// status_macros.h: early-return helpers for absl::Status and absl::StatusOr.
//
// Abseil 20220623 (Debian 12) ships no RETURN_IF_ERROR / ASSIGN_OR_RETURN, so
// the project defines them once here, at the bottom of the dependency graph
// where every library can use them.
//
//   absl::StatusOr<Config> Load(std::string_view path) {
//     WAMS_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
//     WAMS_RETURN_IF_ERROR(Validate(text));
//     ...
//   }
#ifndef WAMS_BROKER_BASE_STATUS_MACROS_H_
#define WAMS_BROKER_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define WAMS_RETURN_IF_ERROR(expr)                                \
  do {                                                            \
    if (absl::Status wams_status_ = (expr); !wams_status_.ok()) { \
      return wams_status_;                                        \
    }                                                             \
  } while (false)

#define WAMS_STATUS_CONCAT_INNER_(a, b) a##b
#define WAMS_STATUS_CONCAT_(a, b) WAMS_STATUS_CONCAT_INNER_(a, b)

#define WAMS_ASSIGN_OR_RETURN(lhs, expr) \
  WAMS_ASSIGN_OR_RETURN_IMPL_(WAMS_STATUS_CONCAT_(wams_or_, __LINE__), lhs, expr)

// `statusor` names a variable and `lhs` is a declaration: neither can be put
// in parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define WAMS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)   \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // WAMS_BROKER_BASE_STATUS_MACROS_H_
