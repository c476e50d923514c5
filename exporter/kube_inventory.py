"""Nodes, pods and namespaces from the Kubernetes API: list, then watch from the list's
resourceVersion.

Each kind runs in its own thread and never gives up, and never spins: a failure (API down,
410 Gone, a broken or garbled stream) is counted, logged with its status, and followed by a
relist after an exponential backoff with jitter; a watch the API closes at once without
events is renewed after the same backoff, and relisted after a few; and no kind sends more
than one request per REQUEST_SPACING seconds.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from kubernetes import client, watch
from kubernetes import config as kube_config

from exporter.admission import BAD_GPU_COUNT, ObjectSkippedError, check_node, check_pod
from exporter.backoff import Backoff, Pacer
from exporter.fleet import Fleet
from exporter.log import error_fields, log
from exporter.pricing import Node, Pod, gpu_count_from_labels
from exporter.sharing import GPU_RESOURCE, MIG_PREFIX

FINISHED_PHASES = ("Succeeded", "Failed")  # their GPUs are free again
SOURCES = ("nodes", "pods", "namespaces")  # namespaces: their labels attribute pods' cost
REQUEST_SPACING = 0.5  # seconds between two requests of one kind: at most 2 per second
# A watch shorter than this (or than its own timeout) that brought no event proves nothing.
SHORT_WATCH_SECONDS = 5.0
EMPTY_WATCHES_BEFORE_RELIST = 3
LIST_TIMEOUT_SECONDS = 30


class EmptyWatchesError(RuntimeError):
    """The API keeps closing watches at once without events: relist instead."""


def api_client() -> client.ApiClient:
    """In-cluster credentials in a pod, else the kubeconfig's current context."""
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        kube_config.load_incluster_config()
        return client.ApiClient()
    return kube_config.new_client_from_config()


def _quantity(value: Any, where: str) -> float:
    """An extended-resource quantity (a whole number for GPUs); 0 when absent."""
    if value is None:
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ObjectSkippedError(BAD_GPU_COUNT, f"{where}: {value!r} is not a GPU count") from None


def node_from_api(obj: client.V1Node) -> Node:
    """A Node from the API object: GPUs from allocatable, else from the GFD count label."""
    labels = dict(obj.metadata.labels or {})
    allocatable = (obj.status.allocatable or {}) if obj.status else {}
    name = obj.metadata.name
    gpus = (
        _quantity(allocatable[GPU_RESOURCE], f"node {name!r}")
        if GPU_RESOURCE in allocatable
        else gpu_count_from_labels(labels)
    )
    return check_node(Node(name, labels, gpus))


def pod_from_api(obj: client.V1Pod) -> Pod:
    """A Pod from the API object: its containers' GPU resources (nvidia.com/gpu and MIG
    slices, limits or requests) and its labels."""
    held: dict[str, float] = {}
    phase = obj.status.phase if obj.status else None
    where = f"pod {obj.metadata.namespace}/{obj.metadata.name}"
    if phase not in FINISHED_PHASES:
        for container in obj.spec.containers or []:
            resources = container.resources
            if resources is None:
                continue
            limits, requests = resources.limits or {}, resources.requests or {}
            for name in {*limits, *requests}:
                if name == GPU_RESOURCE or name.startswith(MIG_PREFIX):
                    count = max(
                        _quantity(limits.get(name), where), _quantity(requests.get(name), where)
                    )
                    held[name] = held.get(name, 0.0) + count
    gpus = held.pop(GPU_RESOURCE, 0.0)
    labels = dict(obj.metadata.labels or {})
    pod = Pod(
        obj.metadata.namespace, obj.metadata.name, obj.spec.node_name or "", gpus, held, labels
    )
    return check_pod(pod)


def namespace_from_api(obj: client.V1Namespace) -> tuple[str, dict[str, str]]:
    """A namespace's name and labels (they attribute the cost of pods without their own)."""
    return obj.metadata.name, dict(obj.metadata.labels or {})


class KubeInventory:
    """Keeps the fleet in sync with the cluster's nodes and pods."""

    def __init__(
        self,
        fleet: Fleet,
        api: client.ApiClient,
        watch_timeout_seconds: int,
        backoff_cap_seconds: float = 30.0,
    ) -> None:
        self._fleet = fleet
        self._core = client.CoreV1Api(api)
        self._timeout = watch_timeout_seconds
        self._backoff_cap = backoff_cap_seconds
        self._stop = threading.Event()
        self._watches: list[watch.Watch] = []
        self._threads = [
            threading.Thread(target=self._loop, args=(kind,), name=f"watch-{kind}", daemon=True)
            for kind in SOURCES
        ]

    def start(self) -> None:
        """Start both watch loops."""
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop the loops. A watch blocked on the network ends with the process: its daemon
        thread is not waited for (closing its response from here would block on the reader's
        buffer lock)."""
        self._stop.set()
        for w in list(self._watches):
            w.stop()

    def _loop(self, kind: str) -> None:
        backoff = Backoff(cap=self._backoff_cap)
        pacer = Pacer(REQUEST_SPACING, self._stop)
        while pacer.wait():
            try:
                self._sync(kind, pacer, backoff)
            except Exception as error:  # any failure means relist, never exit
                if self._stop.is_set():
                    return
                self._fleet.record_error(kind)
                delay = backoff.next_delay()
                log(
                    "error",
                    "inventory sync failed; relisting after a backoff",
                    source=kind,
                    retry_in_seconds=round(delay, 2),
                    **error_fields(error),
                )
                if self._stop.wait(delay):
                    return

    def _handlers(self, kind: str) -> tuple[Callable[..., Any], Callable[[str, Any], None]]:
        """The list function and what an event does to the fleet."""
        fleet = self._fleet
        if kind == "nodes":

            def on_node(event_type: str, obj: Any) -> None:
                if event_type == "DELETED":
                    fleet.delete_node(obj.metadata.name)
                else:
                    fleet.upsert_node(node_from_api(obj))

            return self._core.list_node, on_node

        if kind == "namespaces":

            def on_namespace(event_type: str, obj: Any) -> None:
                if event_type == "DELETED":
                    fleet.delete_namespace(obj.metadata.name)
                else:
                    fleet.upsert_namespace(*namespace_from_api(obj))

            return self._core.list_namespace, on_namespace

        def on_pod(event_type: str, obj: Any) -> None:
            if event_type == "DELETED":
                fleet.delete_pod(obj.metadata.namespace, obj.metadata.name)
            else:
                fleet.upsert_pod(pod_from_api(obj))

        return self._core.list_pod_for_all_namespaces, on_pod

    def _skip(self, kind: str, skipped: ObjectSkippedError) -> None:
        self._fleet.record_skipped(kind, skipped.reason)
        log("warning", "object skipped", source=kind, reason=skipped.reason, error=str(skipped))

    def _replace(self, kind: str, items: list[Any]) -> None:
        if kind == "namespaces":
            self._fleet.replace_namespaces(namespace_from_api(obj) for obj in items)
            return
        convert = node_from_api if kind == "nodes" else pod_from_api
        kept = []
        for obj in items:
            try:
                kept.append(convert(obj))
            except ObjectSkippedError as skipped:
                self._skip(kind, skipped)
        if kind == "nodes":
            self._fleet.replace_nodes(kept)
        else:
            self._fleet.replace_pods(kept)

    def _sync(self, kind: str, pacer: Pacer, backoff: Backoff) -> None:
        """List, then watch until stopped; raises on any failure (the caller relists)."""
        list_fn, apply = self._handlers(kind)
        listed = list_fn(_request_timeout=LIST_TIMEOUT_SECONDS)
        self._replace(kind, listed.items)
        self._fleet.mark_success(kind)
        resource_version = listed.metadata.resource_version
        empty_in_a_row = 0
        while pacer.wait():
            w = watch.Watch()
            self._watches.append(w)
            started, events = time.monotonic(), 0
            try:
                for event in w.stream(
                    list_fn,
                    resource_version=resource_version,
                    timeout_seconds=self._timeout,
                    allow_watch_bookmarks=True,
                    _request_timeout=self._timeout + 15,
                ):
                    events += 1
                    if event["type"] in ("ADDED", "MODIFIED", "DELETED"):
                        try:
                            apply(event["type"], event["object"])
                        except ObjectSkippedError as skipped:
                            # An object that changed into one we cannot write leaves the fleet.
                            self._skip(kind, skipped)
                            apply("DELETED", event["object"])
                    self._fleet.mark_success(kind)
            finally:
                self._watches.remove(w)
            if self._stop.is_set():
                return
            resource_version = w.resource_version or resource_version
            if events or time.monotonic() - started >= min(self._timeout, SHORT_WATCH_SECONDS):
                # The watch ran its course (or brought news): the cluster answered, in sync.
                self._fleet.mark_success(kind)
                backoff.reset()
                empty_in_a_row = 0
                continue
            empty_in_a_row += 1
            if empty_in_a_row >= EMPTY_WATCHES_BEFORE_RELIST:
                raise EmptyWatchesError(f"{empty_in_a_row} watches closed at once without events")
            if self._stop.wait(backoff.next_delay()):
                return
