// deterministic_bytes.h: the deterministic protobuf serialisation the broker
// signs, hashes and stores (map entries ordered), so the same message always
// gives the same bytes within one build.
//
//   std::string signed_bytes = DeterministicBytes(receipt);
#ifndef WAMS_BROKER_BASE_DETERMINISTIC_BYTES_H_
#define WAMS_BROKER_BASE_DETERMINISTIC_BYTES_H_

#include <string>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message_lite.h"

namespace wams::base {

inline std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }  // the coded stream flushes into `bytes` when it goes out of scope
  return bytes;
}

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_DETERMINISTIC_BYTES_H_
