#include "broker/ledger/store/receipt_index.h"

#include <algorithm>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/store/log_rows.h"
#include "broker/storage/key_codec.h"

namespace wams::ledger::store {
namespace {

using wams::broker::v1::Receipt;
using wams::broker::v1::SignedReceipt;
using wams::storage::AppendBigEndian64;
using wams::storage::AppendTime;
using wams::storage::Family;
using wams::storage::KeyValue;
using wams::storage::ReadBigEndian64;
using wams::storage::ScanRange;
using wams::storage::StringPrefix;

// A party entry's value: the OIN's role in the receipt.
constexpr uint8_t kRoleRequester = 1;
constexpr uint8_t kRoleTarget = 2;

}  // namespace

absl::StatusOr<IndexPrefixes> IndexPrefixesOf(const Receipt& receipt) {
  IndexPrefixes p;
  if (!receipt.case_id().empty()) {
    WAMS_ASSIGN_OR_RETURN(p.case_prefix, StringPrefix(receipt.case_id()));
  }
  if (!receipt.subject_pseudonym().empty()) {
    WAMS_ASSIGN_OR_RETURN(p.subject_prefix, StringPrefix(receipt.subject_pseudonym()));
  }
  if (!receipt.requester_oin().empty()) {
    WAMS_ASSIGN_OR_RETURN(p.requester_prefix, StringPrefix(receipt.requester_oin()));
  }
  if (!receipt.target_oin().empty()) {
    WAMS_ASSIGN_OR_RETURN(p.target_prefix, StringPrefix(receipt.target_oin()));
  }
  if (receipt.has_time()) {
    std::string t;
    AppendTime(&t, absl::FromUnixSeconds(receipt.time().seconds()) +
                       absl::Nanoseconds(receipt.time().nanos()));
    p.time_prefix = std::move(t);
  }
  return p;
}

void AddIndexEntries(const IndexPrefixes& p, uint64_t leaf_index, storage::WriteBatch& batch) {
  auto put = [&](Family family, const std::string& prefix, std::string_view value) {
    std::string key = prefix;
    AppendBigEndian64(&key, leaf_index);
    batch.Put(family, std::move(key), std::string(value));
  };
  if (!p.case_prefix.empty()) put(Family::kIdxCase, p.case_prefix, "");
  if (!p.subject_prefix.empty()) put(Family::kIdxSubject, p.subject_prefix, "");
  if (p.requester_prefix == p.target_prefix) {
    if (!p.requester_prefix.empty()) {
      const char roles = static_cast<char>(kRoleRequester | kRoleTarget);
      put(Family::kIdxParty, p.requester_prefix, std::string_view(&roles, 1));
    }
  } else {
    const char requester = static_cast<char>(kRoleRequester);
    const char target = static_cast<char>(kRoleTarget);
    if (!p.requester_prefix.empty()) {
      put(Family::kIdxParty, p.requester_prefix, std::string_view(&requester, 1));
    }
    if (!p.target_prefix.empty()) {
      put(Family::kIdxParty, p.target_prefix, std::string_view(&target, 1));
    }
  }
  if (p.time_prefix.has_value()) put(Family::kIdxTime, *p.time_prefix, "");
}

absl::StatusOr<QueryPage> QueryIndex(const storage::Backend& backend, const IndexQuery& query,
                                     size_t max_page_size) {
  if (query.page_size == 0 || query.page_size > max_page_size) {
    return absl::InvalidArgumentError(absl::StrCat("page_size must be 1..", max_page_size));
  }
  Family family = Family::kIdxCase;
  std::string end;  // kTime: exclusive upper bound
  size_t suffix_size = 8;
  switch (query.index) {
    case IndexKind::kCase:
      family = Family::kIdxCase;
      break;
    case IndexKind::kSubject:
      family = Family::kIdxSubject;
      break;
    case IndexKind::kParty:
      family = Family::kIdxParty;
      break;
    case IndexKind::kTime:
      family = Family::kIdxTime;
      suffix_size = 16;
      break;
  }
  std::vector<std::string> prefixes;
  if (query.index == IndexKind::kTime) {
    AppendTime(&end, query.to);
    prefixes.emplace_back();
  } else {
    if (query.key.empty()) return absl::InvalidArgumentError("index query key is empty");
    WAMS_ASSIGN_OR_RETURN(std::string prefix, StringPrefix(query.key));
    prefixes.push_back(std::move(prefix));
    for (const std::string& key : query.more_keys) {
      if (key.empty()) return absl::InvalidArgumentError("index query key is empty");
      WAMS_ASSIGN_OR_RETURN(std::string more, StringPrefix(key));
      prefixes.push_back(std::move(more));
    }
  }
  std::string after;  // the page token's suffix
  if (!query.page_token.empty()) {
    if (query.page_token.size() != 2 * suffix_size ||
        !absl::c_all_of(query.page_token, [](char c) { return absl::ascii_isxdigit(c); })) {
      return absl::InvalidArgumentError("page_token is malformed");
    }
    after = absl::HexStringToBytes(query.page_token);
  }

  QueryPage page;
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend.Snapshot());
  // Each key's entries after the token, one more than a page (whether there
  // is a next page), merged in key-suffix order (log order; time order for
  // kTime, which has one prefix), each suffix once.
  std::vector<std::string> suffixes;
  for (const std::string& prefix : prefixes) {
    std::string start = prefix;
    if (!after.empty()) {
      start += after;
      start.push_back('\0');  // suffixes are fixed-size: this sorts just after the token's key
    } else if (query.index == IndexKind::kTime) {
      AppendTime(&start, query.from);
    }
    ScanRange range{start, query.index == IndexKind::kTime ? end : storage::PrefixEnd(prefix),
                    query.page_size + 1, false};
    WAMS_ASSIGN_OR_RETURN(std::vector<KeyValue> rows, snapshot->Scan(family, range));
    for (const KeyValue& row : rows) {
      const std::string_view k = row.key;
      if (k.size() != prefix.size() + suffix_size || !k.starts_with(prefix)) break;
      suffixes.emplace_back(k.substr(prefix.size()));
    }
  }
  if (prefixes.size() > 1) {
    absl::c_sort(suffixes);
    suffixes.erase(std::unique(suffixes.begin(), suffixes.end()), suffixes.end());
  }
  std::string last_suffix;
  size_t page_bytes = 0;
  for (const std::string& suffix : suffixes) {
    if (page.leaf_indexes.size() == query.page_size) {
      page.next_page_token = absl::BytesToHexString(last_suffix);
      break;
    }
    uint64_t leaf = ReadBigEndian64(std::string_view(suffix).substr(suffix.size() - 8));
    if (query.with_receipts) {
      WAMS_ASSIGN_OR_RETURN(SignedReceipt r, ReadReceipt(*snapshot, leaf));
      // The page's byte bound keeps a response within what clients receive
      // (base::kClientReceiveLimitBytes), whatever the receipts' sizes.
      const size_t size = r.ByteSizeLong();
      if (query.max_page_bytes > 0 && !page.receipts.empty() &&
          page_bytes + size > query.max_page_bytes) {
        page.next_page_token = absl::BytesToHexString(last_suffix);
        break;
      }
      page_bytes += size;
      page.receipts.push_back(std::move(r));
    }
    page.leaf_indexes.push_back(leaf);
    last_suffix = suffix;
  }
  return page;
}

}  // namespace wams::ledger::store
