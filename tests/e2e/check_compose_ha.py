#!/usr/bin/python3
"""Checks the merged high-availability compose demo (`docker-compose -f
compose.yaml -f compose.ha.yaml config`, deploy/compose/compose.ha.yaml)
against what deploy/README.md promises, with the configs make-configs-ha.sh
wrote:

  check_compose_ha.py MERGED_COMPOSE_YAML GENERATED_DIR

etcd, two Patroni nodes and two brokers; every depends_on, volume and config
file they name exists; each has a health check (the brokers' accepts a
standby: --alive); the nodes and brokers have different names; the broker
ports differ. Prints a summary and exits 0, or the problems and exits 1.
"""
import os
import re
import sys

import yaml


def main():
    merged, generated = sys.argv[1], sys.argv[2]
    with open(merged) as f:
        compose = yaml.safe_load(f)
    services = compose.get("services", {})
    volumes = set((compose.get("volumes") or {}).keys())
    problems = []

    for name in ("etcd", "db-1", "db-2", "broker", "broker-2"):
        if name not in services:
            problems.append(f"no service {name}")
    for name, service in services.items():
        for dependency in service.get("depends_on") or {}:
            if dependency not in services:
                problems.append(f"{name}: depends on undefined service {dependency}")
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                source, kind = volume.get("source"), volume.get("type")
            else:  # "SOURCE:TARGET[:MODE]": a named volume unless SOURCE is a path
                source = volume.split(":")[0]
                kind = "bind" if source.startswith(("/", ".", "~")) else "volume"
            if kind == "volume" and source not in volumes:
                problems.append(f"{name}: undefined volume {source}")

    nodes = {}
    for name in ("db-1", "db-2"):
        service = services.get(name, {})
        environment = service.get("environment") or {}
        nodes[name] = environment.get("PATRONI_NAME")
        if "healthcheck" not in service:
            problems.append(f"{name}: no health check")
        if "etcd" not in (service.get("depends_on") or {}):
            problems.append(f"{name}: must wait for etcd")
    if len(set(nodes.values())) != 2 or None in nodes.values():
        problems.append(f"the Patroni nodes need two different PATRONI_NAMEs, got {nodes}")
    if "healthcheck" not in services.get("etcd", {}):
        problems.append("etcd: no health check")

    node_names, ports = set(), set()
    for name in ("broker", "broker-2"):
        service = services.get(name, {})
        command = service.get("command") or []
        config = os.path.basename(command[-1]) if command else ""
        path = os.path.join(generated, config)
        if not config.endswith(".textproto") or not os.path.isfile(path):
            problems.append(f"{name}: config {config!r} is not written by make-configs-ha.sh")
        else:
            with open(path) as f:
                text = f.read()
            match = re.search(r'node_name:\s*"([^"]+)"', text)
            node_names.add(match.group(1) if match else None)
            if not re.search(r'password_file:\s*"/etc/wams/config/db-password"', text):
                problems.append(f"{name}: config must read the password from /etc/wams/config/db-password")
        test = (service.get("healthcheck") or {}).get("test") or []
        if "--alive" not in test:
            problems.append(f"{name}: health check must be wams-healthcheck --alive (a standby is NOT_SERVING)")
        for dependency in ("db-1", "db-2"):
            if dependency not in (service.get("depends_on") or {}):
                problems.append(f"{name}: must wait for {dependency}")
        for port in service.get("ports") or []:
            ports.add(port.get("published") if isinstance(port, dict) else str(port).split(":")[-2])
    if None in node_names or len(node_names) != 2:
        problems.append(f"the brokers need two different node_names, got {sorted(map(str, node_names))}")
    if len(ports) != 2:
        problems.append(f"the brokers need two different published ports, got {sorted(map(str, ports))}")
    password = os.path.join(generated, "db-password")
    if not os.path.isfile(password) or os.stat(password).st_mode & 0o077:
        problems.append("generated/db-password must exist with mode 0600")

    if problems:
        print("; ".join(problems))
        return 1
    print(f"{len(services)} services, etcd + 2 Patroni nodes + 2 brokers, references and health checks hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
