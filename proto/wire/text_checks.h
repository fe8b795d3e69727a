// text_checks.h: the character checks behind the field rules, and the one
// place a nine-digit number is tested for being a BSN (the elfproef).
//
// Broker and adapter SDK both use these, so a value is judged the same way
// on either side of the trust boundary.
//
//   if (wire::HoldsBsn(condition)) return Blocked("conditions[0]");
//   std::string safe = wire::RedactBsns(line);
//
// Thread-safety: pure functions.
#ifndef WAMS_PROTO_WIRE_TEXT_CHECKS_H_
#define WAMS_PROTO_WIRE_TEXT_CHECKS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace wams::wire {

// True when `text` is nine digits, not all zeros, whose elfproef holds:
// 9*d1 + 8*d2 + ... + 2*d8 - d9 is a non-zero multiple of 11.
bool IsValidBsn(absl::string_view text);

// True when `text` holds a run of exactly nine digits (not part of a longer
// run) that is a valid BSN, wherever it stands ("bsn123456782" holds one).
bool HoldsBsn(absl::string_view text);

// True when `text` holds such a run standing apart: not next to a letter or
// a digit. For identifiers, where a UUID's hex group may hold nine digits
// between letters by chance, but "client-123456782" is a BSN made an id.
bool HoldsSeparateBsn(absl::string_view text);

// `text` with every run that HoldsBsn() would find replaced by "[bsn]".
std::string RedactBsns(absl::string_view text);

// Exactly 20 ASCII digits.
bool IsOinSyntax(absl::string_view text);

// A date YYYY-MM-DD that exists in the Gregorian calendar (year 0001-9999).
bool IsDateSyntax(absl::string_view text);

// A Dutch postal code written "1234 AB": four digits not starting with 0, one
// space, two capital letters other than SA, SD and SS.
bool IsPostalCodeSyntax(absl::string_view text);

// Valid UTF-8 without C0 or C1 control characters, DEL, or the Unicode line
// and paragraph separators; `allow_newline_and_tab` admits '\n' and '\t'.
bool IsPrintableUtf8(absl::string_view text, bool allow_newline_and_tab);

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

}  // namespace wams::wire

#endif  // WAMS_PROTO_WIRE_TEXT_CHECKS_H_
