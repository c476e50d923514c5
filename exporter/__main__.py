"""python -m exporter --config CONFIG.yaml [--inventory INVENTORY.yaml] [--port 9402]
[--host 127.0.0.1] [--insecure-no-auth]"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import NoReturn, Protocol

from prometheus_client import CollectorRegistry, disable_created_metrics

from exporter import __version__, log
from exporter.app import App
from exporter.config import ConfigError, ExporterConfig, load_config
from exporter.fleet import Fleet
from exporter.quality import QualityMetrics
from exporter.server import ExporterServer

EXIT_BAD_CONFIG = 2
DEFAULT_HOST = "127.0.0.1"  # the container passes --host 0.0.0.0 explicitly


class InventorySource(Protocol):
    """Keeps the fleet in sync in the background."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A bad command line: one JSON line and exit 2, like a bad config."""
        log.log("error", "bad command line", error=message, usage=self.format_usage().strip())
        sys.exit(EXIT_BAD_CONFIG)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = _Parser(prog="python -m exporter", description=__doc__)
    parser.add_argument("--config", required=True, type=Path, help="exporter config YAML")
    parser.add_argument(
        "--inventory", type=Path, help="static inventory YAML (default: watch the Kubernetes API)"
    )
    parser.add_argument("--port", type=int, default=9402)
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="accept POST /v1/evaluations without a token when no ingest_token_file is set",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run until SIGTERM/SIGINT; exit 2 on a bad command line, config or inventory file."""
    log.install()
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.log("info", "shutting down", signal=signal.Signals(signum).name)
        stop.set()

    # From the first instruction: a signal while a large inventory loads still exits 0.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    args = parse_args(argv)
    try:
        config = load_config(args.config)
        fleet, source = _inventory(args, config)
    except ConfigError as error:
        log.log("error", "bad configuration", error=str(error))
        return EXIT_BAD_CONFIG
    except Exception as error:  # the kubernetes client's config loaders raise many types
        log.log(
            "error",
            "cannot reach the Kubernetes API configuration",
            **log.error_fields(error),
        )
        return EXIT_BAD_CONFIG
    if stop.is_set():
        return 0
    disable_created_metrics()
    registry = CollectorRegistry()
    quality = QualityMetrics(config, registry)
    app = App(config, fleet, registry, quality, allow_unauthenticated=args.insecure_no_auth)
    try:
        server = ExporterServer((args.host, args.port), app)
    except OSError as error:
        log.log("error", "cannot listen", host=args.host, port=args.port, error=error.strerror)
        return 1
    if config.ingest_token is None and args.insecure_no_auth:
        log.log("warning", "POST /v1/evaluations accepts requests without a token")
    source.start()
    serving = threading.Thread(target=server.serve_forever, args=(0.2,), name="http", daemon=True)
    serving.start()
    log.log("info", "listening", version=__version__, host=args.host, port=server.server_address[1])
    while not stop.wait(0.5) and serving.is_alive():
        pass
    source.stop()
    server.shutdown()
    server.server_close()
    log.log("info", "stopped")
    return 0


def _inventory(args: argparse.Namespace, config: ExporterConfig) -> tuple[Fleet, InventorySource]:
    """The fleet and the source that keeps it in sync (a static file, or the Kubernetes API)."""
    if args.inventory is not None:
        from exporter.static_inventory import SOURCE, StaticInventory

        fleet = Fleet(config, sources=(SOURCE,))
        return fleet, StaticInventory(args.inventory, fleet, config.static_refresh_seconds)
    from exporter.kube_inventory import SOURCES, KubeInventory, api_client

    fleet = Fleet(config, sources=SOURCES)
    return fleet, KubeInventory(fleet, api_client(), config.watch_timeout_seconds)


def run() -> NoReturn:
    """Exit without waiting for daemon threads: a watch blocked on the network, or a thread
    writing to stderr as the interpreter finalizes, must not turn a clean stop into SIGABRT."""
    code = main()
    log.close()
    os._exit(code)


if __name__ == "__main__":
    run()
