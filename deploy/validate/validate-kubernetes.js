// Validates rendered Kubernetes manifests (a multi-document YAML stream on
// stdin, e.g. `kubectl kustomize deploy/kubernetes/voorbeeldstad`) against the
// Kubernetes API's OpenAPI schemas shipped by the npm package kubernetes-models,
// then checks what deploy/README.md promises about the broker's deployment.
//
//   kubectl kustomize DIR | node deploy/validate/validate-kubernetes.js
//
// Exit 0: every document is a known, schema-valid object and every promise
// holds. Exit 1: the first problems, one per line.
"use strict";
const fs = require("fs");
const YAML = require("yaml");
const cnpg = require("./cnpg");

const problems = [];
const problem = (text) => problems.push(text);

function modelFor(apiVersion, kind) {
  // "apps/v1" -> kubernetes-models/apps/v1/Kind; "v1" -> kubernetes-models/v1/Kind.
  try {
    return require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
  } catch (error) {
    return undefined;
  }
}

const docs = YAML.parseAllDocuments(fs.readFileSync(0, "utf8"));
const objects = [];
for (const doc of docs) {
  if (doc.errors.length > 0) {
    problem(`YAML: ${doc.errors[0].message}`);
    continue;
  }
  const object = doc.toJS();
  if (object === null) continue;
  const name = `${object.kind}/${object.metadata && object.metadata.name}`;
  // kustomize wraps long base64 values; the API server's decoder (Go's
  // encoding/base64) skips the line breaks, the schema's "byte" format does not.
  if (object.kind === "Secret" && object.data) {
    for (const key of Object.keys(object.data)) object.data[key] = object.data[key].replace(/\s+/g, "");
  }
  if (cnpg.isCnpg(object)) {
    // CloudNativePG's CRDs are not in kubernetes-models: checked structurally.
    for (const text of cnpg.check(object)) problem(`${name}: ${text}`);
    objects.push(object);
    continue;
  }
  const Model = object.apiVersion && object.kind ? modelFor(object.apiVersion, object.kind) : undefined;
  if (Model === undefined) {
    problem(`${name}: unknown apiVersion/kind ${object.apiVersion}/${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problem(`${name}: ${error.message}`);
    continue;
  }
  objects.push(object);
}

// What the deployment promises (deploy/README.md).
const byKind = (kind) => objects.filter((o) => o.kind === kind);
const brokerConfig = byKind("ConfigMap").find((c) => c.data && c.data["broker.textproto"]);
// With `storage { postgres { ... } }` several brokers share one database (one
// writes at a time); otherwise each broker owns its RocksDB volume.
const postgres = brokerConfig ? cnpg.postgresStorage(brokerConfig.data["broker.textproto"]) : undefined;
const sets = byKind("StatefulSet");
if (sets.length !== 1) problem(`expected one StatefulSet (one broker per municipality), got ${sets.length}`);
for (const set of sets) {
  const spec = set.spec;
  if (postgres === undefined) {
    if (spec.replicas !== 1) problem(`${set.metadata.name}: replicas must be 1 (one writer per receipt log)`);
    if (!(spec.volumeClaimTemplates || []).some((t) => t.metadata.name === "data")) {
      problem(`${set.metadata.name}: no persistent volume claim template "data"`);
    }
  } else {
    for (const text of cnpg.checkHaBrokers(set, postgres, objects)) problem(`${set.metadata.name}: ${text}`);
  }
  const pod = spec.template.spec;
  if (!(pod.securityContext && pod.securityContext.runAsNonRoot)) problem("the pod must run as non-root");
  for (const container of [...(pod.initContainers || []), ...pod.containers]) {
    const sc = container.securityContext || {};
    if (sc.allowPrivilegeEscalation !== false || sc.readOnlyRootFilesystem !== true) {
      problem(`container ${container.name}: needs allowPrivilegeEscalation false, readOnlyRootFilesystem true`);
    }
  }
  const broker = pod.containers.find((c) => c.name === "broker");
  if (broker === undefined) {
    problem("no container named broker");
  } else {
    const volumeOf = (mountPath) => (broker.volumeMounts || []).find((m) => m.mountPath === mountPath);
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      const command = broker[probe] && broker[probe].exec && broker[probe].exec.command;
      if (!command || !String(command[0]).endsWith("wams-healthcheck")) {
        problem(`broker: ${probe} must exec wams-healthcheck (mTLS gRPC health)`);
      } else if ((probe === "readinessProbe") === command.includes("--alive")) {
        // Liveness apart from readiness: a full disk or a standby is not
        // ready, and must not be restarted for it.
        problem(`broker: ${probe} must ${probe === "readinessProbe" ? "not " : ""}use --alive`);
      }
    }
    const data = volumeOf("/var/lib/wams");
    if (postgres === undefined && !(data && data.name === "data")) {
      problem("broker: the data volume must be mounted at /var/lib/wams");
    }
  }
  // Every ConfigMap and Secret the pod refers to is part of the rendering.
  const names = (kind) => new Set(byKind(kind).map((o) => o.metadata.name));
  const configMaps = names("ConfigMap");
  const secrets = names("Secret");
  // Secrets the operator makes for each Cluster (NAME-app, NAME-ca, ...).
  for (const name of cnpg.operatorSecrets(objects)) secrets.add(name);
  for (const volume of pod.volumes || []) {
    if (volume.configMap && !configMaps.has(volume.configMap.name)) {
      problem(`volume ${volume.name}: ConfigMap ${volume.configMap.name} is not defined`);
    }
    if (volume.secret && !secrets.has(volume.secret.secretName)) {
      problem(`volume ${volume.name}: Secret ${volume.secret.secretName} is not defined`);
    }
  }
  for (const container of pod.containers) {
    for (const env of container.env || []) {
      const ref = env.valueFrom && env.valueFrom.configMapKeyRef;
      if (ref && !configMaps.has(ref.name)) problem(`env ${env.name}: ConfigMap ${ref.name} is not defined`);
    }
  }
  if (!brokerConfig) problem("no ConfigMap holds broker.textproto");
}
const labels = sets.length === 1 ? sets[0].spec.template.metadata.labels : {};
const policies = byKind("NetworkPolicy").filter((p) =>
  Object.entries(p.spec.podSelector.matchLabels || {}).every(([k, v]) => labels[k] === v));
if (policies.length === 0) problem("no NetworkPolicy selects the broker pod");
for (const policy of policies) {
  const types = policy.spec.policyTypes || [];
  if (!types.includes("Ingress") || !types.includes("Egress")) {
    problem(`NetworkPolicy ${policy.metadata.name}: must restrict both Ingress and Egress`);
  }
}
if (byKind("Service").length === 0) problem("no Service");

// The metrics endpoint (README.md, "Metrics"): on the pod's address, a
// container port `metrics`, a Service for it, and a NetworkPolicy that
// admits the scrape from a namespace only, never from address blocks.
const metricsAddress = brokerConfig ? /^metrics_address:\s*"([^"]*)"/m.exec(brokerConfig.data["broker.textproto"]) : null;
if (brokerConfig && metricsAddress === null) {
  problem("broker.textproto: no metrics_address (the pod's address, e.g. \"0.0.0.0:9464\")");
} else if (metricsAddress !== null) {
  const match = /^(.*):(\d+)$/.exec(metricsAddress[1]);
  const host = match ? match[1].replace(/^\[|\]$/g, "") : "";
  const port = match ? Number(match[2]) : 0;
  if (!match || port === 0) problem(`broker.textproto: metrics_address "${metricsAddress[1]}" needs a fixed port`);
  if (/^(127\.|localhost$|::1$)/.test(host)) {
    problem(`broker.textproto: metrics_address "${metricsAddress[1]}" is loopback: Prometheus cannot scrape it`);
  }
  for (const set of sets) {
    const pod = set.spec.template.spec;
    const broker = pod.containers.find((c) => c.name === "broker");
    const named = broker && (broker.ports || []).find((p) => p.name === "metrics");
    if (!named) {
      problem("broker: no container port named metrics");
    } else if (named.containerPort !== port) {
      problem(`broker: container port metrics is ${named.containerPort}, metrics_address says ${port}`);
    }
    const annotations = set.spec.template.metadata.annotations || {};
    if (annotations["prometheus.io/scrape"] === "true" && annotations["prometheus.io/port"] !== String(port)) {
      problem(`pod annotation prometheus.io/port must be "${port}" (metrics_address)`);
    }
  }
  const targetsMetrics = (p) => p.targetPort === "metrics" || p.targetPort === port;
  if (!byKind("Service").some((svc) => (svc.spec.ports || []).some(targetsMetrics))) {
    problem("no Service port targets the metrics port");
  }
  const admitsMetrics = (rule) =>
    !rule.ports || rule.ports.some((p) => p.port === port || p.port === "metrics" ||
      (typeof p.port === "number" && p.endPort && p.port <= port && port <= p.endPort));
  let scraped = false;
  for (const policy of policies) {
    for (const rule of policy.spec.ingress || []) {
      if (!admitsMetrics(rule)) continue;
      const from = rule.from || [];
      if (from.length === 0 || from.some((peer) => !peer.namespaceSelector || peer.ipBlock)) {
        problem(`NetworkPolicy ${policy.metadata.name}: the metrics port is open beyond a monitoring namespace`);
      } else {
        scraped = true;
      }
    }
  }
  if (!scraped) problem("no NetworkPolicy rule admits the metrics scrape from the monitoring namespace");
}
if (byKind("Namespace").length !== 1) problem("expected the municipality's own Namespace");

if (problems.length > 0) {
  for (const text of problems) console.log(`validate-kubernetes: ${text}`);
  process.exit(1);
}
const kinds = objects.map((o) => o.kind).sort().join(", ");
console.log(`validate-kubernetes: ${objects.length} objects valid (${kinds})`);
