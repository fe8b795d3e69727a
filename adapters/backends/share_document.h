// share_document.h: one share from the municipality (R21) as a
// self-describing JSON document, the form in which the reference backends
// hand it to the party: the file backend's inbox file and the HTTP backend's
// POST body (format in adapters/README.md).
//
//   {
//     "format": "wams.share.v1",
//     "transaction_id": "0190a8c0-...", "request_id": "...", "case_id": "...",
//     "subject_bsn": "111222333",        // "" for a party that may not process it (R19),
//     "subject_details": {...},          // which gets these instead (only when sent)
//     "from": {"oin": "...", "name": "...", "professional_id": "..."},
//     "purpose": "PURPOSE_RESEARCH", "justification": "...",
//     "categories": ["youth_services"],
//     "data": [{"category": "youth_services", "content_type": "application/json",
//               "content_encoding": "utf-8", "content": "{...}"}]
//   }
//
// The document holds the BSN or the identifying details (the party must know
// whom the share is about): it belongs only in the party's own private
// storage or system.
//
// Thread-safety: pure function.
#ifndef WAMS_ADAPTERS_BACKENDS_SHARE_DOCUMENT_H_
#define WAMS_ADAPTERS_BACKENDS_SHARE_DOCUMENT_H_

#include <string>

#include "wams/broker/v1/provider.pb.h"

namespace wams::adapters {

// The JSON document of `share`, indented, ending in a newline. The same share
// gives the same bytes (the traceparent, which may differ between deliveries
// of one share, is left out). Content that is valid UTF-8 is a JSON string
// ("content_encoding": "utf-8"); other content is base64 ("base64").
std::string ShareDocument(const broker::v1::ProviderRequest& share);

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_BACKENDS_SHARE_DOCUMENT_H_
