"""Nodes and pods from the Kubernetes API: list, then watch from the list's resourceVersion.

Each kind runs in its own thread and never gives up: any failure (API down, 410 Gone, a broken
stream) is counted, logged, and followed by a relist after a short backoff.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from kubernetes import client, watch
from kubernetes import config as kube_config

from exporter.fleet import Fleet
from exporter.log import log
from exporter.pricing import Node, Pod, gpu_count_from_labels

GPU_RESOURCE = "nvidia.com/gpu"
FINISHED_PHASES = ("Succeeded", "Failed")  # their GPUs are free again


def api_client() -> client.ApiClient:
    """In-cluster credentials in a pod, else the kubeconfig's current context."""
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        kube_config.load_incluster_config()
        return client.ApiClient()
    return kube_config.new_client_from_config()


def _quantity(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def node_from_api(obj: client.V1Node) -> Node:
    """A Node from the API object: GPUs from allocatable, else from the GFD count label."""
    labels = dict(obj.metadata.labels or {})
    allocatable = (obj.status.allocatable or {}) if obj.status else {}
    gpus = _quantity(allocatable[GPU_RESOURCE]) if GPU_RESOURCE in allocatable else None
    return Node(
        obj.metadata.name, labels, gpus if gpus is not None else gpu_count_from_labels(labels)
    )


def pod_from_api(obj: client.V1Pod) -> Pod:
    """A Pod from the API object: GPUs from its containers' nvidia.com/gpu limits or requests."""
    gpus = 0.0
    phase = obj.status.phase if obj.status else None
    if phase not in FINISHED_PHASES:
        for container in obj.spec.containers or []:
            resources = container.resources
            if resources is None:
                continue
            limit = _quantity((resources.limits or {}).get(GPU_RESOURCE))
            request = _quantity((resources.requests or {}).get(GPU_RESOURCE))
            gpus += max(limit, request)
    return Pod(obj.metadata.namespace, obj.metadata.name, obj.spec.node_name or "", gpus)


class KubeInventory:
    """Keeps the fleet in sync with the cluster's nodes and pods."""

    def __init__(
        self,
        fleet: Fleet,
        api: client.ApiClient,
        watch_timeout_seconds: int,
        max_backoff_seconds: float = 5.0,
    ) -> None:
        self._fleet = fleet
        self._core = client.CoreV1Api(api)
        self._timeout = watch_timeout_seconds
        self._max_backoff = max_backoff_seconds
        self._stop = threading.Event()
        self._watches: list[watch.Watch] = []
        self._threads = [
            threading.Thread(target=self._loop, args=(kind,), name=f"watch-{kind}", daemon=True)
            for kind in ("nodes", "pods")
        ]

    def start(self) -> None:
        """Start both watch loops."""
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop the loops (open watches end at their timeout at the latest)."""
        self._stop.set()
        for w in self._watches:
            w.stop()

    def _loop(self, kind: str) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                self._sync(kind)
                backoff = 0.5
            except Exception as error:  # any failure means relist, never exit
                self._fleet.record_error()
                log("error", "inventory sync failed; relisting", kind=kind, error=repr(error))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    def _handlers(
        self, kind: str
    ) -> tuple[
        Callable[..., Any],
        Callable[[Any], None],
        Callable[[Any], None],
        Callable[[list[Any]], None],
    ]:
        fleet = self._fleet
        if kind == "nodes":
            return (
                self._core.list_node,
                lambda obj: fleet.upsert_node(node_from_api(obj)),
                lambda obj: fleet.delete_node(obj.metadata.name),
                lambda items: fleet.replace_nodes(node_from_api(o) for o in items),
            )
        return (
            self._core.list_pod_for_all_namespaces,
            lambda obj: fleet.upsert_pod(pod_from_api(obj)),
            lambda obj: fleet.delete_pod(obj.metadata.namespace, obj.metadata.name),
            lambda items: fleet.replace_pods(pod_from_api(o) for o in items),
        )

    def _sync(self, kind: str) -> None:
        """List, then watch until the stop flag or an error (which the caller handles)."""
        list_fn, upsert, delete, replace = self._handlers(kind)
        listed = list_fn(_request_timeout=30)
        replace(listed.items)
        self._fleet.mark_success()
        resource_version = listed.metadata.resource_version
        while not self._stop.is_set():
            w = watch.Watch()
            self._watches.append(w)
            try:
                for event in w.stream(
                    list_fn,
                    resource_version=resource_version,
                    timeout_seconds=self._timeout,
                    allow_watch_bookmarks=True,
                    _request_timeout=self._timeout + 15,
                ):
                    kind_of_event = event["type"]
                    if kind_of_event in ("ADDED", "MODIFIED"):
                        upsert(event["object"])
                    elif kind_of_event == "DELETED":
                        delete(event["object"])
                    self._fleet.mark_success()
            finally:
                self._watches.remove(w)
            # The watch ended at its timeout: the cluster answered, we are in sync.
            self._fleet.mark_success()
            resource_version = w.resource_version or resource_version
