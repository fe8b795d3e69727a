// Checks for the highly available deployment (deploy/kubernetes/components/postgres-ha),
// used by validate-kubernetes.js:
//   - CloudNativePG's Cluster and ScheduledBackup, structurally: kubernetes-models has no
//     schema for them, so every field is checked against the names the operator's CRD
//     (postgresql.cnpg.io/v1) defines, with the types and bounds this deployment relies on;
//   - two brokers over that database: what deploy/README.md promises about them.
// Each check returns a list of problems (strings); empty means it holds.
"use strict";

const API = "postgresql.cnpg.io/v1";

// Field names of the CRD's spec (CloudNativePG 1.2x), and of the parts used here.
const CLUSTER_SPEC = new Set([
  "affinity", "backup", "bootstrap", "certificates", "description", "enablePDB",
  "enableSuperuserAccess", "env", "envFrom", "ephemeralVolumeSource", "ephemeralVolumesSizeLimit",
  "externalClusters", "failoverDelay", "imageCatalogRef", "imageName", "imagePullPolicy",
  "imagePullSecrets", "inheritedMetadata", "instances", "livenessProbeTimeout", "logLevel",
  "managed", "maxSyncReplicas", "minSyncReplicas", "monitoring", "nodeMaintenanceWindow", "plugins",
  "podSecurityContext", "postgresGID", "postgresUID", "postgresql", "primaryUpdateMethod",
  "primaryUpdateStrategy", "priorityClassName", "probes", "projectedVolumeTemplate", "replica",
  "replicationSlots", "resources", "schedulerName", "seccompProfile", "securityContext",
  "serviceAccountTemplate", "smartShutdownTimeout", "startDelay", "stopDelay", "storage",
  "superuserSecret", "switchoverDelay", "tablespaces", "topologySpreadConstraints", "walStorage",
]);
const NESTED = {
  storage: ["pvcTemplate", "resizeInUseVolumes", "size", "storageClass"],
  walStorage: ["pvcTemplate", "resizeInUseVolumes", "size", "storageClass"],
  bootstrap: ["initdb", "pg_basebackup", "recovery"],
  "bootstrap.initdb": [
    "builtinLocale", "dataChecksums", "database", "encoding", "icuLocale", "icuRules", "import",
    "locale", "localeCType", "localeCollate", "localeProvider", "options", "owner",
    "postInitApplicationSQL", "postInitApplicationSQLRefs", "postInitSQL", "postInitSQLRefs",
    "postInitTemplateSQL", "postInitTemplateSQLRefs", "secret", "walSegmentSize",
  ],
  affinity: [
    "additionalPodAffinity", "additionalPodAntiAffinity", "enablePodAntiAffinity", "nodeAffinity",
    "nodeSelector", "podAntiAffinityType", "tolerations", "topologyKey",
  ],
  postgresql: [
    "enableAlterSystem", "extensions", "ldap", "parameters", "pg_hba", "pg_ident", "promotionTimeout",
    "shared_preload_libraries", "syncReplicaElectionConstraint", "synchronous",
  ],
  backup: ["barmanObjectStore", "retentionPolicy", "target", "volumeSnapshot"],
  "backup.barmanObjectStore": [
    "azureCredentials", "data", "destinationPath", "endpointCA", "endpointURL", "googleCredentials",
    "historyTags", "s3Credentials", "serverName", "tags", "wal",
  ],
};
const SCHEDULED_BACKUP_SPEC = new Set([
  "backupOwnerReference", "cluster", "immediate", "method", "online", "onlineConfiguration",
  "pluginConfiguration", "schedule", "suspend", "target",
]);

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
const isCount = (value) => Number.isInteger(value) && value >= 0;
const get = (object, path) => path.split(".").reduce((o, key) => (isObject(o) ? o[key] : undefined), object);

function unknownFields(object, allowed, where) {
  if (!isObject(object)) return [`${where} must be an object`];
  return Object.keys(object).filter((key) => !allowed.has(key)).map((key) => `unknown field ${where}.${key}`);
}

function checkCluster(spec) {
  const problems = unknownFields(spec, CLUSTER_SPEC, "spec");
  for (const [path, fields] of Object.entries(NESTED)) {
    const value = get(spec, path);
    if (value !== undefined) problems.push(...unknownFields(value, new Set(fields), `spec.${path}`));
  }
  const { instances, minSyncReplicas = 0, maxSyncReplicas = 0 } = spec;
  if (!Number.isInteger(instances) || instances < 2) {
    problems.push("spec.instances must be an integer of at least 2 (a primary and a standby)");
  }
  if (!isCount(minSyncReplicas) || !isCount(maxSyncReplicas)) {
    problems.push("spec.minSyncReplicas and spec.maxSyncReplicas must be integers >= 0");
  } else {
    // 0 lets a commit return with no standby holding it: a failover could lose it.
    if (minSyncReplicas < 1) problems.push("spec.minSyncReplicas must be at least 1 (synchronous standby)");
    if (maxSyncReplicas < minSyncReplicas) problems.push("spec.maxSyncReplicas must be >= minSyncReplicas");
    if (Number.isInteger(instances) && maxSyncReplicas >= instances) {
      problems.push("spec.maxSyncReplicas must be less than spec.instances");
    }
  }
  if (typeof get(spec, "storage.size") !== "string") problems.push("spec.storage.size must be a quantity string");
  const initdb = get(spec, "bootstrap.initdb");
  if (!isObject(initdb) || typeof initdb.database !== "string" || typeof initdb.owner !== "string") {
    problems.push("spec.bootstrap.initdb needs database and owner (strings)");
  }
  const antiAffinity = get(spec, "affinity.podAntiAffinityType");
  if (antiAffinity !== undefined && !["preferred", "required"].includes(antiAffinity)) {
    problems.push("spec.affinity.podAntiAffinityType must be preferred or required");
  }
  const store = get(spec, "backup.barmanObjectStore");
  if (store !== undefined && typeof store.destinationPath !== "string") {
    problems.push("spec.backup.barmanObjectStore.destinationPath is required");
  }
  for (const [key, value] of Object.entries(get(spec, "postgresql.parameters") || {})) {
    if (typeof value !== "string") problems.push(`spec.postgresql.parameters.${key} must be a string`);
  }
  return problems;
}

function checkScheduledBackup(spec) {
  const problems = unknownFields(spec, SCHEDULED_BACKUP_SPEC, "spec");
  // Six fields: seconds first (robfig/cron, as the operator documents).
  if (typeof spec.schedule !== "string" || spec.schedule.trim().split(/\s+/).length !== 6) {
    problems.push("spec.schedule must be a six-field cron expression (seconds first)");
  }
  if (typeof get(spec, "cluster.name") !== "string") problems.push("spec.cluster.name is required");
  return problems;
}

function isCnpg(object) {
  return typeof object.apiVersion === "string" && object.apiVersion.startsWith("postgresql.cnpg.io/");
}

function check(object) {
  if (object.apiVersion !== API) return [`unknown apiVersion ${object.apiVersion}`];
  if (!isObject(object.metadata) || typeof object.metadata.name !== "string") return ["metadata.name is required"];
  if (!isObject(object.spec)) return ["spec is required"];
  if (object.kind === "Cluster") return checkCluster(object.spec);
  if (object.kind === "ScheduledBackup") return checkScheduledBackup(object.spec);
  return [`unknown kind ${object.kind} of ${API}`];
}

// The secrets the operator makes for each Cluster.
function operatorSecrets(objects) {
  return objects
    .filter((o) => o.apiVersion === API && o.kind === "Cluster")
    .flatMap((o) => ["app", "ca", "server", "replication", "superuser"].map((suffix) => `${o.metadata.name}-${suffix}`));
}

// The string fields of `storage { postgres { ... } }` in a broker.textproto, or undefined.
function postgresStorage(textproto) {
  const text = textproto.replace(/#.*$/gm, "");
  const block = /(^|\s)storage\s*\{\s*postgres\s*\{([^}]*)\}/m.exec(text);
  if (!block) return undefined;
  const fields = {};
  for (const [, key, value] of block[2].matchAll(/(\w+)\s*:\s*"([^"]*)"/g)) fields[key] = value;
  return fields;
}

function conninfoParameters(conninfo) {
  return Object.fromEntries((conninfo || "").trim().split(/\s+/).map((pair) => pair.split("=", 2)));
}

const dirname = (path) => path.replace(/\/[^/]*$/, "");

// Two brokers over the Cluster named in the config's conninfo.
function checkHaBrokers(set, postgres, objects) {
  const problems = [];
  const pod = set.spec.template.spec;
  const broker = pod.containers.find((c) => c.name === "broker");
  if (!broker) return ["no container named broker"];
  if (!(set.spec.replicas >= 2)) problems.push("replicas must be at least 2 (a writer and a standby)");

  const anti = get(pod, "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution") || [];
  if (!anti.some((term) => term.topologyKey === "kubernetes.io/hostname")) {
    problems.push("the brokers need required pod anti-affinity on kubernetes.io/hostname (not both on one machine)");
  }

  // Readiness: SERVING (the writer only), so the Service routes there; start-up and
  // liveness: answering at all, or the standby is restarted for being one.
  const command = (probe) => (get(broker, `${probe}.exec.command`) || []).map(String);
  if (command("readinessProbe").includes("--alive")) {
    problems.push("broker: readinessProbe must be SERVING (wams-healthcheck without --alive)");
  }
  for (const probe of ["startupProbe", "livenessProbe"]) {
    if (!command(probe).includes("--alive")) {
      problems.push(`broker: ${probe} must be wams-healthcheck --alive (a standby answers NOT_SERVING)`);
    }
  }

  // The conninfo names a Cluster of this rendering by its read-write Service, over verified TLS.
  const parameters = conninfoParameters(postgres.conninfo);
  const clusters = objects.filter((o) => o.apiVersion === API && o.kind === "Cluster");
  const cluster = clusters.find((c) => `${c.metadata.name}-rw` === parameters.host);
  if (!cluster) {
    problems.push(`storage.postgres.conninfo host ${parameters.host} is no Cluster's -rw Service`);
  } else {
    const initdb = get(cluster.spec, "bootstrap.initdb") || {};
    if (parameters.dbname !== initdb.database || parameters.user !== initdb.owner) {
      problems.push(`storage.postgres.conninfo dbname/user must be Cluster ${cluster.metadata.name}'s database/owner`);
    }
    const egress = (objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "wams-broker") || {}).spec;
    const reaches = ((egress && egress.egress) || []).some((rule) =>
      (rule.ports || []).some((p) => p.port === 5432) &&
      (rule.to || []).some((peer) => get(peer, "podSelector.matchLabels")?.["cnpg.io/cluster"] === cluster.metadata.name));
    if (!reaches) problems.push(`NetworkPolicy wams-broker must allow egress to Cluster ${cluster.metadata.name} on 5432`);
  }
  if (parameters.sslmode !== "verify-full" || !postgres.server_ca_file) {
    problems.push("storage.postgres: sslmode=verify-full with server_ca_file (TLS to the database)");
  }

  // password_file: copied 0600 by an init container into a memory volume the broker mounts.
  const init = (pod.initContainers || []).map((c) => (c.command || []).join(" ")).join("\n");
  if (!postgres.password_file) {
    problems.push("storage.postgres.password_file is required (the password from a Secret)");
  } else {
    const mount = (broker.volumeMounts || []).find((m) => m.mountPath === dirname(postgres.password_file));
    const volume = mount && (pod.volumes || []).find((v) => v.name === mount.name);
    if (!volume || !volume.emptyDir) {
      problems.push(`broker: ${dirname(postgres.password_file)} must be an emptyDir the init container fills`);
    }
    if (!new RegExp(`install -m 0600 \\S+ ${postgres.password_file.replace(/[.]/g, "\\.")}(\\s|$)`).test(init)) {
      problems.push(`an init container must copy the password to ${postgres.password_file} with mode 0600`);
    }
  }

  // node_name must differ between the brokers: the pod's name, put in by the init container.
  if (!/@POD_NAME@/.test(postgres.node_name || "")) {
    problems.push("storage.postgres.node_name must be the pod's name (@POD_NAME@, unique per broker)");
  } else if (!/sed "s\/@POD_NAME@\/\$POD_NAME\/"/.test(init)) {
    problems.push("an init container must put the pod's name into node_name (@POD_NAME@)");
  }
  return problems;
}

module.exports = { isCnpg, check, operatorSecrets, postgresStorage, checkHaBrokers };
