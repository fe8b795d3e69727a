// case_reader.h: the narrow read of a case that a decision about a data
// request or a share needs, and the one write that follows a grant.
//
// The exchange decides on the case's facts (phase, municipality,
// coordination, clients, scope, involved parties) and the subject's
// consents; it never changes a case except to record that a granted
// provider is now involved (R21). These two seams are all it holds of the
// case room, so it can be tested with fakes and cannot reach the lifecycle.
// CaseManager implements both. The conference room reads its cases through
// a CaseReader too.
//
//   WAMS_ASSIGN_OR_RETURN(std::optional<v1::Case> found,
//                         reader.Snapshot(request.case_id(), request.subject_bsn()));
//   // nullopt: no such case (the policy refuses, R09); an error: retry later.
//
// Implementations are thread-safe.
#ifndef WAMS_BROKER_CASES_CASE_READER_H_
#define WAMS_BROKER_CASES_CASE_READER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::cases {

namespace v1 = ::wams::broker::v1;

class CaseReader {
 public:
  virtual ~CaseReader() = default;

  // The case as the policy must see it for a request about `subject_bsn`:
  // the client and consents of that subject carry the BSN again (the policy
  // matches them on it, policy::SubjectKey::Bsn); others keep only their
  // pseudonym; an empty `subject_bsn` gives the case as stored, pseudonyms
  // only (a case conference names no BSN). nullopt when there is no such
  // case. An error when the case
  // cannot be read: UNAVAILABLE (storage trouble; a retry can help) or
  // DATA_LOSS (the stored case does not parse). Never an error for a case
  // that does not exist.
  virtual absl::StatusOr<std::optional<v1::Case>> Snapshot(const std::string& case_id,
                                                           absl::string_view subject_bsn) const = 0;
};

class InvolvementRecorder {
 public:
  virtual ~InvolvementRecorder() = default;

  // Appends `decision`, the granting decision receipt of a request to
  // `party_oin` in the case, with the case's record naming the party as
  // involved when it is not yet (R21: the municipality may share with it
  // later) in the receipt's batch: one fsync, and after a crash both or
  // neither. Blocks for one group commit. NOT_FOUND when there is no such
  // case (nothing appended); otherwise the codes of Ledger::Append.
  virtual absl::StatusOr<v1::SignedReceipt> AppendInvolving(const std::string& case_id,
                                                            const std::string& party_oin,
                                                            const v1::Receipt& decision) = 0;
};

}  // namespace wams::cases

#endif  // WAMS_BROKER_CASES_CASE_READER_H_
