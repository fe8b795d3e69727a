// protocol.h: the C2SP tlog-witness add-checkpoint call's bodies
// (https://c2sp.org/tlog-witness), shared by the broker's witness client
// (witness_pusher.h) and the witness server of `wams-audit witness-serve`.
//
//   POST <witness url>/add-checkpoint
//   request:  "old <size>\n", one base64 proof hash per line, "\n", the checkpoint note
//   200:      the witness's cosignature line(s) "— name base64\n"
//   409:      Content-Type text/x.tlog.size, "<the witness's size>\n"
//   400 malformed, 403 no trusted signature, 404 unknown origin, 422 proof does not verify
//
//   std::string body = FormatAddCheckpointRequest({.old_size = 8, .proof = hashes, .note = note});
//   WAMS_ASSIGN_OR_RETURN(AddCheckpointRequest request, ParseAddCheckpointRequest(body));
//
// Plain functions and data: thread-compatible.
#ifndef WAMS_BROKER_WITNESSING_PROTOCOL_H_
#define WAMS_BROKER_WITNESSING_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/ledger/crypto/sha256.h"

namespace wams::witnessing {

inline constexpr char kAddCheckpointPath[] = "/add-checkpoint";
inline constexpr char kTreeSizeContentType[] = "text/x.tlog.size";
// The spec's bound on proof lines (a proof in a tree of 2^64 leaves).
inline constexpr size_t kMaxProofLines = 63;
// Bound on a request body: a checkpoint note has at most 100 signature
// lines of ~150 bytes, a proof 63 lines of 45 bytes.
inline constexpr size_t kMaxRequestBytes = 64 * 1024;
// Bound on a 200 response body the client reads.
inline constexpr size_t kMaxResponseBytes = 16 * 1024;

struct AddCheckpointRequest {
  // The size of the checkpoint the witness last cosigned for this origin (0: none).
  uint64_t old_size = 0;
  // RFC 6962 consistency proof from old_size to the checkpoint's size.
  std::vector<ledger::Digest> proof;
  // The signed checkpoint note, byte for byte.
  std::string note;
};

// The request body. Precondition: at most kMaxProofLines hashes.
std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request);
// INVALID_ARGUMENT (the witness answers 400) saying what is wrong: larger
// than kMaxRequestBytes, no "old N" line or N not canonical decimal, a proof
// line that is not base64 of 32 bytes, more than kMaxProofLines of them, no
// empty line before the note, an empty note. The note itself is parsed by
// its reader (ledger::ParseNote).
absl::StatusOr<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body);

// The 409 body: "<size>\n".
std::string FormatTreeSize(uint64_t size);
// INVALID_ARGUMENT unless `body` is canonical decimal followed by "\n".
absl::StatusOr<uint64_t> ParseTreeSize(std::string_view body);

// The lines of a 200 body, each with its "\n". INVALID_ARGUMENT when empty,
// larger than kMaxResponseBytes, a line does not start with "— " or the
// body does not end in "\n".
absl::StatusOr<std::vector<std::string>> ParseCosignatureLines(std::string_view body);

}  // namespace wams::witnessing

#endif  // WAMS_BROKER_WITNESSING_PROTOCOL_H_
