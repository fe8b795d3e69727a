// wams-rest-load: granted data requests through the broker's REST/JSON face
// (broker/rest), for comparing it with the gRPC face at the same
// concurrency (wams-load). Closed loop: N connections, each a thread with a
// kept-alive HTTPS client presenting the municipality's certificate, each
// sending its next POST /api/v1/data-requests as soon as the last answered.
//
//   wams-rest-load --target 127.0.0.1:8443 --ca ca.crt --cert m.crt --key m.key
//                  --provider-oin 00000003345678900000 --categories enrolment,attendance
//
// Opens one client case first (POST /api/v1/client-cases). Prints the
// throughput, the latency percentiles and the failed calls; exit 1 when no
// call succeeded.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/cli/command_line.h"

namespace {

struct Flags {
  std::string target, ca_file, cert_file, key_file;
  std::string bsn = "111222333";
  std::string provider_oin = "00000003345678900000";
  std::string categories = "enrolment,attendance";
  std::string professional_id = "wmo-consulent-12";
  int connections = 16;
  std::string warmup = "3s", duration = "10s";
};

std::unique_ptr<httplib::SSLClient> Client(const Flags& flags) {
  const size_t colon = flags.target.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(flags.target.substr(colon + 1), &port)) {
    return nullptr;
  }
  auto client = std::make_unique<httplib::SSLClient>(flags.target.substr(0, colon), port,
                                                     flags.cert_file, flags.key_file);
  client->set_ca_cert_path(flags.ca_file);
  client->enable_server_certificate_verification(true);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_read_timeout(10, 0);
  return client;
}

httplib::Headers Headers(const Flags& flags) {
  return {{"x-wams-professional-id", flags.professional_id}};
}

// The case id of a freshly opened client case, or "" (the reason on stderr).
std::string OpenCase(const Flags& flags) {
  std::unique_ptr<httplib::SSLClient> client = Client(flags);
  if (client == nullptr) return "";
  const std::string body = absl::StrCat(
      R"({"requestId":"rest-load-open-)", absl::ToUnixNanos(absl::Now()), R"(","clientBsn":")",
      flags.bsn,
      R"(","socialLaws":["SOCIAL_LAW_WMO_2015"],"scope":{"domainsIn":["DOMAIN_EDUCATION"]}})");
  httplib::Result result =
      client->Post("/api/v1/client-cases", Headers(flags), body, "application/json");
  if (!result || result->status != 200) {
    std::fprintf(stderr, "wams-rest-load: opening the case failed: %s\n",
                 result ? result->body.c_str() : httplib::to_string(result.error()).c_str());
    return "";
  }
  const std::string key = R"("caseId":")";
  const size_t at = result->body.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return result->body.substr(start, result->body.find('"', start) - start);
}

struct Totals {
  absl::Mutex mu;
  std::vector<double> latencies_ms;
  int64_t failed = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Granted data requests through the broker's REST face, closed loop.",
               "wams-rest-load");
  wams::cli::AddVersionFlag(app);
  Flags flags;
  app.add_option("--target", flags.target, "the broker's rest_address, host:port")->required();
  app.add_option("--ca", flags.ca_file, "PEM CA bundle")->required();
  app.add_option("--cert", flags.cert_file, "PEM client certificate")->required();
  app.add_option("--key", flags.key_file, "PEM private key")->required();
  app.add_option("--provider-oin", flags.provider_oin, "the provider asked");
  app.add_option("--categories", flags.categories, "categories asked, comma-separated");
  app.add_option("--bsn", flags.bsn, "the client of the case");
  app.add_option("--connections", flags.connections, "connections, one call each (default 16)");
  app.add_option("--warmup", flags.warmup, "e.g. 3s (default 3s)");
  app.add_option("--duration", flags.duration, "e.g. 10s (default 10s)");
  if (std::optional<int> done = wams::cli::Parse(app, argc, argv)) return *done;
  absl::Duration warmup, duration;
  if (!absl::ParseDuration(flags.warmup, &warmup) ||
      !absl::ParseDuration(flags.duration, &duration) || flags.connections < 1) {
    std::fprintf(stderr, "wams-rest-load: --warmup, --duration or --connections is malformed\n");
    return 2;
  }
  const std::string case_id = OpenCase(flags);
  if (case_id.empty()) return 1;
  std::vector<std::string> categories = absl::StrSplit(flags.categories, ',');
  const std::string categories_json =
      absl::StrCat("[\"", absl::StrJoin(categories, "\",\""), "\"]");

  const absl::Time measure_from = absl::Now() + warmup;
  const absl::Time stop_at = measure_from + duration;
  Totals totals;
  std::vector<std::thread> threads;
  for (int t = 0; t < flags.connections; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<httplib::SSLClient> client = Client(flags);
      std::vector<double> latencies;
      int64_t failed = 0;
      for (int64_t n = 0; absl::Now() < stop_at; ++n) {
        const std::string body = absl::StrCat(
            R"({"requestId":"rest-load-)", t, "-", n, "-", absl::ToUnixMicros(measure_from),
            R"(","caseId":")", case_id, R"(","subjectBsn":")", flags.bsn, R"(","providerOin":")",
            flags.provider_oin, R"(","purpose":"PURPOSE_RESEARCH","categories":)", categories_json,
            R"(,"justification":"Onderzoek naar de samenhang van de problemen."})");
        const absl::Time start = absl::Now();
        httplib::Result result =
            client->Post("/api/v1/data-requests", Headers(flags), body, "application/json");
        const absl::Time end = absl::Now();
        if (start < measure_from) continue;
        if (!result || result->status != 200) {
          ++failed;
          continue;
        }
        latencies.push_back(absl::ToDoubleMilliseconds(end - start));
      }
      absl::MutexLock lock(&totals.mu);
      totals.latencies_ms.insert(totals.latencies_ms.end(), latencies.begin(), latencies.end());
      totals.failed += failed;
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::vector<double>& all = totals.latencies_ms;
  std::sort(all.begin(), all.end());
  auto percentile = [&all](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "rest: %d connections, %zu granted in %s: %.0f req/s; p50 %.2f ms, p99 %.2f ms; "
      "%lld failed\n",
      flags.connections, all.size(), absl::FormatDuration(duration).c_str(),
      static_cast<double>(all.size()) / absl::ToDoubleSeconds(duration), percentile(0.5),
      percentile(0.99), static_cast<long long>(totals.failed));
  return all.empty() ? 1 : 0;
}
