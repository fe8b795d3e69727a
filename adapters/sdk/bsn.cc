#include "adapters/sdk/bsn.h"

#include "proto/wire/text_checks.h"

namespace wams::adapters {

// One elfproef for broker and adapters: the SDK's names forward to it.
bool IsValidBsn(absl::string_view bsn) { return wire::IsValidBsn(bsn); }

std::string RedactBsns(absl::string_view text) { return wire::RedactBsns(text); }

}  // namespace wams::adapters
