// message_limits.h: the sizes that bound every message the broker sends,
// and the receive limit its command-line clients (wams-audit, wamsctl) set
// from them. One place, so that the broker's maxima and the clients' limits
// cannot drift apart: a client whose receive limit is below a message the
// broker may send fails on it for good (gRPC's default is 4 MiB).
//
//   grpc::ChannelArguments args;
//   args.SetMaxReceiveMessageSize(wams::base::kClientReceiveLimitBytes);
//
// Constants only; thread-safe.
#ifndef WAMS_BROKER_BASE_MESSAGE_LIMITS_H_
#define WAMS_BROKER_BASE_MESSAGE_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace wams::base {

// limits.max_receipt_bytes: its default and the range the config accepts.
// The largest receipt the walkthrough makes is 667 bytes; the request
// limits (justification, categories, reasons) allow a few KiB; 64 KiB leaves
// room for every legitimate receipt while a page of them stays small.
inline constexpr uint32_t kDefaultMaxReceiptBytes = 64 * 1024;
inline constexpr uint32_t kMinMaxReceiptBytes = 4 * 1024;
inline constexpr uint32_t kMaxMaxReceiptBytes = 1024 * 1024;

// A page of receipts (AuditService.ListReceipts, the receipts read for one
// page of a disclosure overview) holds at most this many bytes of receipts,
// or one receipt when a single one is larger: the page ends early and its
// next_page_token goes on from there. 3 MiB: with framing, a page still fits
// gRPC's default 4 MiB receive limit of clients that keep it.
inline constexpr size_t kMaxPageBytes = 3 * 1024 * 1024;

// The receive limit of wams-audit and wamsctl. The largest messages the
// broker sends: a ListReceipts page (kMaxPageBytes, or one receipt of at most
// kMaxMaxReceiptBytes, plus framing), a disclosure-overview page (its entries
// and document are smaller than the page's receipts, so at most twice
// kMaxPageBytes), an Export chunk (one receipt), and a data response (the
// provider's payload, which the broker takes up to gRPC's 4 MiB default, plus
// two receipts and the decision). 16 MiB covers each with room, also a
// receipt of up to 16 MiB written before limits.max_receipt_bytes existed.
inline constexpr int kClientReceiveLimitBytes = 16 * 1024 * 1024;

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_MESSAGE_LIMITS_H_
