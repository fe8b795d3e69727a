#include "adapters/sdk/bsn.h"

#include "absl/strings/ascii.h"

namespace wams::adapters {

bool IsValidBsn(absl::string_view bsn) {
  if (bsn.size() != 9) return false;
  int sum = 0;
  bool all_zero = true;
  for (size_t i = 0; i < bsn.size(); ++i) {
    if (bsn[i] < '0' || bsn[i] > '9') return false;
    int digit = bsn[i] - '0';
    all_zero = all_zero && digit == 0;
    int weight = i == 8 ? -1 : 9 - static_cast<int>(i);
    sum += digit * weight;
  }
  return !all_zero && sum % 11 == 0;
}

std::string RedactBsns(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[end]))) ++end;
    absl::string_view run = text.substr(i, end - i);
    if (IsValidBsn(run)) {
      out.append("[bsn]");
    } else {
      out.append(run.data(), run.size());
    }
    i = end;
  }
  return out;
}

}  // namespace wams::adapters
