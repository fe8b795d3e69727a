// policy.cc: building a Policy (catalogue, version digest) and the R19
// forwarding readings of a decision. The decisions themselves are in
// request_rules.cc, answer_rules.cc, case_decisions.cc and
// conference_decisions.cc.
#include "policy/policy.h"

#include <openssl/evp.h>

#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "policy/rules.h"

namespace wams::policy {
namespace {

absl::StatusOr<std::string> Sha256Hex(absl::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("SHA-256 of the policy failed in OpenSSL");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), static_cast<std::size_t>(length)));
}

}  // namespace

bool ForwardsBsn(const v1::Decision& decision, const v1::Party& target) {
  return decision.allowed() && target.may_process_bsn();
}

bool ForwardsSubjectDetails(const v1::Decision& decision, const v1::Party& target) {
  return decision.allowed() && !target.may_process_bsn();
}

Policy::Policy(Catalogue catalogue, std::string digest_hex)
    : catalogue_(std::move(catalogue)),
      digest_hex_(std::move(digest_hex)),
      version_(absl::StrCat(kEngineRevision, "/", digest_hex_.substr(0, 16))) {}

absl::StatusOr<Policy> Policy::Create(const v1::BrokerConfig& config) {
  return Create(config.catalogs(), config.parties());
}

absl::StatusOr<Policy> Policy::Create(
    const google::protobuf::RepeatedPtrField<v1::CategoryCatalog>& catalogs,
    const google::protobuf::RepeatedPtrField<v1::Party>& parties) {
  WAMS_ASSIGN_OR_RETURN(Catalogue catalogue, Catalogue::Create(catalogs, parties));
  std::string text = absl::StrCat(kEngineRevision, "\n");
  for (const RuleInfo& rule : RuleTable()) absl::StrAppend(&text, rule.id, " ", rule.article, "\n");
  text += catalogue.canonical_text();
  WAMS_ASSIGN_OR_RETURN(std::string digest, Sha256Hex(text));
  return Policy(std::move(catalogue), std::move(digest));
}

}  // namespace wams::policy
