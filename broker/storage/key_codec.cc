#include "broker/storage/key_codec.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace wams::storage {

void AppendBigEndian64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, sizeof(buf));
}

uint64_t ReadBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string LeafKey(uint64_t leaf_index) {
  std::string k;
  k.reserve(8);
  AppendBigEndian64(&k, leaf_index);
  return k;
}

std::string NodeKey(int level, uint64_t index) {
  std::string k;
  k.reserve(9);
  k.push_back(static_cast<char>(level));
  AppendBigEndian64(&k, index);
  return k;
}

std::string CheckpointKey(uint64_t tree_size) { return LeafKey(tree_size); }

absl::StatusOr<std::string> StringPrefix(std::string_view component) {
  if (component.size() > 0xffff) {
    return absl::InvalidArgumentError(
        absl::StrCat("index key component is ", component.size(), " bytes; at most 65535"));
  }
  std::string k;
  k.reserve(2 + component.size());
  k.push_back(static_cast<char>(component.size() >> 8));
  k.push_back(static_cast<char>(component.size() & 0xff));
  k.append(component);
  return k;
}

void AppendTime(std::string* out, absl::Time t) {
  int64_t nanos;
  if (t <= absl::FromUnixNanos(std::numeric_limits<int64_t>::min())) {
    nanos = std::numeric_limits<int64_t>::min();
  } else if (t >= absl::FromUnixNanos(std::numeric_limits<int64_t>::max())) {
    nanos = std::numeric_limits<int64_t>::max();
  } else {
    nanos = absl::ToUnixNanos(t);
  }
  AppendBigEndian64(out, static_cast<uint64_t>(nanos) ^ (uint64_t{1} << 63));
}

absl::Time ReadTime(std::string_view in) {
  return absl::FromUnixNanos(static_cast<int64_t>(ReadBigEndian64(in) ^ (uint64_t{1} << 63)));
}

absl::StatusOr<uint64_t> DecodeBigEndian64(std::string_view in) {
  if (in.size() != 8) {
    return absl::DataLossError(absl::StrCat("expected an 8-byte key, got ", in.size(), " bytes"));
  }
  return ReadBigEndian64(in);
}

}  // namespace wams::storage
