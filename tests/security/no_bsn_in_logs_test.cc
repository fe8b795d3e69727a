// No BSN in any log line: the real wams-broker and the five reference
// adapters (wams-adapter with the demo records, each its own process) play a
// full Wams scenario: cases (client, family member, a professional's
// request), requests granted and refused (R04, R09, a malformed BSN), a
// share, coordination, a case conference, audit queries by subject and
// disclosure overviews (granted and refused), closing and a late request.
// Then every process is stopped and everything each one wrote, stdout and
// stderr, is scanned for every BSN the scenario used; and so is everything
// the broker keeps or hands out: its RocksDB data dir (every key and value of
// every column family read back with RocksDB, and the MANIFEST, table files
// and WAL as raw bytes), the auditor export (`wams-audit fetch`, receipts
// decoded from their base64) and the HTML report (`wams-audit report`). The
// scanner is shown to find a BSN planted in a copy of each, so a clean scan
// means something.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/security/security_test_util.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/call_result.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

constexpr char kCaseWorker[] = "wmo-consulent-12";
constexpr char kCoordinator[] = "wijkteam-regisseur-7";
constexpr char kPrivacyOfficer[] = "fg-officer-1";
constexpr char kGgzProfessional[] = "ggz-behandelaar-3";
// Fails the elfproef: refused as malformed, and must not be echoed either.
constexpr char kMalformedBsn[] = "123456789";
// Valid, but of no client of the case (R09).
constexpr char kStrangerBsn[] = "111111110";

// Every BSN the scenario sends, in any field.
const std::vector<std::string>& ScenarioBsns() {
  static const auto* bsns = new std::vector<std::string>{kClientBsn, kFamilyBsn, kOtherPersonBsn,
                                                         kMalformedBsn, kStrangerBsn};
  return *bsns;
}

std::string AdapterBinary() { return WAMS_ADAPTER_BINARY; }

// A reference adapter process with the config of adapters/config/, made for
// this test's PKI and a kernel-chosen port.
struct Adapter {
  std::string name;
  std::unique_ptr<Subprocess> process;
  int port = 0;
};

class NoBsnInLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(broker_.config_path(), ReadFile(broker_.config_path()) + "\nprivacy_officer_ids: \"" +
                                         kPrivacyOfficer + "\"\n");
    // The example config's endpoints: team 7451, GGZ 7452, school 7453, police 7454, probation
    // 7455.
    const std::vector<std::string> names = {"neighbourhood-team", "ggz", "school", "police",
                                            "probation"};
    for (size_t i = 0; i < names.size(); ++i) {
      ASSERT_NO_FATAL_FAILURE(StartAdapter(names[i], 7451 + static_cast<int>(i)));
    }
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  }

  void StartAdapter(const std::string& name, int example_port) {
    std::filesystem::create_directories(broker_.root() / "adapters");
    std::string config = absl::StrReplaceAll(
        ReadFile(SourcePath("adapters/config/" + name + ".textproto")),
        {{absl::StrCat("127.0.0.1:", example_port), "127.0.0.1:0"},
         {"\"../../deploy/dev-pki/", absl::StrCat("\"", broker_.pki_dir().string(), "/")},
         {"\"records/", absl::StrCat("\"", SourcePath("adapters/config/records"), "/")}});
    std::string config_path = (broker_.root() / "adapters" / (name + ".textproto")).string();
    WriteFile(config_path, config);
    Adapter adapter{.name = name, .process = nullptr, .port = 0};
    adapter.process = std::make_unique<Subprocess>(
        std::vector<std::string>{AdapterBinary(), "--config", config_path},
        (broker_.root() / ("adapter-" + name + ".log")).string());
    std::optional<std::string> line = adapter.process->ReadStdoutLine(absl::Seconds(30));
    ASSERT_TRUE(line.has_value() && line->starts_with("listening on 127.0.0.1:"))
        << name << ": " << ReadFile(broker_.root() / ("adapter-" + name + ".log"));
    ASSERT_TRUE(absl::SimpleAtoi(line->substr(line->rfind(':') + 1), &adapter.port));
    ASSERT_EQ(broker_.ReplaceInConfig(absl::StrCat("endpoint: \"127.0.0.1:", example_port, "\""),
                                      absl::StrCat("endpoint: \"127.0.0.1:", adapter.port, "\"")),
              1);
    adapters_.push_back(std::move(adapter));
  }

  // Stops the broker, then the adapters (SIGTERM, clean exit expected), and
  // returns every file holding their output: stderr logs and the rest of stdout.
  std::vector<std::filesystem::path> StopAndCollectOutput() {
    std::vector<std::filesystem::path> files;
    EXPECT_EQ(broker_.Stop(), 0);
    files.push_back(broker_.log_path());
    files.push_back(DrainStdout(broker_.process(), "broker"));
    for (Adapter& adapter : adapters_) {
      EXPECT_EQ(adapter.process->Stop(SIGTERM), 0) << adapter.name;
      files.push_back(broker_.root() / ("adapter-" + adapter.name + ".log"));
      files.push_back(DrainStdout(*adapter.process, "adapter-" + adapter.name));
    }
    return files;
  }

  std::filesystem::path DrainStdout(Subprocess& process, const std::string& name) {
    std::string text;
    while (std::optional<std::string> line = process.ReadStdoutLine(absl::Seconds(5))) {
      absl::StrAppend(&text, *line, "\n");
    }
    std::filesystem::path path = broker_.root() / (name + ".stdout");
    WriteFile(path, text);
    return path;
  }

  static void Prepare(grpc::ClientContext* context, const std::string& professional_id) {
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context->AddMetadata("x-wams-professional-id", professional_id);
  }

  // Calls `method` on a fresh stub of `Service` as `cert_name` / `professional_id`.
  template <typename Service, typename Request, typename Response>
  CallResult Call(grpc::Status (Service::Stub::*method)(grpc::ClientContext*, const Request&,
                                                        Response*),
                  const Request& request, Response* response, const std::string& cert_name,
                  const std::string& professional_id) {
    grpc::ClientContext context;
    Prepare(&context, professional_id);
    auto stub = Service::NewStub(broker_.Channel(cert_name));
    return ResultOf(((*stub).*method)(&context, request, response));
  }

  CallResult Request(const std::string& case_id, const std::string& bsn,
                     const std::string& provider_oin, std::vector<std::string> categories,
                     v1::Purpose purpose = v1::PURPOSE_RESEARCH,
                     const std::string& cert_name = "municipality",
                     const std::string& professional_id = kCaseWorker) {
    v1::DataRequest request;
    request.set_request_id(absl::StrCat("req-", ++next_id_));
    request.set_case_id(case_id);
    request.set_subject_bsn(bsn);
    request.set_provider_oin(provider_oin);
    request.set_purpose(purpose);
    for (std::string& category : categories) request.add_categories(std::move(category));
    request.set_justification("Nodig om de samenhang van de problemen in kaart te brengen.");
    v1::DataResponse response;
    return Call<v1::ExchangeService>(&v1::ExchangeService::Stub::RequestData, request, &response,
                                     cert_name, professional_id);
  }

  // Plays the scenario; each step's outcome is checked, so a clean scan
  // cannot come from a scenario that stopped early.
  void PlayScenario() {
    v1::CaseResponse case_response;
    v1::OpenClientCaseRequest open;
    open.set_request_id("open-1");
    open.set_client_bsn(kClientBsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    open.add_social_laws(v1::SOCIAL_LAW_JEUGDWET);
    for (v1::Domain domain : {v1::DOMAIN_MENTAL_HEALTH, v1::DOMAIN_EDUCATION, v1::DOMAIN_WELFARE,
                              v1::DOMAIN_PROBATION}) {
      open.mutable_scope()->add_domains_in(domain);
    }
    open.mutable_scope()->add_domains_out(v1::DOMAIN_POLICE);
    ASSERT_TRUE(Call<v1::CaseService>(&v1::CaseService::Stub::OpenClientCase, open, &case_response,
                                      "municipality", kCaseWorker)
                    .status.ok());
    const std::string case_id = case_response.case_().case_id();

    v1::AddFamilyMemberRequest family;
    family.set_case_id(case_id);
    family.set_bsn(kFamilyBsn);
    family.set_agreed(true);
    EXPECT_TRUE(Call<v1::CaseService>(&v1::CaseService::Stub::AddFamilyMember, family,
                                      &case_response, "municipality", kCaseWorker)
                    .status.ok());
    v1::RecordConsentRequest consent;
    consent.set_case_id(case_id);
    consent.set_subject_bsn(kClientBsn);
    consent.set_provider_oin(kGgzOin);
    consent.add_categories("treatment_status");
    EXPECT_TRUE(Call<v1::CaseService>(&v1::CaseService::Stub::RecordConsent, consent,
                                      &case_response, "municipality", kCaseWorker)
                    .status.ok());

    // Granted: each adapter looks the client up in its records.
    for (const auto& [oin, category] :
         std::vector<std::pair<std::string, std::string>>{{kGgzOin, "treatment_status"},
                                                          {kSchoolOin, "attendance"},
                                                          {kTeamOin, "support_plan"}}) {
      CallResult granted = Request(case_id, kClientBsn, oin, {category});
      EXPECT_TRUE(granted.status.ok()) << oin << ": " << granted.status.error_message();
    }
    // The family member, who agreed; and the probation service, which has a
    // record for them.
    CallResult family_request = Request(case_id, kFamilyBsn, kProbationOin, {"supervision_status"});
    EXPECT_TRUE(family_request.status.ok()) << family_request.status.error_message();
    // Refused: police excluded by the client (R04), a person who is no client
    // (R09), a malformed BSN (INVALID_ARGUMENT).
    EXPECT_THAT(
        Request(case_id, kClientBsn, kPoliceOin, {"police_contacts"}).decision.failed_rule_ids(),
        Contains("R04"));
    EXPECT_THAT(
        Request(case_id, kStrangerBsn, kSchoolOin, {"attendance"}).decision.failed_rule_ids(),
        Contains("R09"));
    EXPECT_EQ(Request(case_id, kMalformedBsn, kSchoolOin, {"attendance"}).status.error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);

    v1::ShareRequest share;
    share.set_request_id("share-1");
    share.set_case_id(case_id);
    share.set_subject_bsn(kClientBsn);
    share.set_recipient_oin(kSchoolOin);
    share.set_purpose(v1::PURPOSE_RESEARCH);
    share.add_categories("youth_services");
    share.set_justification("De school begeleidt de leerling en moet de jeugdhulp kennen.");
    v1::CategoryData* data = share.add_data();
    data->set_category("youth_services");
    data->set_content(R"({"youth_services": "ambulante begeleiding"})");
    data->set_content_type("application/json");
    v1::ShareResponse share_response;
    CallResult shared = Call<v1::ExchangeService>(&v1::ExchangeService::Stub::ShareData, share,
                                                  &share_response, "municipality", kCaseWorker);
    // Granted and forwarded (so the school's adapter got the BSN), and filed
    // in the school's share inbox (school.textproto accepts youth_services).
    ASSERT_TRUE(shared.status.ok()) << shared.status.error_message();
    EXPECT_TRUE(share_response.acknowledged());
    EXPECT_EQ(Decode(share_response.delivery_receipt()).outcome(), v1::RECEIPT_OUTCOME_DELIVERED);

    // A GGZ professional asks the municipality to look into another person.
    v1::OpenProfessionalCaseRequest professional;
    professional.set_request_id("professional-1");
    professional.set_client_bsn(kOtherPersonBsn);
    professional.set_municipality_oin(kMunicipalityOin);
    professional.mutable_grounds()->set_persistent_problems(true);
    professional.mutable_grounds()->set_coordinated_approach_expected(true);
    professional.mutable_grounds()->set_reasons("Herhaalde crises, hulp komt niet van de grond.");
    CallResult professional_case =
        Call<v1::CaseService>(&v1::CaseService::Stub::OpenProfessionalCase, professional,
                              &case_response, "ggz", kGgzProfessional);
    EXPECT_TRUE(professional_case.status.ok()) << professional_case.status.error_message();

    // Coordination, a coordination request and a case conference.
    v1::StartCoordinationRequest start;
    start.set_case_id(case_id);
    start.mutable_coordination()->mutable_designated()->set_party_oin(kTeamOin);
    start.mutable_coordination()->mutable_designated()->set_professional_id(kCoordinator);
    EXPECT_TRUE(Call<v1::CaseService>(&v1::CaseService::Stub::StartCoordination, start,
                                      &case_response, "municipality", kCaseWorker)
                    .status.ok());
    CallResult coordination = Request(case_id, kClientBsn, kSchoolOin, {"attendance"},
                                      v1::PURPOSE_COORDINATION, "neighbourhood-team", kCoordinator);
    EXPECT_TRUE(coordination.status.ok()) << coordination.status.error_message();

    v1::ConveneRequest convene;
    convene.set_request_id("convene-1");
    convene.set_case_id(case_id);
    convene.set_subject("Afstemming aanpak");
    v1::ConferenceResponse conference;
    ASSERT_TRUE(Call<v1::ConferenceService>(&v1::ConferenceService::Stub::Convene, convene,
                                            &conference, "neighbourhood-team", kCoordinator)
                    .status.ok());
    const std::string conference_id = conference.conference().conference_id();
    v1::InviteRequest invite;
    invite.set_conference_id(conference_id);
    invite.mutable_invitation()->set_party_oin(kGgzOin);
    invite.mutable_invitation()->set_necessity_reason(
        "Behandelt de cliënt; crisisafspraken nodig.");
    EXPECT_TRUE(Call<v1::ConferenceService>(&v1::ConferenceService::Stub::Invite, invite,
                                            &conference, "neighbourhood-team", kCoordinator)
                    .status.ok());
    v1::ShareItemRequest item;
    item.set_request_id("item-1");
    item.set_conference_id(conference_id);
    item.mutable_item()->set_title("Afspraken GGZ");
    item.mutable_item()->set_content("GGZ houdt het crisisplan actueel.");
    item.mutable_item()->add_audience_oins(kGgzOin);
    v1::ShareItemResponse item_response;
    EXPECT_TRUE(Call<v1::ConferenceService>(&v1::ConferenceService::Stub::ShareItem, item,
                                            &item_response, "neighbourhood-team", kCoordinator)
                    .status.ok());
    v1::FetchItemsRequest fetch;
    fetch.set_conference_id(conference_id);
    v1::FetchItemsResponse fetched;
    EXPECT_TRUE(Call<v1::ConferenceService>(&v1::ConferenceService::Stub::FetchItems, fetch,
                                            &fetched, "ggz", kGgzProfessional)
                    .status.ok());
    EXPECT_EQ(fetched.items_size(), 1);

    // Audit queries by subject, and disclosure overviews granted and refused.
    for (const std::string& bsn : {std::string(kClientBsn), std::string(kFamilyBsn)}) {
      v1::ListReceiptsRequest list;
      list.set_subject_bsn(bsn);
      v1::ListReceiptsResponse receipts;
      CallResult listed = Call<v1::AuditService>(&v1::AuditService::Stub::ListReceipts, list,
                                                 &receipts, "auditor", "fg-1");
      EXPECT_TRUE(listed.status.ok()) << listed.status.error_message();
      EXPECT_GT(receipts.receipts_size(), 0) << "no receipts found by subject";
    }
    v1::DisclosureRequest disclosure;
    disclosure.set_subject_bsn(kClientBsn);
    disclosure.set_language(v1::LANGUAGE_DUTCH);
    v1::DisclosureResponse overview;
    CallResult officer =
        Call<v1::AuditService>(&v1::AuditService::Stub::GetDisclosureOverview, disclosure,
                               &overview, "municipality", kPrivacyOfficer);
    EXPECT_TRUE(officer.status.ok()) << officer.status.error_message();
    EXPECT_GT(overview.entries_size(), 0);
    EXPECT_EQ(Call<v1::AuditService>(&v1::AuditService::Stub::GetDisclosureOverview, disclosure,
                                     &overview, "ggz", kPrivacyOfficer)
                  .status.error_code(),
              grpc::StatusCode::PERMISSION_DENIED);

    v1::CloseCaseRequest close;
    close.set_case_id(case_id);
    close.set_reason("Aanpak loopt; coördinatie niet langer nodig.");
    EXPECT_TRUE(Call<v1::CaseService>(&v1::CaseService::Stub::CloseCase, close, &case_response,
                                      "municipality", kCaseWorker)
                    .status.ok());
    EXPECT_THAT(Request(case_id, kClientBsn, kSchoolOin, {"attendance"}).decision.failed_rule_ids(),
                Contains("R10"));
  }

  BrokerFixture broker_;
  std::vector<Adapter> adapters_;
  int next_id_ = 0;
};

std::filesystem::path DataDir(const BrokerFixture& broker) {
  return broker.root() / "dev-data" / "broker";
}

// `wams-audit` with the auditor's certificate against `broker`; its exit code.
int RunAudit(const BrokerFixture& broker, const std::vector<std::string>& args,
             std::string* output) {
  std::vector<std::string> argv = {AuditBinary(), args.front(),
                                   "--broker",    absl::StrCat("127.0.0.1:", broker.port()),
                                   "--cert",      (broker.pki_dir() / "auditor.crt").string(),
                                   "--key",       (broker.pki_dir() / "auditor.key").string(),
                                   "--ca",        (broker.pki_dir() / "ca.crt").string()};
  argv.insert(argv.end(), args.begin() + 1, args.end());
  return RunCommand(argv, output);
}

// A copy of the stopped broker's data dir with `bsn` in a key of the last
// column family, flushed: it is then in that family, a table file and the
// MANIFEST (which records each table's smallest and largest key).
std::filesystem::path PlantInDatabaseCopy(const std::filesystem::path& data_dir,
                                          const std::filesystem::path& copy,
                                          const std::string& bsn) {
  std::filesystem::copy(data_dir, copy, std::filesystem::copy_options::recursive);
  rocksdb::Options options;
  std::vector<std::string> families;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(options, copy.string(), &families).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : families) descriptors.emplace_back(name, options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  EXPECT_TRUE(rocksdb::DB::Open(options, copy.string(), descriptors, &handles, &db).ok());
  if (db == nullptr) return copy;
  // 0xff first: sorts after every key of the family, so it is the table's largest.
  EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), handles.back(), "\xff\xffplanted-" + bsn, "x").ok());
  EXPECT_TRUE(db->Flush(rocksdb::FlushOptions(), handles.back()).ok());
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  delete db;
  return copy;
}

bool SightedIn(const std::vector<BsnSighting>& sightings, const std::string& bsn,
               const std::function<bool(const std::filesystem::path&)>& where) {
  return std::any_of(sightings.begin(), sightings.end(),
                     [&](const BsnSighting& s) { return s.bsn == bsn && where(s.file); });
}

bool NameStartsWith(const std::filesystem::path& file, const std::string& prefix) {
  return file.filename().string().starts_with(prefix);
}

TEST_F(NoBsnInLogsTest, FullScenarioLeavesNoBsnInTheDataDirTheExportOrTheReport) {
  ASSERT_NO_FATAL_FAILURE(PlayScenario());
  const std::filesystem::path export_dir = broker_.root() / "export";
  const std::filesystem::path report = broker_.root() / "report.html";
  std::string output;
  ASSERT_EQ(RunAudit(broker_, {"fetch", export_dir.string()}, &output), 0) << output;
  ASSERT_EQ(RunCommand({AuditBinary(), "report", "--config", broker_.config_path(), "--out",
                        report.string(), export_dir.string()},
                       &output),
            0)
      << output;
  StopAndCollectOutput();
  const std::filesystem::path data_dir = DataDir(broker_);

  std::vector<BsnSighting> sightings = FindBsnsInDatabase(data_dir, ScenarioBsns());
  for (BsnSighting& s : FindBsns(FilesUnder(data_dir), ScenarioBsns())) sightings.push_back(s);
  for (BsnSighting& s : FindBsnsInExport(export_dir, ScenarioBsns())) sightings.push_back(s);
  for (BsnSighting& s : FindBsns({report}, ScenarioBsns())) sightings.push_back(s);
  EXPECT_THAT(sightings, IsEmpty()) << Describe(sightings);
  // Something was scanned: receipts of every step, and a report of them.
  EXPECT_GT(FilesUnder(data_dir).size(), 3u);
  EXPECT_THAT(ReadFile(report), ::testing::HasSubstr("<html"));

  // Each scan finds a planted BSN: in the database (read back, a table
  // file, the MANIFEST), in a receipt of the export, in the report.
  const std::string planted = kFamilyBsn;
  const std::filesystem::path db_copy =
      PlantInDatabaseCopy(data_dir, broker_.root() / "planted-data", planted);
  std::vector<BsnSighting> in_db = FindBsnsInDatabase(db_copy, ScenarioBsns());
  EXPECT_TRUE(SightedIn(in_db, planted, [&](const auto& f) { return f.parent_path() == db_copy; }))
      << Describe(in_db);
  std::vector<BsnSighting> in_files = FindBsns(FilesUnder(db_copy), ScenarioBsns());
  EXPECT_TRUE(SightedIn(in_files, planted, [](const auto& f) {
    return NameStartsWith(f, "MANIFEST");
  })) << Describe(in_files);
  EXPECT_TRUE(SightedIn(in_files, planted, [](const auto& f) { return f.extension() == ".sst"; }))
      << Describe(in_files);

  const std::filesystem::path export_copy = broker_.root() / "planted-export";
  std::filesystem::copy(export_dir, export_copy, std::filesystem::copy_options::recursive);
  v1::Receipt receipt;  // a BSN typed into an OIN field, as in issue 15 item 4
  receipt.set_target_oin(planted);
  WriteFile(export_copy / "receipts.jsonl",
            ReadFile(export_dir / "receipts.jsonl") +
                absl::StrCat("{\"index\":9999,\"receipt\":\"",
                             absl::Base64Escape(receipt.SerializeAsString()),
                             "\",\"signature\":\"\",\"key_id\":\"x\"}\n"));
  std::vector<BsnSighting> in_export = FindBsnsInExport(export_copy, ScenarioBsns());
  EXPECT_TRUE(SightedIn(in_export, planted, [](const auto& f) {
    return NameStartsWith(f, "receipts");
  })) << Describe(in_export);

  const std::filesystem::path report_copy = broker_.root() / "planted-report.html";
  WriteFile(report_copy, ReadFile(report) + absl::StrCat("<td>", planted, "</td>\n"));
  EXPECT_THAT(FindBsns({report_copy}, ScenarioBsns()),
              ElementsAre(AllOf(Field(&BsnSighting::file, report_copy),
                                Field(&BsnSighting::bsn, planted))));
}

TEST_F(NoBsnInLogsTest, FullScenarioLeavesNoBsnInAnyProcessOutput) {
  ASSERT_NO_FATAL_FAILURE(PlayScenario());
  std::vector<std::filesystem::path> files = StopAndCollectOutput();

  std::vector<BsnSighting> sightings = FindBsns(files, ScenarioBsns());
  EXPECT_THAT(sightings, IsEmpty()) << Describe(sightings);
  // The processes did log, the adapters a line per delivery: a clean scan of
  // empty files would prove nothing.
  // The scan covers the per-call lines (issue 18): the broker's for each call
  // it handled (also the refused ones) and each provider call, the adapters'
  // for each request they answered.
  const std::string broker_log = ReadFile(broker_.log_path());
  EXPECT_THAT(broker_log, ::testing::HasSubstr("stopped cleanly"));
  EXPECT_THAT(broker_log, ::testing::HasSubstr(
                              "\"event\":\"request\",\"method\":\"/wams.broker.v1.ExchangeService/"
                              "RequestData\",\"outcome\":\"PERMISSION_DENIED\""));
  EXPECT_THAT(broker_log,
              ::testing::HasSubstr("\"event\":\"request\",\"method\":\"/wams.broker.v1.CaseService/"
                                   "AddFamilyMember\",\"outcome\":\"OK\""));
  EXPECT_THAT(broker_log, ::testing::HasSubstr("\"event\":\"provider_call\""));
  for (const char* name : {"ggz", "school", "neighbourhood-team", "probation"}) {
    const std::string adapter_log =
        ReadFile(broker_.root() / absl::StrCat("adapter-", name, ".log"));
    EXPECT_THAT(adapter_log, ::testing::HasSubstr("deliver request_id=")) << name;
    EXPECT_THAT(adapter_log, ::testing::HasSubstr("\"event\":\"provider_request\"")) << name;
  }

  // The scan finds a BSN when there is one: plant one in a copy of the
  // broker's log and scan the copy with the rest.
  std::filesystem::path planted = broker_.root() / "planted.log";
  WriteFile(planted, ReadFile(broker_.log_path()) +
                         absl::StrCat("2026-01-01T00:00:00Z INFO request for subject ", kFamilyBsn,
                                      " granted\n"));
  files.push_back(planted);
  EXPECT_THAT(FindBsns(files, ScenarioBsns()),
              ElementsAre(AllOf(Field(&BsnSighting::file, planted),
                                Field(&BsnSighting::bsn, std::string(kFamilyBsn)))));
}

TEST(BsnScanner, FindsABsnOnlyAsAWholeNumberAndReportsUnreadableFiles) {
  TempDir dir;
  WriteFile(dir.path() / "a.log",
            "OIN 00000003234567890000 ok\n"  // holds no BSN
            "subject=111222333,\n"           // a BSN between punctuation
            "receipt 91112223339 leaf\n");   // the digits inside a longer number
  std::vector<BsnSighting> sightings =
      FindBsns({dir.path() / "a.log", dir.path() / "missing.log"}, {"111222333", "234567890"});

  ASSERT_EQ(sightings.size(), 2u) << Describe(sightings);
  EXPECT_EQ(sightings[0].line, 2);
  EXPECT_EQ(sightings[0].bsn, "111222333");
  EXPECT_EQ(sightings[1].file, dir.path() / "missing.log");
  EXPECT_EQ(sightings[1].line, 0);
}

}  // namespace
}  // namespace wams::testing
