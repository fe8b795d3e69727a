#include "broker/identity/caller_identity.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/identity/certificate_oin.h"

namespace wams::identity {
namespace {

// Professional ids are recorded in receipts: keep them short and printable.
constexpr size_t kMaxProfessionalIdLength = 128;

bool IsPrintableId(absl::string_view id) {
  for (char c : id) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

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
  absl::StatusOr<std::string> oin =
      OinFromCertificatePem(absl::string_view(pems.front().data(), pems.front().size()));
  if (!oin.ok()) return oin.status();

  Caller caller;
  caller.certificate_oin = *oin;
  caller.party = registry_.Find(*oin);
  if (caller.party == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("unknown party: OIN ", *oin, " is not in the broker's party registry"));
  }
  if (auto found = metadata.find(kProfessionalIdHeader); found != metadata.end()) {
    absl::string_view id(found->second.data(), found->second.size());
    if (id.size() > kMaxProfessionalIdLength || !IsPrintableId(id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          kProfessionalIdHeader, ": must be 1 to 128 printable characters without spaces"));
    }
    caller.professional_id = std::string(id);
  }
  return caller;
}

}  // namespace wams::identity
