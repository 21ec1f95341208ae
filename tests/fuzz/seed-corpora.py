#!/usr/bin/env python3
"""Gathers raw seed inputs for every fuzz target from the shared samples, the test fixtures and a small
generated enterprise; `run-fuzzers.sh --merge --seeds DIR` then minimizes them into tests/fuzz/corpus/.

Usage: tests/fuzz/seed-corpora.py --out DIR [--shared DIR] [--cli chainsight-cli]
"""
import argparse
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_SEED = 60 * 1024  # below the fuzzers' -max_len


class Seeds:
    def __init__(self, out: Path):
        self.out = out
        self.counts = {}

    def add(self, target: str, data: bytes):
        if not data or len(data) > MAX_SEED:
            return
        folder = self.out / target
        folder.mkdir(parents=True, exist_ok=True)
        index = self.counts.get(target, 0)
        (folder / f"seed-{index:05d}").write_bytes(data)
        self.counts[target] = index + 1

    def add_file(self, target: str, path: Path):
        if path.is_file():
            self.add(target, path.read_bytes())

    def add_lines(self, target: str, path: Path, limit=40, group=3):
        """Each line alone, and a few lines together, so both one record and a sequence are seeded."""
        if not path.is_file():
            return
        lines = [line for line in path.read_bytes().splitlines(keepends=True) if line.strip()]
        for line in lines[:limit]:
            self.add(target, line)
        for start in range(0, min(len(lines), limit), group):
            self.add(target, b"".join(lines[start:start + group]))


def files(folder: Path, pattern="*"):
    return sorted(p for p in folder.glob(pattern) if p.is_file()) if folder.is_dir() else []


def generate_enterprise(shared: Path, scratch: Path):
    generator = shared / "bench" / "gen_enterprise.py"
    if not generator.is_file():
        return None
    out = scratch / "enterprise"
    subprocess.run([sys.executable, str(generator), "--out", str(out), "--agents", "12", "--events", "150",
                    "--anomaly-rate", "0.14"], check=True, stdout=subprocess.DEVNULL)
    return out


def dpop_seeds(seeds: Seeds, tokens: Path):
    """token, proof, method, URL and time on five lines, taken from gateway captures."""
    if not tokens.is_file():
        return
    for line in tokens.read_text().splitlines()[:60]:
        capture = json.loads(line)
        request = capture.get("request", {})
        from datetime import datetime
        when = int(datetime.fromisoformat(capture["time"].replace("Z", "+00:00")).timestamp())
        fields = [capture.get("token", ""), capture.get("dpop", ""), request.get("method", ""),
                  request.get("url", ""), str(when)]
        seeds.add("dpop", "\n".join(fields).encode())


def cedar_seeds(seeds: Seeds, conformance: Path, scratch: Path, cases=400):
    for policy in files(conformance / "tests", "*/*.cedar"):
        seeds.add_file("cedar_policy", policy)
    for entities in files(conformance / "sample-data", "*/entities.json"):
        seeds.add_file("cedar_entities", entities)
    for test in files(conformance / "tests", "*/*.json"):
        spec = json.loads(test.read_text())
        policies = (conformance / spec["policies"]).read_bytes()
        entities = (conformance / spec["entities"]).read_bytes()
        for request in spec.get("requests", [])[:4]:
            request = {k: request[k] for k in ("principal", "action", "resource", "context") if k in request}
            seeds.add("cedar_entities", json.dumps(request.get("context", {})).encode())
            seeds.add("cedar_evaluator", policies + b"\n%%\n" + entities + b"\n%%\n" + json.dumps(request).encode())
    archive = conformance / "cedar-corpus-dev.tar.gz"
    if not archive.is_file():
        return
    corpus = scratch / "corpus"
    with tarfile.open(archive) as tar:
        tar.extractall(corpus, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(corpus)
    tests = sorted((corpus / "corpus-tests").glob("*.json"))
    tests = [t for t in tests if not t.name.endswith(".entities.json")][:cases]
    for test in tests:
        try:
            spec = json.loads(test.read_text())
            policies = (corpus / spec["policies"]).read_bytes()
            entities = (corpus / spec["entities"]).read_bytes()
        except (OSError, KeyError, ValueError):
            continue
        seeds.add("cedar_policy", policies)
        seeds.add("cedar_entities", entities)
        for request in spec.get("requests", [])[:1]:
            request = {k: request[k] for k in ("principal", "action", "resource", "context") if k in request}
            seeds.add("cedar_evaluator", policies + b"\n%%\n" + entities + b"\n%%\n" + json.dumps(request).encode())


def workspace_seeds(seeds: Seeds, cli: str, scratch: Path):
    """Real workspaces, rewritten with 512-byte pages so a whole one fits in a fuzz input."""
    if not cli:
        return
    for name, inputs in (("empty", []), ("inventory", [ROOT / "tests/data/inventory/valid.json"]),
                         ("traces", [ROOT / "tests/data/otlp/inventory.json", ROOT / "tests/data/otlp/single-request.json"])):
        path = scratch / f"{name}.chainsight"
        if inputs:
            subprocess.run([cli, "import", "-w", str(path)] + [str(i) for i in inputs], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            subprocess.run([cli, "info", "-w", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run([cli, "import", "-w", str(path), str(ROOT / "tests/data/inventory/syntax-error.json")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not path.exists():
            continue
        db = sqlite3.connect(path)
        # Only the file name of each source: the seed must not carry where it was made.
        db.execute("UPDATE sources SET path = 'inputs/' || replace(path, rtrim(path, replace(path, '/', '')), '')")
        db.commit()
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA page_size = 512")
        db.execute("VACUUM")
        db.close()
        seeds.add("workspace_open", path.read_bytes())
    # The chain set an analysis stores, for the chain_set target.
    path = scratch / "analysed.chainsight"
    subprocess.run([cli, "import", "-w", str(path), str(ROOT / "tests/data/otlp/inventory.json"),
                    str(ROOT / "tests/data/otlp/single-request.json"), str(ROOT / "tests/data/chains/retention-trace.json")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([cli, "findings", "-w", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = sqlite3.connect(path)
    for (data,) in db.execute("SELECT data FROM chain_sets"):
        seeds.add("chain_set", bytes(data))
    db.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cli", default="")
    args = parser.parse_args()
    seeds = Seeds(args.out)
    samples = args.shared / "samples"
    data = ROOT / "tests" / "data"

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        world = generate_enterprise(args.shared, scratch)

        for path in files(data / "inventory", "*.json") + [data / "otlp/inventory.json", ROOT / "resources/demo/inventory.json"]:
            seeds.add_file("inventory_json", path)
        for path in files(data / "inventory", "*.csv"):
            seeds.add_file("inventory_csv", path)
        for path in files(samples / "otlp-json", "*.json") + [data / "otlp/single-request.json"]:
            seeds.add_file("otlp_json", path)
        seeds.add_lines("otlp_ndjson", data / "otlp/agents.jsonl")
        seeds.add_lines("otlp_ndjson", ROOT / "resources/demo/agent-traces.jsonl", limit=12)
        for path in files(samples / "otel-sdk-json", "*.json"):
            seeds.add_file("otel_sdk_json", path)
        for path in files(samples / "langfuse-export", "*.json"):
            seeds.add_file("langfuse_trace", path)

        logs = {"keycloak_events": "keycloak-events", "okta_systemlog": "okta-systemlog",
                "entra_signinlogs": "entra-signinlogs", "mcp_log": "mcp-log", "cloudtrail": "cloudtrail"}
        for target, name in logs.items():
            log_files = files(data / "logs", f"{name.split('-')[0]}*") + files(data / "bad" / name)
            for path in log_files:
                if target == "cloudtrail":
                    seeds.add(target, b"\x00" + path.read_bytes())
                    seeds.add(target, b"\x01" + path.read_bytes())
                else:
                    seeds.add_file(target, path)
        for path in files(samples / "okta-systemlog", "*.log"):
            seeds.add_lines("okta_systemlog", path)
        for path in files(samples / "entra-signinlogs", "*.log"):
            seeds.add_lines("entra_signinlogs", path)
        for path in files(samples / "mcp", "*/*.json*"):
            seeds.add_file("mcp_log", path)
        for path in files(samples / "aws-cloudtrail", "**/*"):
            seeds.add("cloudtrail", b"\x00" + path.read_bytes())
            seeds.add("cloudtrail", b"\x01" + path.read_bytes())

        if world:
            seeds.add_file("inventory_json", world / "inventory.json")
            seeds.add_file("inventory_csv", world / "inventory.csv")
            seeds.add_lines("otlp_ndjson", world / "otlp/traces-001.jsonl", limit=8, group=2)
            seeds.add_lines("jwt_captures", world / "tokens.jsonl")
            seeds.add_lines("keycloak_events", world / "keycloak-events.jsonl")
            seeds.add_lines("okta_systemlog", world / "okta-systemlog.jsonl")
            for path in files(world / "mcp", "*.jsonl"):
                seeds.add_file("mcp_log", path)
            for path in files(world / "cloudtrail", "*.json"):
                seeds.add("cloudtrail", b"\x00" + path.read_bytes())
                seeds.add("cloudtrail", b"\x01" + path.read_bytes())
            dpop_seeds(seeds, world / "tokens.jsonl")
        for path in files(samples / "jose-test-vectors", "*.json"):
            seeds.add("dpop", path.read_bytes())
        tokens = ROOT / "tests/jose/data/tokens.json"
        if tokens.is_file():
            for entry in json.loads(tokens.read_text()).get("tokens", []):
                token = entry.get("token", "")
                seeds.add("jwt_captures", token.encode() + b"\n")
                seeds.add("dpop", token.encode() + b"\n\nGET\nhttps://api.fixture.example/\n1772438424")

        cedar_seeds(seeds, args.shared / "conformance" / "cedar", scratch)
        for path in files(ROOT / "tests/cedar/data", "*.cedar"):
            seeds.add_file("cedar_policy", path)
        seeds.add_file("cedar_entities", ROOT / "tests/cedar/data/entities.json")
        workspace_seeds(seeds, args.cli, scratch)

    for target, count in sorted(seeds.counts.items()):
        print(f"{target}: {count} seeds")


if __name__ == "__main__":
    main()
