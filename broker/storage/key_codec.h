// key_codec.h: the one key codec of the broker's database (every backend). Every integer in a
// key is big-endian so that the bytewise key order is numeric order; every
// variable-length string component is prefixed with its length (2 bytes,
// big-endian) so that no key is a prefix of another component's key.
//
//   std::string k = LeafKey(42);                       // receipts family
//   std::string n = NodeKey(3, 5);                     // nodes family
//   std::string p = StringPrefix("case-1");            // idx_case prefix
//   absl::StatusOr<uint64_t> i = DecodeLeafKey(k);
//
// The layout is a contract: changing it needs a new kLayoutVersion and a
// migration. See broker/storage/README.md. Pure functions: thread-safe.
#ifndef WAMS_BROKER_STORAGE_KEY_CODEC_H_
#define WAMS_BROKER_STORAGE_KEY_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace wams::storage {

// Appends `v` as 8 big-endian bytes.
void AppendBigEndian64(std::string* out, uint64_t v);
// Reads 8 big-endian bytes at the start of `in`; `in` must hold at least 8.
uint64_t ReadBigEndian64(std::string_view in);

// receipts family: be64(leaf_index).
std::string LeafKey(uint64_t leaf_index);
// nodes family: u8(level) || be64(index).
std::string NodeKey(int level, uint64_t index);
// checkpoints family: be64(tree_size).
std::string CheckpointKey(uint64_t tree_size);

// A length-prefixed string component: be16(len) || bytes. INVALID_ARGUMENT
// when longer than 65535 bytes.
absl::StatusOr<std::string> StringPrefix(std::string_view component);

// Time as 8 bytes that sort in time order, also before 1970:
// be64(unix_nanos XOR 2^63). Times outside the int64 nanosecond range are
// clamped.
void AppendTime(std::string* out, absl::Time t);
absl::Time ReadTime(std::string_view in);

// Decodes an 8-byte key or key suffix; DATA_LOSS when the size is wrong.
absl::StatusOr<uint64_t> DecodeBigEndian64(std::string_view in);

// Keys of the meta family.
inline constexpr std::string_view kMetaLayoutVersion = "layout_version";
inline constexpr std::string_view kMetaTreeSize = "tree_size";

// Version of this on-disk layout, stored under kMetaLayoutVersion.
inline constexpr uint64_t kLayoutVersion = 1;

}  // namespace wams::storage

#endif  // WAMS_BROKER_STORAGE_KEY_CODEC_H_
