// names.h (internal): small predicates on names shared by the catalogue and
// the decision code. Not part of the public API.
#ifndef WAMS_POLICY_INTERNAL_NAMES_H_
#define WAMS_POLICY_INTERNAL_NAMES_H_

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace wams::policy::internal {

// True for a category name that asks for "everything" rather than naming data:
// glob characters, or the words all/alles/alle/any/everything/* in any case.
// R06 refuses such requests; the catalogue refuses such names.
inline bool IsWildcardCategory(absl::string_view name) {
  for (char c : name) {
    if (c == '*' || c == '%' || c == '?') return true;
  }
  if (name.size() > 10) return false;  // longer than any word below
  for (absl::string_view word : {"all", "alle", "alles", "any", "everything"}) {
    if (absl::EqualsIgnoreCase(name, word)) return true;
  }
  return false;
}

// String equality that rejects most unequal names without calling memcmp:
// names compared in the hot loops (categories, BSNs, OINs) usually share a
// length and a prefix but differ in the last character.
inline bool FastEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return a.back() == b.back() && a == b;
}

// True when `text` holds something other than ASCII whitespace.
inline bool HasContent(absl::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return true;
  }
  return false;
}

}  // namespace wams::policy::internal

#endif  // WAMS_POLICY_INTERNAL_NAMES_H_
