"""Exporter at scale: scrape cost against plain prometheus_client gauges, memory, ingest rate.

Run from the repository root: `venv/bin/python -m bench.exporter_bench` (or `make bench`).
Prints the figures and the ratios; it asserts nothing (targets are read from the output):
  scrape of 5,000 GPU nodes and 20,000 pods <= 1.5x plain gauges with the same samples,
  resident memory < 150 MiB, /v1/evaluations >= 1,000 single-item requests/s on loopback.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry, Gauge, disable_created_metrics, generate_latest

from bench.exporter_load import gzip_figures, ingest_figures, memory_figures
from exporter.config import parse_config
from exporter.exposition import render
from exporter.fleet import Fleet
from exporter.pricing import Node, Pod

ROOT = Path(__file__).resolve().parents[1]

NODES, PODS, GPUS_PER_NODE = 5000, 20000, 8
PRODUCTS = ("NVIDIA-H100-80GB-HBM3", "NVIDIA-A100-SXM4-80GB", "NVIDIA-L40S", "NVIDIA-L4")
CONFIG = {"models": ["llama-3-8b"], "evaluators": ["judge"]}


def fleet_description() -> dict:
    """A static inventory: NODES GPU nodes, PODS pods with one or two GPUs each."""
    nodes = [
        {
            "name": f"gpu-node-{i:05d}",
            "labels": {
                "nvidia.com/gpu.product": PRODUCTS[i % len(PRODUCTS)],
                "nvidia.com/gpu.count": str(GPUS_PER_NODE),
                "node.kubernetes.io/instance-type": "p5.48xlarge",
                "karpenter.sh/capacity-type": "spot" if i % 3 == 0 else "on-demand",
            },
        }
        for i in range(NODES)
    ]
    pods = [
        {
            "namespace": f"team-{i % 50}",
            "name": f"model-{i % 200}-{i:05d}",
            "node": f"gpu-node-{i % NODES:05d}",
            "gpus": 1 + i % 2,
        }
        for i in range(PODS)
    ]
    return {"nodes": nodes, "pods": pods}


def timed(fn, repeat: int = 7) -> float:
    """Median seconds of fn() over `repeat` runs (after one warm-up)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def scrape_comparison(description: dict) -> None:
    """Our collector against plain Gauges holding the same samples, in one process."""
    disable_created_metrics()
    config = parse_config(CONFIG)
    fleet = Fleet(config, sources=("file",))
    fleet.replace_nodes(
        Node(n["name"], n["labels"], float(GPUS_PER_NODE)) for n in description["nodes"]
    )
    fleet.replace_pods(
        Pod(p["namespace"], p["name"], p["node"], float(p["gpus"])) for p in description["pods"]
    )
    text = render(fleet.snapshot())
    samples = sum(1 for line in text.splitlines() if line and not line.startswith(b"#"))

    plain = CollectorRegistry()
    hourly = Gauge(
        "ai_node_gpu_hourly_cost_dollars",
        "h",
        ["node", "gpu_product", "instance_type", "capacity_type"],
        registry=plain,
    )
    gpus = Gauge("ai_node_gpus", "g", ["node", "gpu_product"], registry=plain)
    cost = Gauge("ai_gpu_cost_dollars_total", "c", ["node"], registry=plain)
    pod = Gauge("ai_pod_gpu_hourly_cost_dollars", "p", ["namespace", "pod", "node"], registry=plain)
    for snap_node in fleet.snapshot().nodes:
        n = snap_node.node
        hourly.labels(n.name, n.gpu_product, n.instance_type, snap_node.capacity_type).set(
            snap_node.price or 0
        )
        gpus.labels(n.name, n.gpu_product).set(n.gpus)
        cost.labels(n.name).set(1.0)
    for p in description["pods"]:
        pod.labels(p["namespace"], p["name"], p["node"]).set(6.88)
    Gauge(
        "ai_exporter_inventory_last_success_timestamp_seconds", "t", ["source"], registry=plain
    ).labels("file").set(1)
    Gauge("ai_exporter_inventory_errors_total", "e", ["source"], registry=plain).labels("file").set(
        0
    )
    plain_samples = sum(
        1 for line in generate_latest(plain).splitlines() if line and not line.startswith(b"#")
    )

    ours_s = timed(lambda: render(fleet.snapshot()))
    plain_s = timed(lambda: generate_latest(plain))
    print(f"samples per scrape: ours {samples}, plain gauges {plain_samples}")
    print(
        f"scrape (in process, median of 7): ours {ours_s * 1000:.1f} ms, "
        f"plain gauges {plain_s * 1000:.1f} ms, ratio {ours_s / plain_s:.2f} (target <= 1.5)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def process_figures(description: dict) -> None:
    """The real process: HTTP scrape time, resident memory, evaluation ingest rate."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "config.yaml").write_text(yaml.safe_dump(CONFIG))
        (directory / "inventory.yaml").write_text(yaml.safe_dump(description))
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "exporter",
                "--config",
                str(directory / "config.yaml"),
                "--inventory",
                str(directory / "inventory.yaml"),
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
                "--insecure-no-auth",  # the bench posts without a token
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)

            def scrape() -> None:
                # A fresh render each time: what one scrape costs, not the shared body.
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/metrics", headers={"Cache-Control": "no-cache"})
                connection.getresponse().read()
                connection.close()

            print(
                f"HTTP scrape of the running exporter (median of 7): {timed(scrape) * 1000:.1f} ms"
            )
            print(
                f"resident memory after load and scrapes: {rss_mib(process.pid):.1f} MiB "
                "(target < 150)"
            )
            rate = ingest_rate(port, threads=4, seconds=5.0)
            print(
                f"/v1/evaluations: {rate:.0f} single-item requests/s over 5 s, "
                "4 keep-alive clients (target >= 1000)"
            )
            print(f"resident memory after ingest: {rss_mib(process.pid):.1f} MiB")
            gzip_figures(port)
            memory_figures(port, process.pid)
            ingest_figures(port, ingest_rate)
        finally:
            process.terminate()
            process.wait(timeout=15)


def ingest_rate(port: int, threads: int, seconds: float) -> float:
    """Requests per second of single-item POSTs from `threads` keep-alive clients."""
    body = json.dumps(
        {"model": "llama-3-8b", "evaluator": "judge", "score": 0.9, "hallucination": False}
    )
    counts = [0] * threads
    failures = [0] * threads
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            connection.request(
                "POST", "/v1/evaluations", body=body, headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            if response.status == 202:
                counts[index] += 1
            else:
                failures[index] += 1
        connection.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    if sum(failures):
        print(f"  ({sum(failures)} requests were not accepted)")
    return sum(counts) / elapsed


def main() -> int:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"fleet: {NODES} GPU nodes x {GPUS_PER_NODE} GPUs, {PODS} pods")
    description = fleet_description()
    scrape_comparison(description)
    process_figures(description)
    return 0


if __name__ == "__main__":
    sys.exit(main())
