"""Thanos Query's endpoints as an `--endpoint.sd-config-file` (Thanos v0.42 deprecates
`--endpoint`; `--store` is gone). Pure: no pulumi import.

The file (cmd/thanos/endpointset.go, EndpointConfig): `endpoints`, each an `address` with
`strict` (kept and queried even while unhealthy; not allowed for DNS-discovered addresses) and
a `client_config` (`tls_config`: `enabled`, `cert_file`, `key_file`, `ca_file`, `min_version`;
`server_name`). Query reloads the file by itself (every 5 minutes by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from components.kube.objects import config_map

ENDPOINTS_CONFIGMAP = "thanos-query-endpoints"
ENDPOINTS_KEY = "endpoints.yaml"
ENDPOINTS_DIR = "/etc/thanos/endpoints"
ENDPOINTS_FLAG = f"--endpoint.sd-config-file={ENDPOINTS_DIR}/{ENDPOINTS_KEY}"
ENDPOINTS_VOLUME = {"name": "endpoints", "configMap": {"name": ENDPOINTS_CONFIGMAP}}
ENDPOINTS_MOUNT = {"name": "endpoints", "mountPath": ENDPOINTS_DIR, "readOnly": True}
TLS_MIN_VERSION = "1.3"


def endpoint(
    address: str, strict: bool = False, client_config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One entry of the endpoints file."""
    entry: dict[str, Any] = {"address": address, "strict": strict}
    if client_config:
        entry["client_config"] = dict(client_config)
    return entry


def mutual_tls(directory: str, server_name: str) -> dict[str, Any]:
    """A client_config for an endpoint behind TLS that asks for a client certificate: the CA
    that signed the server, our certificate and key, all files under `directory`."""
    return {
        "tls_config": {
            "enabled": True,
            "ca_file": f"{directory}/ca.crt",
            "cert_file": f"{directory}/tls.crt",
            "key_file": f"{directory}/tls.key",
            "min_version": TLS_MIN_VERSION,
        },
        "server_name": server_name,
    }


def endpoints_file(endpoints: Sequence[Mapping[str, Any]]) -> str:
    """The file's text."""
    return yaml.safe_dump({"endpoints": [dict(e) for e in endpoints]}, sort_keys=False)


def endpoints_config_map(
    namespace: str, labels: Mapping[str, str], endpoints: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The ConfigMap Query mounts (addresses and file paths only: keys stay in Secrets)."""
    return config_map(
        ENDPOINTS_CONFIGMAP, namespace, labels, {ENDPOINTS_KEY: endpoints_file(endpoints)}
    )
