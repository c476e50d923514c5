"""python -m exporter --config CONFIG.yaml [--inventory INVENTORY.yaml] [--port 9402]"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from prometheus_client import CollectorRegistry, disable_created_metrics

from exporter import __version__
from exporter.collector import CostCollector
from exporter.config import ConfigError, load_config
from exporter.fleet import Fleet
from exporter.log import log
from exporter.quality import QualityMetrics
from exporter.server import App, ExporterServer
from exporter.static_inventory import StaticInventory

EXIT_BAD_CONFIG = 2


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m exporter", description=__doc__)
    parser.add_argument("--config", required=True, type=Path, help="exporter config YAML")
    parser.add_argument(
        "--inventory", type=Path, help="static inventory YAML (default: watch the Kubernetes API)"
    )
    parser.add_argument("--port", type=int, default=9402)
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run until SIGTERM/SIGINT; exit 2 on a bad config or inventory file."""
    args = parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    disable_created_metrics()
    registry = CollectorRegistry()
    fleet = Fleet(config)
    registry.register(CostCollector(fleet))
    quality = QualityMetrics(config, registry)
    try:
        if args.inventory is not None:
            source = StaticInventory(args.inventory, fleet, config.static_refresh_seconds)
        else:
            from exporter.kube_inventory import KubeInventory, api_client

            source = KubeInventory(fleet, api_client(), config.watch_timeout_seconds)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except Exception as error:  # the kubernetes client's config loaders raise many types
        print(f"error: cannot reach the Kubernetes API configuration: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    try:
        server = ExporterServer((args.host, args.port), App(config, fleet, registry, quality))
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1

    def shutdown(signum: int, _frame: object) -> None:
        log("info", "shutting down", signal=signal.Signals(signum).name)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    source.start()
    log("info", "listening", version=__version__, host=args.host, port=server.server_address[1])
    try:
        server.serve_forever()
    finally:
        source.stop()
        server.server_close()
    log("info", "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
