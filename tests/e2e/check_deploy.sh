#!/usr/bin/env bash
# The deployment files, checked with real tools (deploy/README.md):
#   - the production config example, the Kubernetes overlay's copy of it, and
#     the compose demo's generated configs: the real wams-broker and
#     wams-adapter start with each (paths pointed at a fresh dev PKI, port 0)
#     and stop cleanly;
#   - the configs of the highly available variants (storage in PostgreSQL):
#     parsed as BrokerConfig by protoc, and the Kubernetes one is the
#     production example with only its storage changed;
#   - the compose files: `docker-compose config` (Debian's docker-compose), and
#     for the HA variant (compose.yaml + compose.ha.yaml) its services, their
#     references and health checks;
#   - the Kubernetes overlays (voorbeeldstad, voorbeeldstad-ha): rendered with
#     `kubectl kustomize`, every object validated against the Kubernetes API
#     schemas (CloudNativePG's structurally) and the deployment's promises
#     (deploy/validate/validate-kubernetes.js, npm kubernetes-models);
#   - the systemd unit: `systemd-analyze verify` prints nothing;
#   - the Dockerfiles: Debian 12 stages, a non-root user, no downloads.
# A check whose tool is missing is reported as skipped (the closing line
# counts them); deploy/install-deps.sh installs docker-compose, and
# deploy/validate/ is installed here with `npm ci` when node_modules is missing.
#
# usage: check_deploy.sh SOURCE_DIR WAMS_BROKER WAMS_ADAPTER
set -euo pipefail
if (($# != 3)); then
  echo "usage: $0 SOURCE_DIR WAMS_BROKER WAMS_ADAPTER" >&2
  exit 2
fi
source_dir=$(cd "$1" && pwd)
broker_bin=$2
adapter_bin=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/wams-deploy.XXXXXX")
trap 'rm -rf "$work"' EXIT

passes=0 failures=0 skips=0
pass() {
  echo "deploy: ok       $*"
  passes=$((passes + 1))
}
failed() {
  echo "deploy: FAILED   $*"
  failures=$((failures + 1))
}
skipped() {
  echo "deploy: skipped  $*"
  skips=$((skips + 1))
}

pki=$work/pki
bash "$source_dir/deploy/dev-pki.sh" "$pki" >/dev/null

# starts_cleanly NAME PROGRAM CONFIG: the program reaches "listening on" and
# exits 0 on SIGTERM.
starts_cleanly() {
  local name=$1 program=$2 config=$3
  local out=$work/${name//[^A-Za-z0-9._-]/_}.out err=$work/${name//[^A-Za-z0-9._-]/_}.err
  "$program" --config "$config" >"$out" 2>"$err" &
  local pid=$! listening=0
  for _ in $(seq 1 300); do
    if grep -q "listening on" "$out"; then
      listening=1
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  local code=0
  wait "$pid" || code=$?
  if ((listening && code == 0)); then
    pass "$name: starts and stops cleanly"
  else
    failed "$name: listening=$listening exit=$code: $(tail -n 3 "$err")"
  fi
}

# to_host CONFIG OUT: a container/production config with its paths pointed at
# the test's PKI and data dir, listening on a free loopback port.
to_host() {
  local data_dir
  data_dir=$work/data-$(basename "$2")
  sed -e "s|\"/etc/wams/tls/|\"$pki/|; s|\"/etc/wams/keys/|\"$pki/|" \
    -e "s|\"/etc/wams/records/|\"$source_dir/adapters/config/records/|" \
    -e "s|^data_dir: \"[^\"]*\"|data_dir: \"$data_dir\"|" \
    -e "s|share_inbox_dir: \"/var/lib/wams/|share_inbox_dir: \"$data_dir/|" \
    -e "s|^listen_address: \"[^\"]*\"|listen_address: \"127.0.0.1:0\"|" "$1" >"$2"
}

echo "deploy: configs"
to_host "$source_dir/deploy/config/broker.production.textproto" "$work/production.textproto"
starts_cleanly "config/broker.production.textproto" "$broker_bin" "$work/production.textproto"
# The Kubernetes configs are the production example with the metrics endpoint
# on the pod's addresses instead of the commented loopback example.
without_k8s_metrics() { sed '/^# In Kubernetes: every address of the pod/,/^metrics_address:/d' "$1"; }
without_metrics_example() { sed '/^#   metrics_address: "127.0.0.1:9464"$/d' "$1"; }
if cmp -s <(without_metrics_example "$source_dir/deploy/config/broker.production.textproto") \
  <(without_k8s_metrics "$source_dir/deploy/kubernetes/voorbeeldstad/broker.textproto") &&
  grep -q '^metrics_address: "0.0.0.0:9464"$' "$source_dir/deploy/kubernetes/voorbeeldstad/broker.textproto"; then
  pass "kubernetes/voorbeeldstad/broker.textproto is the production example, metrics on the pod's addresses"
else
  failed "kubernetes/voorbeeldstad/broker.textproto differs from config/broker.production.textproto beyond metrics_address"
fi
bash "$source_dir/deploy/compose/make-configs.sh" "$work/compose" >/dev/null
to_host "$work/compose/broker.textproto" "$work/compose-broker.textproto"
starts_cleanly "compose broker config" "$broker_bin" "$work/compose-broker.textproto"
for name in neighbourhood-team ggz school police probation housing; do
  to_host "$work/compose/$name.textproto" "$work/compose-$name.textproto"
  starts_cleanly "compose $name adapter config" "$adapter_bin" "$work/compose-$name.textproto"
done

# The HA configs (storage in PostgreSQL): the broker can only start them with
# a database (tests/ha does), so here they are parsed as BrokerConfig.
echo "deploy: configs with storage in PostgreSQL"
bash "$source_dir/deploy/compose/make-configs-ha.sh" "$work/compose-ha" >/dev/null
ha_k8s_config=$source_dir/deploy/kubernetes/voorbeeldstad-ha/broker.textproto
shown() {
  local name=${1#"$work/"}
  echo "${name#"$source_dir/deploy/"}"
}
if command -v protoc >/dev/null; then
  for config in "$work/compose-ha/broker-1.textproto" "$work/compose-ha/broker-2.textproto" "$ha_k8s_config"; do
    if protoc -I "$source_dir/proto" -I /usr/include --encode=wams.broker.v1.BrokerConfig \
      wams/broker/v1/config.proto <"$config" >/dev/null 2>"$work/protoc.err" &&
      grep -q '^storage {' "$config" && ! grep -q '^data_dir:' "$config"; then
      pass "$(shown "$config"): a BrokerConfig with storage.postgres"
    else
      failed "$(shown "$config"): $(cat "$work/protoc.err")"
    fi
  done
else
  skipped "configs with storage in PostgreSQL: protoc is not installed"
fi
if cmp -s <(without_k8s_metrics "$ha_k8s_config" | sed '/^# The receipt log and cases in PostgreSQL/,/^}$/d') \
  <(without_metrics_example "$source_dir/deploy/config/broker.production.textproto" |
    sed '/^# The RocksDB database/,/^data_dir:/d'); then
  pass "kubernetes/voorbeeldstad-ha/broker.textproto is the Kubernetes example with storage in PostgreSQL"
else
  failed "kubernetes/voorbeeldstad-ha/broker.textproto differs from the production example beyond its storage"
fi

echo "deploy: compose"
if command -v docker-compose >/dev/null; then
  if (cd "$source_dir/deploy/compose" && docker-compose -f compose.yaml config -q) 2>"$work/compose.err"; then
    pass "compose/compose.yaml: docker-compose config"
  else
    failed "compose/compose.yaml: $(cat "$work/compose.err")"
  fi
  # The passwords come from generated/db.env (make-configs-ha.sh); any will do here.
  if (cd "$source_dir/deploy/compose" && WAMS_DB_SUPERUSER_PASSWORD=x WAMS_DB_REPLICATION_PASSWORD=x \
    WAMS_DB_PASSWORD=x docker-compose -f compose.yaml -f compose.ha.yaml config) \
    >"$work/compose-ha.yaml" 2>"$work/compose.err"; then
    pass "compose/compose.ha.yaml over compose.yaml: docker-compose config"
    if python3 "$source_dir/tests/e2e/check_compose_ha.py" "$work/compose-ha.yaml" "$work/compose-ha" \
      >"$work/compose-ha.out" 2>&1; then
      pass "compose/compose.ha.yaml: $(cat "$work/compose-ha.out")"
    else
      failed "compose/compose.ha.yaml: $(cat "$work/compose-ha.out")"
    fi
  else
    failed "compose/compose.ha.yaml: $(cat "$work/compose.err")"
  fi
else
  skipped "compose files: docker-compose is not installed (deploy/install-deps.sh)"
fi

echo "deploy: kubernetes"
validate=$source_dir/deploy/validate
if ! command -v kubectl >/dev/null; then
  skipped "kubernetes: kubectl (kustomize) is not installed"
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  skipped "kubernetes: node and npm are not installed"
else
  if [[ ! -d $validate/node_modules/kubernetes-models ]]; then
    (cd "$validate" && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1 ||
      { cat "$work/npm.log"; }
  fi
  cp -r "$source_dir/deploy/kubernetes" "$work/kubernetes"
  overlay=$work/kubernetes/voorbeeldstad
  rm -rf "$overlay/secrets"
  mkdir -p "$overlay/secrets/tls" "$overlay/secrets/keys"
  cp "$pki/broker.crt" "$pki/broker.key" "$pki/ca.crt" "$overlay/secrets/tls/"
  cp "$pki/receipt-signing.key" "$pki/pseudonym.key" "$overlay/secrets/keys/"
  mkdir -p "$work/kubernetes/voorbeeldstad-ha/secrets/db-backup"
  echo example-key-id >"$work/kubernetes/voorbeeldstad-ha/secrets/db-backup/ACCESS_KEY_ID"
  echo example-secret >"$work/kubernetes/voorbeeldstad-ha/secrets/db-backup/ACCESS_SECRET_KEY"
  for name in voorbeeldstad voorbeeldstad-ha; do
    if ! kubectl kustomize "$work/kubernetes/$name" >"$work/rendered-$name.yaml" 2>"$work/kustomize.err"; then
      failed "kubernetes/$name: kubectl kustomize: $(cat "$work/kustomize.err")"
    elif node "$validate/validate-kubernetes.js" <"$work/rendered-$name.yaml" >"$work/validate.out" 2>&1; then
      pass "kubernetes/$name: $(cat "$work/validate.out")"
    else
      failed "kubernetes/$name:"
      cat "$work/validate.out"
    fi
  done
  cp "$work/rendered-voorbeeldstad.yaml" "$work/rendered.yaml"
  # The validator can fail: a broken rendering is refused.
  sed 's/replicas: 1/replicas: 3/' "$work/rendered.yaml" >"$work/broken.yaml"
  if node "$validate/validate-kubernetes.js" <"$work/broken.yaml" >/dev/null 2>&1; then
    failed "validate-kubernetes.js accepted three replicas"
  else
    pass "validate-kubernetes.js refuses a broken rendering (three replicas)"
  fi
  # refused DESCRIPTION SED: the single-broker rendering broken by SED must be refused.
  refused() {
    sed "$2" "$work/rendered.yaml" >"$work/broken.yaml"
    if cmp -s "$work/broken.yaml" "$work/rendered.yaml"; then
      failed "validate-kubernetes.js check '$1': the edit changed nothing"
    elif node "$validate/validate-kubernetes.js" <"$work/broken.yaml" >/dev/null 2>&1; then
      failed "validate-kubernetes.js accepted $1"
    else
      pass "validate-kubernetes.js refuses $1"
    fi
  }
  refused "a broker without a metrics port" '/- containerPort: 9464/,/protocol: TCP/d'
  refused "a broker without a readiness probe" '/readinessProbe:/,/timeoutSeconds/d'
  refused "metrics on loopback" 's/^    metrics_address: "0.0.0.0:9464"/    metrics_address: "127.0.0.1:9464"/'
  refused "a config without metrics_address" '/^    metrics_address: /d'
  refused "the metrics port open to the partners' networks" 's/^    - port: 7443$/    - endPort: 9464\n      port: 7443/'
  refused "no scrape admitted from the monitoring namespace" 's/^    - port: 9464$/    - port: 9465/'
  # refused_ha DESCRIPTION SED: the HA rendering broken by SED must be refused.
  refused_ha() {
    sed "$2" "$work/rendered-voorbeeldstad-ha.yaml" >"$work/broken-ha.yaml"
    if cmp -s "$work/broken-ha.yaml" "$work/rendered-voorbeeldstad-ha.yaml"; then
      failed "validate-kubernetes.js HA check '$1': the edit changed nothing"
    elif node "$validate/validate-kubernetes.js" <"$work/broken-ha.yaml" >/dev/null 2>&1; then
      failed "validate-kubernetes.js accepted $1"
    else
      pass "validate-kubernetes.js refuses $1"
    fi
  }
  refused_ha "a database without a synchronous standby" 's/minSyncReplicas: 1/minSyncReplicas: 0/'
  refused_ha "an unknown Cluster field" 's/^  walStorage:/  walstorage:/'
  refused_ha "a group-readable password file" 's|install -m 0600 /secrets/db/password|install -m 0640 /secrets/db/password|'
  refused_ha "a standby restarted by its liveness probe" '/livenessProbe:/,/timeoutSeconds/{/- --alive/d}'
  refused_ha "a database without TLS verification" 's/sslmode=verify-full/sslmode=prefer/'
fi

echo "deploy: systemd"
if command -v systemd-analyze >/dev/null; then
  sed "s|^ExecStart=/usr/local/bin/wams-broker|ExecStart=$broker_bin|" \
    "$source_dir/deploy/systemd/wams-broker.service" >"$work/wams-broker.service"
  systemd-analyze verify "$work/wams-broker.service" >"$work/systemd.out" 2>&1 || true
  if [[ -s $work/systemd.out ]]; then
    failed "systemd/wams-broker.service: $(cat "$work/systemd.out")"
  else
    pass "systemd/wams-broker.service: systemd-analyze verify"
  fi
else
  skipped "systemd: systemd-analyze is not installed"
fi

echo "deploy: container"
ha_dockerfile=$source_dir/deploy/container/Dockerfile.postgres-ha
if grep -q '^FROM debian:12' "$ha_dockerfile" && ! grep -Eq '^FROM ' <(grep -v '^FROM debian:12' "$ha_dockerfile") &&
  grep -Eq '^USER [1-9][0-9]*:[1-9][0-9]*$' "$ha_dockerfile" &&
  ! grep -Eiq '(curl|wget) .*https?://|^ADD +https?:' "$ha_dockerfile"; then
  pass "container/Dockerfile.postgres-ha: Debian 12, non-root USER, no downloads"
else
  failed "container/Dockerfile.postgres-ha: expected only 'FROM debian:12' stages, a numeric non-root USER, no curl/wget/ADD URL"
fi
dockerfile=$source_dir/deploy/container/Dockerfile
if [[ $(grep -c '^FROM debian:12' "$dockerfile") == 2 ]] &&
  grep -Eq '^USER [1-9][0-9]*:[1-9][0-9]*$' "$dockerfile" &&
  ! grep -Eiq '(curl|wget) |^ADD +https?:' "$dockerfile"; then
  pass "container/Dockerfile: two Debian 12 stages, non-root USER, no downloads"
else
  failed "container/Dockerfile: expected two 'FROM debian:12' stages, a numeric non-root USER, no curl/wget/ADD URL"
fi
# Parsed, not byte-compiled: nothing is written into the source tree.
if /usr/bin/python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' \
  "$source_dir/deploy/container/wams-healthcheck" 2>"$work/py.err"; then
  pass "container/wams-healthcheck parses"
else
  failed "container/wams-healthcheck: $(cat "$work/py.err")"
fi

echo "deploy: $passes passed, $failures failed, $skips skipped"
((failures == 0))
