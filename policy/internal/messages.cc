#include "policy/internal/messages.h"

#include <cstddef>

namespace wams::policy::internal {
namespace {

struct Texts {
  absl::string_view nl;
  absl::string_view en;
};

#define WAMS_POLICY_MESSAGE_TEXT_(name, nl, en) {nl, en},
constexpr Texts kTexts[] = {WAMS_POLICY_MESSAGES(WAMS_POLICY_MESSAGE_TEXT_)};
#undef WAMS_POLICY_MESSAGE_TEXT_

static_assert(sizeof(kTexts) / sizeof(kTexts[0]) == static_cast<std::size_t>(Msg::kCount));

}  // namespace

absl::string_view Text(Msg msg, broker::v1::Language language) {
  const Texts& texts = kTexts[static_cast<std::size_t>(msg)];
  return language == broker::v1::LANGUAGE_ENGLISH ? texts.en : texts.nl;
}

}  // namespace wams::policy::internal
