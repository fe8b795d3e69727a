// share_inbox.h: the file backend's inbox for data the municipality shares
// (R21): one file per accepted share, in a private directory.
//
// Each share becomes `<dir>/<transaction id>.json` (share_document.h), mode
// 0600 in a directory kept 0700 (broker/base/files/private_dir.h). The file is
// written atomically: to a temp file (a dot file, which readers skip), fsynced,
// then linked under its final name and the directory fsynced, so a reader
// never sees half a share and an acknowledged share survives a crash. A share
// delivered again under the same transaction id is not written twice: the
// same share is accepted as already there, a different one is refused.
// The file name is the transaction id, checked to be a safe file name; a
// BSN is never part of a name (the field rules forbid one in an id).
//
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<ShareInbox> inbox,
//   ShareInbox::Open("/var/lib/school/inbox")); auto backend =
//   std::make_unique<InboxBackend>(std::move(records), std::move(inbox));
#ifndef WAMS_ADAPTERS_BACKENDS_SHARE_INBOX_H_
#define WAMS_ADAPTERS_BACKENDS_SHARE_INBOX_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "adapters/sdk/backend.h"

namespace wams::adapters {

// Thread-safe: concurrent Puts use their own temp files, and the final link
// lets exactly one of two deliveries with the same transaction id write.
class ShareInbox {
 public:
  // Creates `dir` with mode 0700 when absent. FAILED_PRECONDITION naming
  // file_backend.share_inbox_dir when it is open to group or others or not a
  // directory; INTERNAL when it cannot be created.
  static absl::StatusOr<std::unique_ptr<ShareInbox>> Open(std::string dir);

  // "<transaction_id>.json", or INVALID_ARGUMENT naming transaction_id when it
  // is not a safe file name: 1 to 128 of A-Z a-z 0-9 . _ -, starting with a
  // letter or digit.
  static absl::StatusOr<std::string> FileNameFor(absl::string_view transaction_id);

  // Writes `share` to the inbox. Accepted once the file is durable (or the
  // same share is there already); Refused when the transaction id is not a
  // safe file name or another share is filed under it; Unavailable when the
  // disk fails (the reason names no path and no BSN).
  ShareAnswer Put(const v1::ProviderRequest& share);

  const std::string& dir() const { return dir_; }

 private:
  explicit ShareInbox(std::string dir) : dir_(std::move(dir)) {}

  const std::string dir_;
  std::atomic<unsigned long> next_temp_{0};  // unique temp names within this process
};

// A Backend that answers Fetch from another backend (the records) and files
// shares in an inbox. Thread-safe as `records` is.
class InboxBackend : public Backend {
 public:
  InboxBackend(std::unique_ptr<Backend> records, std::unique_ptr<ShareInbox> inbox)
      : records_(std::move(records)), inbox_(std::move(inbox)) {}

  CategoryAnswer Fetch(const v1::ProviderRequest& request, absl::string_view category) override {
    return records_->Fetch(request, category);
  }
  ShareAnswer Receive(const v1::ProviderRequest& share) override { return inbox_->Put(share); }

 private:
  const std::unique_ptr<Backend> records_;
  const std::unique_ptr<ShareInbox> inbox_;
};

}  // namespace wams::adapters

#endif  // WAMS_ADAPTERS_BACKENDS_SHARE_INBOX_H_
