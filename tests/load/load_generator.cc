// wams-load: a load generator for ExchangeService.RequestData over mutual TLS.
//
//   wams-load --target 127.0.0.1:7443 --ca ca.crt --cert municipality.crt
//       --key municipality.key --provider-oin 00000003345678900000
//       --categories enrolment,attendance --in-flight 64 --warmup 3s --duration 10s
//       --pid broker=1234 --pid adapter=1240 --json
//
// It first opens `--cases` client cases through CaseService (as the caller of
// the certificate, which must be the municipality) unless `--case-id` names
// one, then sends granted RequestData calls, each with a fresh request id, on
// `--channels` separate connections:
//   - closed loop (default): `--in-flight` calls always outstanding; a call
//     starts when another completes. Gives the maximum throughput.
//   - open loop (`--rate R`): a call is due every 1/R seconds whatever the
//     server does; latency runs from the time the call was *due*, not from
//     when it could be sent, so a stalled server is charged for the calls that
//     queued behind the stall (no coordinated omission). At most
//     `--max-in-flight` calls are outstanding.
// Only the measure window (after `--warmup`) counts: throughput is the calls
// completed in it, latency percentiles are over the calls due in it, and CPU
// per request is each process's utime+stime (/proc/PID/stat) over the window
// divided by the calls completed in it, for every `--pid NAME=PID` and for
// wams-load itself. The load average and the machine's busy share
// (/proc/stat) are reported with every figure: on a shared machine they say
// how far to trust it.
//
// Several brokers over one database (`--target A,B`; only one writes at a
// time, the others answer UNAVAILABLE): a call refused with UNAVAILABLE is sent
// again, same request id, to the next target after 20 ms (doubling with each
// try, at most 500 ms), for up to `--retry-for`; new calls go to the target that answered last.
// `--acks FILE` appends one line per acknowledged call, written as it arrives:
//   ACK <unix_ms> <target> <request_id> <decision_leaf> <decision_receipt_bytes
//   base64> <answer_leaf> <answer_receipt_bytes base64>
// so a failover test can check every acknowledged receipt against the log.
//
// Prints a table on stdout, or with --json one JSON object on stdout and the
// table on stderr. Exit code 0 when the run completed (errors are counted,
// not fatal), 2 for bad flags, 1 when the target cannot be reached or the
// cases cannot be opened.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/cli/command_line.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "wams/broker/v1/case.grpc.pb.h"
#include "wams/broker/v1/exchange.grpc.pb.h"

namespace wams::load {
namespace {

namespace v1 = ::wams::broker::v1;
using Clock = std::chrono::steady_clock;

constexpr int kExitBadFlags = 2;
constexpr int kExitFailed = 1;

struct Flags {
  std::string target;                // as given (the label)
  std::vector<std::string> targets;  // --target split at commas
  absl::Duration retry_for = absl::Seconds(60);
  std::string acks_file;
  std::string case_target;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string case_id;
  int cases = 4;
  std::string bsn = "111222333";
  std::string provider_oin = "00000003345678900000";
  std::vector<std::string> categories = {"enrolment", "attendance"};
  std::string professional_id = "load-generator";
  int in_flight = 64;
  double rate = 0;  // 0: closed loop
  int max_in_flight = 4096;
  int channels = 2;
  absl::Duration warmup = absl::Seconds(3);
  absl::Duration duration = absl::Seconds(10);
  absl::Duration deadline = absl::Seconds(10);
  std::vector<std::pair<std::string, pid_t>> pids;
  std::string label;
  bool json = false;
};

absl::Status BadFlag(absl::string_view flag, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", problem));
}

// A duration like "10s" or "500ms", or a bare number of seconds.
absl::StatusOr<absl::Duration> ParseSeconds(absl::string_view flag, const std::string& text) {
  absl::Duration d;
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &d)) {
    return BadFlag(flag, absl::StrCat("not a duration: \"", text, "\""));
  }
  if (d < absl::ZeroDuration()) return BadFlag(flag, "negative");
  return d;
}

absl::StatusOr<int> ParsePositive(absl::string_view flag, const std::string& text) {
  int n = 0;
  if (!absl::SimpleAtoi(text, &n) || n <= 0) return BadFlag(flag, "must be a positive integer");
  return n;
}

// The command line (CLI11, broker/base/cli/command_line.h), then the checks of
// each value. nullopt to go on, else the exit code (--help, --version, or a
// usage error printed on stderr).
std::optional<int> ParseFlags(int argc, char** argv, Flags& flags) {
  CLI::App app(
      "Sends data requests to a broker (or wams-passthrough) and reports throughput,\n"
      "latency and CPU per request.",
      "wams-load");
  cli::AddVersionFlag(app);
  app.footer("Exit codes: 0 run completed, 1 the run failed, 2 bad command line.");
  std::string cases, categories, in_flight, max_in_flight, channels, rate, warmup, duration,
      deadline;
  std::vector<std::string> pids;
  app.add_option("--target", flags.target,
                 "the broker; several, comma-separated: on UNAVAILABLE a call is retried on the "
                 "next")
      ->option_text("HOST:PORT[,HOST:PORT...]")
      ->required();
  std::string retry_for;
  app.add_option("--retry-for", retry_for,
                 "how long a call is retried across targets (default 60s)")
      ->option_text("D");
  app.add_option("--acks", flags.acks_file,
                 "append every acknowledged call's receipts (leaf, bytes)")
      ->option_text("FILE");
  app.add_option("--ca", flags.ca_file, "PEM CA bundle")->option_text("FILE")->required();
  app.add_option("--cert", flags.cert_file, "PEM certificate")->option_text("FILE")->required();
  app.add_option("--key", flags.key_file, "PEM private key")->option_text("FILE")->required();
  app.add_option("--case-target", flags.case_target, "where to open the cases (default: --target)")
      ->option_text("HOST:PORT");
  app.add_option("--case-id", flags.case_id,
                 "use this case; open none (e.g. against wams-passthrough)")
      ->option_text("ID");
  app.add_option("--cases", cases, "client cases to open and spread requests over (default 4)")
      ->option_text("N");
  app.add_option("--bsn", flags.bsn, "the client of every case (default 111222333)")
      ->option_text("BSN");
  app.add_option("--provider-oin", flags.provider_oin,
                 "provider asked (default: the school, 00000003345678900000)")
      ->option_text("OIN");
  app.add_option("--categories", categories, "categories asked (default enrolment,attendance)")
      ->option_text("A,B");
  app.add_option("--professional-id", flags.professional_id,
                 "x-wams-professional-id (default load-generator)")
      ->option_text("ID");
  app.add_option("--in-flight", in_flight, "closed loop: calls outstanding (default 64)")
      ->option_text("N");
  app.add_option("--rate", rate, "open loop at R calls/s instead of the closed loop")
      ->option_text("R");
  app.add_option("--max-in-flight", max_in_flight,
                 "open loop: most calls outstanding (default 4096)")
      ->option_text("N");
  app.add_option("--channels", channels, "separate connections (default 2)")->option_text("N");
  app.add_option("--warmup", warmup, "e.g. 3s (default 3s)")->option_text("D");
  app.add_option("--duration", duration, "e.g. 10s (default 10s)")->option_text("D");
  app.add_option("--deadline", deadline, "per call (default 10s)")->option_text("D");
  app.add_option("--pid", pids, "also report this process's CPU per request (repeatable)")
      ->option_text("NAME=PID");
  app.add_option("--label", flags.label, "name of the run in the output (default: the target)")
      ->option_text("TEXT");
  app.add_flag("--json", flags.json, "one JSON object on stdout, the table on stderr");
  if (std::optional<int> done = cli::Parse(app, argc, argv)) return done;

  absl::Status checked = [&]() -> absl::Status {
    for (auto [text, flag, out] :
         {std::tuple{&cases, "--cases", &flags.cases},
          std::tuple{&in_flight, "--in-flight", &flags.in_flight},
          std::tuple{&max_in_flight, "--max-in-flight", &flags.max_in_flight},
          std::tuple{&channels, "--channels", &flags.channels}}) {
      if (text->empty()) continue;
      absl::StatusOr<int> n = ParsePositive(flag, *text);
      if (!n.ok()) return n.status();
      *out = *n;
    }
    if (!categories.empty()) {
      flags.categories = absl::StrSplit(categories, ',', absl::SkipEmpty());
      if (flags.categories.empty()) return BadFlag("--categories", "name at least one");
    }
    if (!rate.empty() && (!absl::SimpleAtod(rate, &flags.rate) || flags.rate <= 0)) {
      return BadFlag("--rate", "must be a positive number of calls per second");
    }
    for (auto [text, flag, out] : {std::tuple{&retry_for, "--retry-for", &flags.retry_for},
                                   std::tuple{&warmup, "--warmup", &flags.warmup},
                                   std::tuple{&duration, "--duration", &flags.duration},
                                   std::tuple{&deadline, "--deadline", &flags.deadline}}) {
      if (text->empty()) continue;
      absl::StatusOr<absl::Duration> d = ParseSeconds(flag, *text);
      if (!d.ok()) return d.status();
      *out = *d;
    }
    for (const std::string& value : pids) {
      std::vector<std::string> parts = absl::StrSplit(value, absl::MaxSplits('=', 1));
      int pid = 0;
      if (parts.size() != 2 || parts[0].empty() || !absl::SimpleAtoi(parts[1], &pid) || pid <= 0) {
        return BadFlag("--pid", "expected NAME=PID");
      }
      flags.pids.emplace_back(parts[0], static_cast<pid_t>(pid));
    }
    flags.targets = absl::StrSplit(flags.target, ',', absl::SkipEmpty());
    if (flags.targets.empty()) return BadFlag("--target", "name at least one");
    if (flags.duration <= absl::ZeroDuration()) return BadFlag("--duration", "must be positive");
    return absl::OkStatus();
  }();
  if (!checked.ok()) {
    std::cerr << "wams-load: " << checked.message() << "\nRun with --help for more information.\n";
    return kExitBadFlags;
  }
  if (flags.case_target.empty()) flags.case_target = flags.target;
  if (flags.label.empty()) flags.label = flags.target;
  return std::nullopt;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// --- /proc -------------------------------------------------------------------

// utime + stime of `pid` in clock ticks (all its threads, live and exited),
// or -1 when it cannot be read.
int64_t CpuTicks(pid_t pid) {
  absl::StatusOr<std::string> stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat.ok()) return -1;
  // The command name (field 2) may hold spaces; fields after it are plain.
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return -1;
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(*stat).substr(close + 1), ' ', absl::SkipEmpty());
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return -1;
  }
  return utime + stime;
}

// The machine's busy and total jiffies from the first line of /proc/stat.
struct MachineTicks {
  int64_t busy = 0;
  int64_t total = 0;
};

MachineTicks ReadMachineTicks() {
  MachineTicks ticks;
  absl::StatusOr<std::string> stat = ReadFile("/proc/stat");
  if (!stat.ok()) return ticks;
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(*stat).substr(0, stat->find('\n')), ' ', absl::SkipEmpty());
  // cpu user nice system idle iowait irq softirq steal ...
  for (size_t i = 1; i < fields.size() && i <= 8; ++i) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(fields[i], &v)) continue;
    ticks.total += v;
    if (i != 4 && i != 5) ticks.busy += v;  // idle and iowait are not busy
  }
  return ticks;
}

std::string LoadAverage() {
  absl::StatusOr<std::string> text = ReadFile("/proc/loadavg");
  if (!text.ok()) return "?";
  std::vector<absl::string_view> fields = absl::StrSplit(*text, ' ');
  if (fields.size() < 3) return "?";
  return absl::StrCat(fields[0], " ", fields[1], " ", fields[2]);
}

// --- the run -------------------------------------------------------------------

struct Result {
  int64_t completed = 0;     // OK calls completed in the window
  int64_t errors = 0;        // failed calls completed in the window
  int64_t total_calls = 0;   // every call completed, warm-up and drain included
  int64_t total_errors = 0;  // every failed call
  int64_t unfinished = 0;    // calls still outstanding after the drain
  std::map<std::string, int64_t> error_codes;
  std::string first_error;
  int64_t sampled_responses = 0;  // every 64th OK response is measured
  int64_t sampled_response_bytes = 0;
  std::vector<int64_t> latencies_ns;  // of the OK calls due in the window, sorted
  double window_seconds = 0;
  std::vector<std::pair<std::string, double>> cpu_seconds;  // per process over the window
  double machine_busy = 0;                                  // share of all CPUs, 0..1
  std::string load_average;
};

// The stubs of one target: one per channel.
using TargetStubs = std::vector<std::unique_ptr<v1::ExchangeService::Stub>>;

class LoadRun {
 public:
  // `stubs` has one entry per target; `acks_fd` is -1 or where acknowledged
  // calls are appended.
  LoadRun(const Flags& flags, std::vector<TargetStubs> stubs, std::vector<std::string> case_ids,
          int acks_fd)
      : flags_(flags),
        stubs_(std::move(stubs)),
        case_ids_(std::move(case_ids)),
        acks_fd_(acks_fd),
        run_id_(absl::StrCat(absl::ToUnixMillis(absl::Now()), "-", getpid())) {
    base_.set_subject_bsn(flags.bsn);
    base_.set_provider_oin(flags.provider_oin);
    base_.set_purpose(v1::PURPOSE_RESEARCH);
    for (const std::string& category : flags.categories) base_.add_categories(category);
    base_.set_justification(
        "Nodig om de samenhang van de problemen in kaart te brengen (load test).");
  }

  Result Run();

 private:
  // One outstanding call.
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    v1::DataRequest request;
    v1::DataResponse response;
    Clock::time_point due;
    Clock::time_point first_sent;
    size_t target = 0;
    uint64_t n = 0;   // its number: picks the channel
    int retries = 0;  // sends after the first
  };

  // Counts a call outstanding, then sends it.
  void Start(Clock::time_point due);
  // Sends a call already counted in outstanding_.
  void Send(Clock::time_point due);
  // Sends `call` (new or again) to its target.
  void Dispatch(Call* call);
  void OnDone(Call* call, const grpc::Status& status);
  // Whether a failed call goes to the next target instead of counting as failed.
  bool ShouldRetry(const Call& call, const grpc::Status& status, Clock::time_point now) const;
  // Resends the calls queued by OnDone after a short pause, off gRPC's threads.
  void RetryLoop();
  void RecordAck(const Call& call);
  void SampleCpu(std::vector<int64_t>* ticks, MachineTicks* machine) const;

  const Flags& flags_;
  const std::vector<TargetStubs> stubs_;
  const std::vector<std::string> case_ids_;
  const int acks_fd_;
  const std::string run_id_;
  v1::DataRequest base_;
  std::atomic<uint64_t> next_{0};
  // The target new calls go to: the last one that answered a retried call.
  std::atomic<size_t> preferred_target_{0};

  std::mutex retry_mu_;
  std::condition_variable retry_cv_;
  std::multimap<Clock::time_point, Call*> retries_;  // by when; guarded by retry_mu_
  bool retry_done_ = false;                          // guarded by retry_mu_

  Clock::time_point window_start_;
  Clock::time_point window_end_;
  std::atomic<bool> stop_{false};

  absl::Mutex mu_;
  int64_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  Result result_ ABSL_GUARDED_BY(mu_);
};

void LoadRun::Start(Clock::time_point due) {
  {
    absl::MutexLock lock(&mu_);
    ++outstanding_;
  }
  Send(due);
}

void LoadRun::Send(Clock::time_point due) {
  const uint64_t n = next_.fetch_add(1, std::memory_order_relaxed);
  auto* call = new Call;
  call->due = due;
  call->first_sent = Clock::now();
  call->n = n;
  call->target = preferred_target_.load(std::memory_order_relaxed);
  call->request = base_;
  call->request.set_request_id(absl::StrCat("load-", run_id_, "-", n));
  call->request.set_case_id(case_ids_[n % case_ids_.size()]);
  Dispatch(call);
}

void LoadRun::Dispatch(Call* call) {
  call->context = std::make_unique<grpc::ClientContext>();
  call->response.Clear();
  call->context->set_deadline(std::chrono::system_clock::now() +
                              absl::ToChronoMilliseconds(flags_.deadline));
  call->context->AddMetadata("x-wams-professional-id", flags_.professional_id);
  const TargetStubs& stubs = stubs_[call->target];
  stubs[call->n % stubs.size()]->async()->RequestData(
      call->context.get(), &call->request, &call->response,
      [this, call](grpc::Status status) { OnDone(call, status); });
}

bool LoadRun::ShouldRetry(const Call& call, const grpc::Status& status,
                          Clock::time_point now) const {
  return stubs_.size() > 1 && status.error_code() == grpc::StatusCode::UNAVAILABLE &&
         !stop_.load(std::memory_order_relaxed) &&
         now - call.first_sent < absl::ToChronoNanoseconds(flags_.retry_for);
}

void LoadRun::RetryLoop() {
  std::unique_lock lock(retry_mu_);
  while (true) {
    retry_cv_.wait(lock, [this] { return retry_done_ || !retries_.empty(); });
    // After the drain nothing is sent: this run may be gone before an answer.
    if (retry_done_) return;
    auto [when, call] = *retries_.begin();
    if (Clock::now() < when) {
      retry_cv_.wait_until(lock, when);
      continue;
    }
    retries_.erase(retries_.begin());
    lock.unlock();
    Dispatch(call);
    lock.lock();
  }
}

void LoadRun::RecordAck(const Call& call) {
  if (acks_fd_ < 0) return;
  const v1::SignedReceipt& decision = call.response.decision_receipt();
  const v1::SignedReceipt& answer = call.response.answer_receipt();
  std::string line = absl::StrCat(
      "ACK ", absl::ToUnixMillis(absl::Now()), " ", call.target, " ", call.request.request_id(),
      " ", decision.leaf_index(), " ", absl::Base64Escape(decision.receipt_bytes()), " ",
      answer.leaf_index(), " ", absl::Base64Escape(answer.receipt_bytes()), "\n");
  // One write per line (O_APPEND): a line in the file is a whole acknowledgement,
  // even when this process is killed.
  if (write(acks_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    std::cerr << "wams-load: cannot write to --acks\n";
  }
}

void LoadRun::OnDone(Call* call, const grpc::Status& status) {
  const Clock::time_point now = Clock::now();
  if (ShouldRetry(*call, status, now)) {
    // Another broker may be the writer: same request id, next target. The
    // pause doubles with each try, so an outage is not met with a storm.
    call->target = (call->target + 1) % stubs_.size();
    const auto pause = std::chrono::milliseconds(std::min(20 << std::min(call->retries, 5), 500));
    ++call->retries;
    std::lock_guard lock(retry_mu_);
    retries_.emplace(now + pause, call);
    retry_cv_.notify_one();
    return;
  }
  std::unique_ptr<Call> owned(call);
  if (status.ok()) {
    if (stubs_.size() > 1) preferred_target_.store(call->target, std::memory_order_relaxed);
    RecordAck(*call);
  }
  bool send_next = false;
  {
    absl::MutexLock lock(&mu_);
    --outstanding_;
    Result& r = result_;
    ++r.total_calls;
    const bool in_window = now >= window_start_ && now < window_end_;
    if (!status.ok()) {
      ++r.total_errors;
      if (in_window) ++r.errors;
      ++r.error_codes[absl::StrCat("code ", status.error_code())];
      if (r.first_error.empty()) {
        r.first_error = absl::StrCat("code ", status.error_code(), ": ", status.error_message());
      }
    } else {
      if (in_window) ++r.completed;
      if (r.total_calls % 64 == 1) {
        ++r.sampled_responses;
        r.sampled_response_bytes += static_cast<int64_t>(call->response.ByteSizeLong());
      }
      if (call->due >= window_start_ && call->due < window_end_) {
        r.latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - call->due).count());
      }
    }
    // Closed loop: the slot this call held starts the next one. It is counted
    // before the lock is released: otherwise the drain in Run() could see no
    // call outstanding, return and destroy this run while the next call starts.
    if (flags_.rate == 0 && !stop_.load(std::memory_order_relaxed)) {
      ++outstanding_;
      send_next = true;
    }
  }
  // Without a next call, `this` must not be touched any more (see above).
  if (send_next) Send(Clock::now());
}

void LoadRun::SampleCpu(std::vector<int64_t>* ticks, MachineTicks* machine) const {
  ticks->clear();
  ticks->push_back(CpuTicks(getpid()));
  for (const auto& [name, pid] : flags_.pids) ticks->push_back(CpuTicks(pid));
  *machine = ReadMachineTicks();
}

Result LoadRun::Run() {
  const Clock::time_point begin = Clock::now();
  window_start_ = begin + absl::ToChronoNanoseconds(flags_.warmup);
  window_end_ = window_start_ + absl::ToChronoNanoseconds(flags_.duration);

  // CPU is sampled at the window's edges on a thread of its own, so the open
  // loop's dispatcher keeps its schedule.
  std::vector<int64_t> ticks_start;
  std::vector<int64_t> ticks_end;
  MachineTicks machine_start;
  MachineTicks machine_end;
  std::thread retrier([this] { RetryLoop(); });
  std::thread sampler([&] {
    std::this_thread::sleep_until(window_start_);
    SampleCpu(&ticks_start, &machine_start);
    std::this_thread::sleep_until(window_end_);
    SampleCpu(&ticks_end, &machine_end);
  });

  if (flags_.rate == 0) {
    for (int i = 0; i < flags_.in_flight; ++i) Start(Clock::now());
    std::this_thread::sleep_until(window_end_);
  } else {
    const auto interval = std::chrono::duration<double>(1.0 / flags_.rate);
    for (uint64_t i = 0;; ++i) {
      const Clock::time_point due =
          begin + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
      if (due >= window_end_) break;
      std::this_thread::sleep_until(due);
      {
        // A full pipe delays the send, never the due time the latency counts from.
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](LoadRun* run) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return run->outstanding_ < run->flags_.max_in_flight;
            },
            this));
      }
      Start(due);
    }
  }
  stop_ = true;
  sampler.join();

  // Drain: calls due in the window count even when they finish after it.
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](int64_t* outstanding) { return *outstanding == 0; }, &outstanding_),
                       flags_.deadline + absl::Seconds(1));
  {
    std::lock_guard retry_lock(retry_mu_);
    retry_done_ = true;
    retry_cv_.notify_one();
  }
  retrier.join();
  Result result = result_;
  result.unfinished = outstanding_;
  std::sort(result.latencies_ns.begin(), result.latencies_ns.end());
  result.window_seconds = absl::ToDoubleSeconds(flags_.duration);
  const double tick = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  for (size_t i = 0; i < ticks_start.size() && i < ticks_end.size(); ++i) {
    const std::string name = i == 0 ? "wams-load" : flags_.pids[i - 1].first;
    const double seconds = ticks_start[i] < 0 || ticks_end[i] < 0
                               ? -1
                               : static_cast<double>(ticks_end[i] - ticks_start[i]) * tick;
    result.cpu_seconds.emplace_back(name, seconds);
  }
  const int64_t total = machine_end.total - machine_start.total;
  result.machine_busy =
      total > 0 ? static_cast<double>(machine_end.busy - machine_start.busy) / total : 0;
  result.load_average = LoadAverage();
  return result;
}

// --- set-up ----------------------------------------------------------------------

std::shared_ptr<grpc::Channel> MutualTlsChannel(const std::string& target,
                                                const grpc::SslCredentialsOptions& tls, int index) {
  grpc::ChannelArguments args;
  // Each channel gets its own connection rather than sharing one subchannel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("wams.load.channel", index);
  // A broker that was killed and restarted is found again within a quarter
  // second, not after gRPC's default backoff of up to two minutes. Not
  // GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC also takes it as the connect
  // timeout, and a TLS handshake on a busy machine can take longer.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 250);
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(tls), args);
}

absl::StatusOr<std::vector<std::string>> OpenCases(const Flags& flags,
                                                   const grpc::SslCredentialsOptions& tls) {
  if (!flags.case_id.empty()) return std::vector<std::string>{flags.case_id};
  // Several targets: the first that takes writes (the others answer UNAVAILABLE).
  std::vector<std::string> targets = absl::StrSplit(flags.case_target, ',', absl::SkipEmpty());
  size_t target = 0;
  auto stub = v1::CaseService::NewStub(MutualTlsChannel(targets[target], tls, -1));
  const absl::Time give_up = absl::Now() + flags.retry_for;
  std::vector<std::string> ids;
  for (int i = 0; i < flags.cases; ++i) {
    v1::OpenClientCaseRequest open;
    open.set_request_id(absl::StrCat("load-open-", absl::ToUnixMicros(absl::Now()), "-", i));
    open.set_client_bsn(flags.bsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    for (v1::Domain domain : {v1::DOMAIN_WELFARE, v1::DOMAIN_MENTAL_HEALTH, v1::DOMAIN_EDUCATION,
                              v1::DOMAIN_POLICE, v1::DOMAIN_PROBATION}) {
      open.mutable_scope()->add_domains_in(domain);
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    context.AddMetadata("x-wams-professional-id", flags.professional_id);
    v1::CaseResponse opened;
    grpc::Status status = stub->OpenClientCase(&context, open, &opened);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE && targets.size() > 1 &&
        absl::Now() < give_up) {
      target = (target + 1) % targets.size();
      stub = v1::CaseService::NewStub(MutualTlsChannel(targets[target], tls, -1));
      absl::SleepFor(absl::Milliseconds(20));
      --i;  // the same case again, with a new request id
      continue;
    }
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat("cannot open a case at ", flags.case_target,
                                                 ": code ", status.error_code(), ": ",
                                                 status.error_message()));
    }
    ids.push_back(opened.case_().case_id());
  }
  return ids;
}

// --- output ----------------------------------------------------------------------

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()));
  return sorted[std::min(rank, sorted.size() - 1)];
}

double Micros(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

struct Figures {
  double throughput = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
  std::vector<std::pair<std::string, double>> cpu_us_per_request;  // -1: unknown
  double cpu_us_total = 0;
  double response_bytes = 0;  // mean serialised size of an answer
};

Figures Summarise(const Result& r) {
  Figures f;
  f.throughput = static_cast<double>(r.completed) / r.window_seconds;
  f.p50 = Micros(Percentile(r.latencies_ns, 50));
  f.p90 = Micros(Percentile(r.latencies_ns, 90));
  f.p99 = Micros(Percentile(r.latencies_ns, 99));
  f.p999 = Micros(Percentile(r.latencies_ns, 99.9));
  f.max = r.latencies_ns.empty() ? 0 : Micros(r.latencies_ns.back());
  double sum = 0;
  for (int64_t ns : r.latencies_ns) sum += static_cast<double>(ns);
  f.mean = r.latencies_ns.empty() ? 0 : sum / static_cast<double>(r.latencies_ns.size()) / 1000.0;
  f.response_bytes = r.sampled_responses == 0 ? 0
                                              : static_cast<double>(r.sampled_response_bytes) /
                                                    static_cast<double>(r.sampled_responses);
  const double calls = static_cast<double>(r.completed + r.errors);
  for (const auto& [name, seconds] : r.cpu_seconds) {
    double us = seconds < 0 || calls == 0 ? -1 : seconds * 1e6 / calls;
    f.cpu_us_per_request.emplace_back(name, us);
    if (us > 0) f.cpu_us_total += us;
  }
  return f;
}

std::string Table(const Flags& flags, const Result& r, const Figures& f) {
  std::string mode = flags.rate == 0 ? absl::StrFormat("closed loop, %d in flight", flags.in_flight)
                                     : absl::StrFormat("open loop at %.0f/s (at most %d in flight)",
                                                       flags.rate, flags.max_in_flight);
  std::string out =
      absl::StrFormat("wams-load %s (%s): %s, %d channels, warm-up %s, measured %s\n", flags.label,
                      flags.target, mode, flags.channels, absl::FormatDuration(flags.warmup),
                      absl::FormatDuration(flags.duration));
  absl::StrAppendFormat(&out, "  throughput      %.1f req/s (%d completed, %d errors in window)\n",
                        f.throughput, r.completed, r.errors);
  absl::StrAppendFormat(&out,
                        "  latency (us)    p50 %.0f  p90 %.0f  p99 %.0f  p99.9 %.0f  max %.0f  "
                        "mean %.0f  (%d samples)\n",
                        f.p50, f.p90, f.p99, f.p999, f.max, f.mean, r.latencies_ns.size());
  std::vector<std::string> cpu;
  for (const auto& [name, us] : f.cpu_us_per_request) {
    cpu.push_back(us < 0 ? absl::StrCat(name, " ?") : absl::StrFormat("%s %.0f", name, us));
  }
  absl::StrAppendFormat(&out, "  CPU us/request  %s  (sum %.0f)\n", absl::StrJoin(cpu, "  "),
                        f.cpu_us_total);
  absl::StrAppendFormat(&out, "  answer size     %.0f bytes (mean)\n", f.response_bytes);
  absl::StrAppendFormat(&out, "  machine         %.0f%% busy, load average %s\n",
                        r.machine_busy * 100, r.load_average);
  absl::StrAppendFormat(&out, "  whole run       %d calls, %d errors, %d unfinished\n",
                        r.total_calls, r.total_errors, r.unfinished);
  if (!r.first_error.empty()) absl::StrAppend(&out, "  first error     ", r.first_error, "\n");
  return out;
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Json(const Flags& flags, const Result& r, const Figures& f) {
  std::vector<std::string> cpu;
  for (const auto& [name, us] : f.cpu_us_per_request) {
    cpu.push_back(absl::StrFormat("%s: %.1f", JsonString(name), us));
  }
  std::vector<std::string> codes;
  for (const auto& [code, n] : r.error_codes) {
    codes.push_back(absl::StrFormat("%s: %d", JsonString(code), n));
  }
  return absl::StrFormat(
      "{\"label\": %s, \"target\": %s, \"mode\": \"%s\", \"in_flight\": %d, \"rate\": %.1f, "
      "\"channels\": %d, \"warmup_s\": %.1f, \"duration_s\": %.1f, \"throughput_rps\": %.1f, "
      "\"completed\": %d, \"errors\": %d, \"total_calls\": %d, \"total_errors\": %d, "
      "\"unfinished\": %d, \"error_codes\": {%s}, \"first_error\": %s, "
      "\"latency_us\": {\"p50\": %.0f, \"p90\": %.0f, \"p99\": %.0f, \"p999\": %.0f, "
      "\"max\": %.0f, \"mean\": %.0f, \"samples\": %d}, \"cpu_us_per_request\": {%s}, "
      "\"cpu_us_per_request_sum\": %.1f, \"response_bytes\": %.0f, \"machine_busy_pct\": %.1f, "
      "\"load_average\": %s}\n",
      JsonString(flags.label), JsonString(flags.target), flags.rate == 0 ? "closed" : "open",
      flags.in_flight, flags.rate, flags.channels, absl::ToDoubleSeconds(flags.warmup),
      absl::ToDoubleSeconds(flags.duration), f.throughput, r.completed, r.errors, r.total_calls,
      r.total_errors, r.unfinished, absl::StrJoin(codes, ", "), JsonString(r.first_error), f.p50,
      f.p90, f.p99, f.p999, f.max, f.mean, r.latencies_ns.size(), absl::StrJoin(cpu, ", "),
      f.cpu_us_total, f.response_bytes, r.machine_busy * 100, JsonString(r.load_average));
}

int Main(int argc, char** argv) {
  std::optional<Flags> flags = Flags();
  if (std::optional<int> done = ParseFlags(argc, argv, *flags)) return *done;
  grpc::SslCredentialsOptions tls;
  for (auto [path, field] : {std::pair{&flags->ca_file, &tls.pem_root_certs},
                             std::pair{&flags->cert_file, &tls.pem_cert_chain},
                             std::pair{&flags->key_file, &tls.pem_private_key}}) {
    absl::StatusOr<std::string> text = ReadFile(*path);
    if (!text.ok()) {
      std::cerr << "wams-load: " << text.status().message() << "\n";
      return kExitBadFlags;
    }
    *field = *std::move(text);
  }

  std::vector<TargetStubs> stubs;
  int reached = 0;
  for (const std::string& target : flags->targets) {
    TargetStubs& of_target = stubs.emplace_back();
    bool connected = true;
    for (int i = 0; i < flags->channels; ++i) {
      std::shared_ptr<grpc::Channel> channel = MutualTlsChannel(target, tls, i);
      // Handshakes happen before the clock starts.
      // A broker of several may be down: wait less for each.
      connected = connected && channel->WaitForConnected(
                                   std::chrono::system_clock::now() +
                                   std::chrono::seconds(flags->targets.size() > 1 ? 3 : 10));
      of_target.push_back(v1::ExchangeService::NewStub(channel));
    }
    if (connected) {
      ++reached;
    } else {
      // One broker of several may be down: its calls go to the next.
      std::cerr << "wams-load: cannot connect to " << target << "\n";
    }
  }
  if (reached == 0) return kExitFailed;
  absl::StatusOr<std::vector<std::string>> cases = OpenCases(*flags, tls);
  if (!cases.ok()) {
    std::cerr << "wams-load: " << cases.status().message() << "\n";
    return kExitFailed;
  }

  int acks_fd = -1;
  if (!flags->acks_file.empty()) {
    acks_fd = open(flags->acks_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (acks_fd < 0) {
      std::cerr << "wams-load: cannot open --acks " << flags->acks_file << "\n";
      return kExitBadFlags;
    }
  }
  LoadRun run(*flags, std::move(stubs), *std::move(cases), acks_fd);
  Result result = run.Run();
  if (acks_fd >= 0) close(acks_fd);
  Figures figures = Summarise(result);
  std::string table = Table(*flags, result, figures);
  if (flags->json) {
    std::cerr << table;
    std::cout << Json(*flags, result, figures) << std::flush;
  } else {
    std::cout << table << std::flush;
  }
  return 0;
}

}  // namespace
}  // namespace wams::load

int main(int argc, char** argv) { return wams::load::Main(argc, argv); }
