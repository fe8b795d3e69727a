#!/usr/bin/env bash
# Installs every Debian 12 package Wams Broker needs to build, test and run.
# Non-interactive and idempotent: packages already present are left alone.
set -euo pipefail

packages=(
  # Toolchain
  build-essential cmake ninja-build pkg-config clang-format
  # gRPC 1.51 and Protocol Buffers 3.21 (the grpc plugin is needed by gRPC's CMake config)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  # The standard health and reflection protos: the broker links grpc.health.v1 (so
  # reflection describes it); tests use both as clients
  grpc-proto
  # Crypto and storage (RocksDB embedded; libpq for the PostgreSQL backend)
  libssl-dev openssl librocksdb-dev libpq-dev
  # Ed25519 signing of receipts (half the CPU of OpenSSL 3's); the broker's allocator
  libsodium-dev libjemalloc-dev
  # Abseil 20220623
  libabsl-dev
  # The one command-line parser of every binary (broker/base/cli), header-only
  libcli11-dev
  # Adapters: HTTP client for a party's own system, and JSON
  libcurl4-openssl-dev nlohmann-json3-dev
  # Logging for the broker and the adapters (broker/base/logging)
  libspdlog-dev
  # HTTPS for the C2SP tlog-witness protocol (broker/witnessing, wams-audit witness-serve);
  # in the tests also a loopback HTTP server for the adapters' HTTP backend
  libcpp-httplib-dev
  # Metrics: the Prometheus endpoint of broker and adapters (prometheus-cpp 1.0.1); promtool
  # checks deploy/monitoring's alert rules (package prometheus); gnuplot plots a load run's
  # scraped metrics (tests/load/plot-metrics.sh)
  prometheus-cpp-dev prometheus gnuplot-nox
  # Tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  # Fuzzing (tests/fuzz): clang with libFuzzer and the sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # Static checks (tests/static): clang-tidy and run-clang-tidy, also for the thread-safety analysis
  clang-tidy-14
  # The quick start's walkthrough (deploy/walkthrough.sh) and its e2e test read wamsctl --json
  jq
  # The container's mTLS health probe (deploy/container/wams-healthcheck) and the
  # check of the compose file (deploy/compose) in the deployment test
  python3-grpcio docker-compose
  # PostgreSQL storage and its high availability (tests/ha): PostgreSQL 15 (server, psql,
  # pg_basebackup), Patroni with etcd for failover; curl and ss for the harness's probes
  postgresql-15 patroni etcd-server etcd-client curl iproute2
  # The lint of the REST face's OpenAPI document (tests/openapi-lint: npm @stoplight/spectral-cli,
  # which needs Node.js 18.18 or later: Debian 12 has 18.19) and the Kubernetes manifests' check
  # (deploy/validate)
  nodejs
)
# Debian's npm conflicts with a Node.js that brings its own (NodeSource's nodejs provides npm):
# ask for it only when no npm is there.
if ! command -v npm >/dev/null; then packages+=(npm); fi
# Services these packages enable at install; the tests and the operator start their own.
services_to_disable=(postgresql etcd patroni prometheus)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Installing postgresql-15, etcd-server or patroni enables (and on a systemd host starts) their
# services: Debian's cluster 15/main on port 5432, etcd on 2379/2380, an unconfigured Patroni,
# a Prometheus server on 9090 (only its promtool is used here).
# Nothing here uses them, so they are disabled and stopped, and only when this run installed
# them (an operator's own PostgreSQL is left alone). The cluster 15/main itself is kept (down).
# Without systemd (a container) `--now` fails but the links are still removed.
if [[ " ${missing[*]} " =~ \ (postgresql-15|etcd-server|patroni|prometheus)\  ]] && command -v systemctl >/dev/null; then
  "${sudo_cmd[@]}" systemctl disable --now "${services_to_disable[@]}" >/dev/null 2>&1 ||
    "${sudo_cmd[@]}" systemctl disable "${services_to_disable[@]}" >/dev/null 2>&1 || true
fi
