#include "broker/identity/caller_identity.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/base/logging/log.h"
#include "proto/wire/field_validator.h"
#include "wams/broker/v1/provider.pb.h"

namespace wams::identity {

// A revoked client that keeps retrying must not flood the log: at most one
// line a second, with the number of refusals since the last line.
void Authenticator::LogRefusal(const absl::Status& status) const {
  unlogged_refusals_.fetch_add(1);
  int64_t now = absl::GetCurrentTimeNanos();
  int64_t last = last_refusal_log_ns_.load();
  if (now - last < 1'000'000'000 || !last_refusal_log_ns_.compare_exchange_strong(last, now)) {
    return;
  }
  logging::LogWarning(absl::StrCat("refused ", unlogged_refusals_.exchange(0),
                                   " call(s) with a revoked certificate, e.g. ", status.message()));
}

absl::StatusOr<Caller> Authenticator::Identify(
    const grpc::AuthContext& auth_context,
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const {
  if (!auth_context.IsPeerAuthenticated()) {
    return absl::UnauthenticatedError("no verified client certificate");
  }
  std::vector<grpc::string_ref> pems = auth_context.FindPropertyValues("x509_pem_cert");
  if (pems.empty()) {
    return absl::UnauthenticatedError("no client certificate in the TLS session");
  }
  std::optional<absl::string_view> professional_id;
  if (auto found = metadata.find(kProfessionalIdHeader); found != metadata.end()) {
    professional_id = absl::string_view(found->second.data(), found->second.size());
  }
  return IdentifyVerified(absl::string_view(pems.front().data(), pems.front().size()),
                          professional_id);
}

absl::StatusOr<Caller> Authenticator::IdentifyVerified(
    absl::string_view certificate_pem, std::optional<absl::string_view> professional_id) const {
  absl::StatusOr<std::shared_ptr<const pki::PeerCertificate>> peer =
      certificates_.Read(certificate_pem);
  if (!peer.ok()) return peer.status();
  if (crl_ != nullptr) {
    if (absl::Status revoked = crl_->Check(*(*peer)->certificate); !revoked.ok()) {
      LogRefusal(revoked);
      return revoked;
    }
  }
  const std::string& oin = (*peer)->oin;

  Caller caller;
  caller.certificate_oin = oin;
  caller.party = registry_.Find(oin);
  if (caller.party == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("unknown party: OIN ", oin, " is not in the broker's party registry"));
  }
  if (professional_id.has_value()) {
    // Recorded in receipts and sent to providers: the rule of the field that
    // carries it to them.
    const broker::v1::FieldRule& rule =
        wire::RuleOf(*broker::v1::ProviderRequest::descriptor(), "professional_id");
    if (std::optional<wire::Violation> bad =
            wire::CheckValue(kProfessionalIdHeader, rule, *professional_id)) {
      return bad->ToStatus();
    }
    caller.professional_id = std::string(*professional_id);
  }
  return caller;
}

}  // namespace wams::identity
