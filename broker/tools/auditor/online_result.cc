#include "broker/tools/auditor/online_result.h"

#include <string>

namespace wams::auditor {
namespace {

using Fields = google::protobuf::Map<std::string, google::protobuf::Value>;

void SetText(Fields& fields, const std::string& key, const std::string& text) {
  fields[key].set_string_value(text);
}
// JSON numbers are doubles: exact up to 2^53, far beyond any tree size.
void SetNumber(Fields& fields, const std::string& key, uint64_t number) {
  fields[key].set_number_value(static_cast<double>(number));
}
void SetBool(Fields& fields, const std::string& key, bool value) {
  fields[key].set_bool_value(value);
}

void SetCheckpoint(Fields& fields, const std::string& key, const CheckpointSummary& checkpoint) {
  Fields& inner = *fields[key].mutable_struct_value()->mutable_fields();
  SetText(inner, "origin", checkpoint.origin);
  SetNumber(inner, "tree_size", checkpoint.tree_size);
  SetText(inner, "root", checkpoint.root_hex);
  if (checkpoint.cosignatures.has_value()) {
    SetNumber(inner, "cosignatures", *checkpoint.cosignatures);
  }
}

void PrintMonitorText(const OnlineResult& result, std::ostream& out) {
  const MonitorFound& monitor = *result.monitor;
  if (monitor.receipts_verified.has_value()) {
    out << "receipts verified: " << *monitor.receipts_verified << "\n";
  }
  if (!monitor.checked) return;
  if (monitor.saved.has_value()) {
    out << "consistent with the saved checkpoint of size " << monitor.saved->tree_size << "\n";
  } else {
    out << "no saved checkpoint: trusting this one from now on\n";
  }
  if (monitor.state_saved && result.checkpoint.has_value()) {
    out << "OK: checkpoint " << result.checkpoint->tree_size << " root "
        << result.checkpoint->root_hex << " saved to " << monitor.state_file << "\n";
  }
}

void PrintSuccessText(const OnlineResult& result, std::ostream& out) {
  if (result.witnesses.has_value()) {
    for (const std::string& name : result.witnesses->valid) {
      out << "cosigned by witness: " << name << "\n";
    }
  }
  if (result.fetch.has_value() && result.fetch->from_index.has_value() &&
      result.checkpoint.has_value()) {
    out << "continued from " << *result.fetch->from_index << ": " << result.fetch->receipts
        << " new receipts, consistent with the earlier checkpoint\n";
  }
  if (result.fetch.has_value() && result.checkpoint.has_value()) {
    const CheckpointSummary& checkpoint = *result.checkpoint;
    out << "fetched " << checkpoint.tree_size << " receipts into " << result.fetch->dir
        << "\ncheckpoint: " << checkpoint.origin << " size " << checkpoint.tree_size
        << "\ncosignatures: " << checkpoint.cosignatures.value_or(0) << "\nnext: wams-audit verify "
        << result.fetch->dir << "\n";
  }
  if (result.inclusion.has_value() && result.checkpoint.has_value()) {
    const CheckpointSummary& checkpoint = *result.checkpoint;
    out << "OK: receipt at leaf " << result.inclusion->leaf_index << " is in the log\n";
    out << "checkpoint: " << checkpoint.origin << " size " << checkpoint.tree_size << " root "
        << checkpoint.root_hex << "\n";
    out << "proof hashes: " << result.inclusion->proof_hashes << "\n";
  }
  if (!result.verifier_key.empty()) out << result.verifier_key << "\n";
}

}  // namespace

int PrintOnlineText(const OnlineResult& result, std::ostream& out, std::ostream& err) {
  // What a monitor (or witness) established is printed even when a later
  // step failed, as the lines were printed when the commands wrote them.
  if (result.monitor.has_value()) PrintMonitorText(result, out);
  if (result.ok()) {
    PrintSuccessText(result, out);
    if (result.witness.has_value() && result.witness->cosigned && result.checkpoint.has_value()) {
      out << "cosigned checkpoint " << result.checkpoint->tree_size << " as "
          << result.witness->name << "\n";
    }
  } else if (result.usage_error) {
    err << "wams-audit: " << result.error << "\n";
  } else {
    // A first bad index is part of the message, in the monitor's wording.
    err << (result.alarm ? "ALARM: " : "FAILED: ") << result.error << "\n";
  }
  return result.exit_code();
}

google::protobuf::Struct OnlineResultJson(const OnlineResult& result) {
  google::protobuf::Struct object;
  Fields& fields = *object.mutable_fields();
  SetBool(fields, "ok", result.ok());
  SetBool(fields, "alarm", result.alarm);
  if (!result.ok()) SetText(fields, "error", result.error);
  if (result.first_bad_index.has_value()) {
    SetNumber(fields, "first_bad_index", *result.first_bad_index);
  }
  if (result.checkpoint.has_value()) SetCheckpoint(fields, "checkpoint", *result.checkpoint);
  if (result.fetch.has_value()) {
    SetText(fields, "dir", result.fetch->dir);
    SetNumber(fields, "receipts", result.fetch->receipts);
    if (result.fetch->from_index.has_value()) {
      SetNumber(fields, "from_index", *result.fetch->from_index);
    }
  }
  if (result.monitor.has_value()) {
    const MonitorFound& monitor = *result.monitor;
    SetBool(fields, "quick", monitor.quick);
    SetText(fields, "state_file", monitor.state_file);
    // The newest checkpoint is only reported once it verified.
    SetBool(fields, "verified", result.checkpoint.has_value());
    if (monitor.receipts_verified.has_value()) {
      SetNumber(fields, "receipts_verified", *monitor.receipts_verified);
    }
    if (monitor.saved.has_value()) {
      SetCheckpoint(fields, "saved", *monitor.saved);
      // Known only once the checks ran: passed, or an alarm raised.
      if (monitor.checked || result.alarm) SetBool(fields, "consistent", monitor.checked);
    } else if (monitor.checked) {
      SetBool(fields, "first_checkpoint", true);
    }
    SetBool(fields, "state_saved", monitor.state_saved);
  }
  if (result.witness.has_value()) {
    SetText(fields, "witness_name", result.witness->name);
    SetBool(fields, "cosigned", result.witness->cosigned);
  }
  if (result.inclusion.has_value()) {
    const InclusionFound& inclusion = *result.inclusion;
    SetNumber(fields, "leaf_index", inclusion.leaf_index);
    SetBool(fields, "signature_verified", inclusion.signature_verified);
    SetBool(fields, "included", inclusion.included);
    if (inclusion.included) SetNumber(fields, "proof_hashes", inclusion.proof_hashes);
  }
  if (result.witnesses.has_value()) {
    const WitnessCheck& check = *result.witnesses;
    SetNumber(fields, "min_witnesses", check.required);
    for (const auto& [key, names] :
         {std::pair{"witnesses_valid", &check.valid},
          std::pair{"witnesses_missing", &check.missing}, std::pair{"witnesses_bad", &check.bad}}) {
      // Present even when empty, so a reader need not guess.
      google::protobuf::ListValue& list = *fields[key].mutable_list_value();
      for (const std::string& name : *names) list.add_values()->set_string_value(name);
    }
  }
  if (!result.verifier_key.empty()) SetText(fields, "verifier_key", result.verifier_key);
  return object;
}

}  // namespace wams::auditor
