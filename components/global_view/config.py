"""Config of a global view over many clusters (ai-observability:global). Pure.

A stack with a `global` section deploys only what one view over every cluster needs: a Thanos
Query fanning out to each cluster's exposed StoreAPI over mutual TLS, and Grafana with the
dashboards. Each cluster is given by address (`host:port`) or by the name of another stack of
this project, whose `storeApiAddress` output is read through a StackReference.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, model_validator

from components.config.schema import Items, Section, doc, fail, unique
from components.config.units import DnsLabel, matching
from components.config.workload import resources
from components.thanos.config import QueryConfig

StackName = Annotated[
    str, matching(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}", "a stack like org/project/prod")
]
# host:port; the port is what the cluster exposes (its Service or Ingress), never guessed.
Address = Annotated[str, Field(min_length=1)]
_ADDRESS = re.compile(r"(?P<host>[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(?P<port>\d{1,5})")


class ClusterEntry(Section):
    """One cluster of the view: its `cluster` external label, and where its StoreAPI is."""

    name: DnsLabel = doc(text="the cluster's `cluster` external label (its stack's `cluster`)")
    address: Address | None = doc(None, "host:port of its exposed Thanos Query gRPC")
    stack: StackName | None = doc(None, "or: a stack of this project exporting storeApiAddress")

    @model_validator(mode="after")
    def _one_source(self) -> ClusterEntry:
        if (self.address is None) == (self.stack is None):
            problem = "neither address nor stack" if self.address is None else "both"
            raise fail(f"{problem}: give the cluster's address (host:port) or its stack", "address")
        if self.address is not None:
            found = _ADDRESS.fullmatch(self.address)
            if not found:
                message = f'"{self.address}" is not host:port (the port of the exposed gRPC, '
                raise fail(f"{message}e.g. thanos.eu-1.example.com:10901)", "address")
            if not 1 <= int(found["port"]) <= 65535:
                raise fail(f"port {found['port']} is outside 1..65535", "address")
        return self

    @property
    def server_name(self) -> str:
        """The name its server certificate carries and the global Query verifies."""
        return f"{self.name}.storeapi.ai-observability"


class GlobalViewConfig(Section):
    """The clusters of the view and its Thanos Query."""

    clusters: Items[ClusterEntry] = doc(text="`{name, address}` or `{name, stack}` entries")
    query: QueryConfig = doc(
        QueryConfig(replicas=2, resources=resources("200m", "512Mi", "2Gi")),
        "the global Thanos Query (2 replicas, anti-affinity, a PodDisruptionBudget)",
    )
    certificate_days: Annotated[int, Field(ge=60)] = doc(
        365, "validity of the certificates the view issues (renewed in their last 30 days)"
    )
    unreachable_for: Annotated[str, matching(r"\d+[smh]", "a duration like 5m")] = doc(
        "5m", "how long a cluster is unreachable before GlobalViewClusterUnreachable"
    )

    @model_validator(mode="after")
    def _clusters(self) -> GlobalViewConfig:
        if not self.clusters:
            raise fail(
                "list at least one cluster (`{name, address}` or `{name, stack}`)", "clusters"
            )
        unique([c.name for c in self.clusters], "clusters")
        return self
