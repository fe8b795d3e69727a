// bsn.h: the check on a Dutch citizen service number (BSN).
//
// A BSN has nine digits and passes the eleven test (elfproef): the digits,
// weighted 9, 8, ..., 2 and the last -1, sum to a multiple of 11.
//
//   if (!IsValidBsn(request.subject_bsn())) return InvalidArgument(...);
//   LogInfo(RedactBsns(line));
#ifndef WAMS_ADAPTERS_SDK_BSN_H_
#define WAMS_ADAPTERS_SDK_BSN_H_

#include <string>

#include "absl/strings/string_view.h"

namespace wams::adapters {

// True when `bsn` is nine digits passing the eleven test and not all zeros.
bool IsValidBsn(absl::string_view bsn);

// `text` with every run of exactly nine digits that is a valid BSN replaced by
// "[bsn]". A last guard for log lines, which may carry ids a requester chose.
std::string RedactBsns(absl::string_view text);

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_SDK_BSN_H_
