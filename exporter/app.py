"""What the endpoints do, independent of the HTTP plumbing: metrics, health, readiness,
authorization and idempotent ingest."""

from __future__ import annotations

import hmac
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest

from exporter.config import ExporterConfig
from exporter.exposition import render
from exporter.fleet import Fleet
from exporter.idempotency import IdempotencyCache, key_problem
from exporter.quality import QualityMetrics, RejectionError, parse_batch, validate
from exporter.render_cache import RenderCache

Answer = tuple[int, dict[str, Any]]


class App:
    """The exporter's behaviour behind its three endpoints."""

    def __init__(
        self,
        config: ExporterConfig,
        fleet: Fleet,
        registry: CollectorRegistry,
        quality: QualityMetrics,
        allow_unauthenticated: bool = False,
    ) -> None:
        self.config = config
        self.fleet = fleet
        self.registry = registry
        self.quality = quality
        self.allow_unauthenticated = allow_unauthenticated
        # The fleet's families straight from a snapshot, then the quality metrics' registry.
        self.exposition = RenderCache(lambda: render(fleet.snapshot()) + generate_latest(registry))
        self.idempotency = IdempotencyCache()

    def metrics(self, gzipped: bool = False, fresh: bool = False) -> bytes:
        """The exposition of every metric, shared by the scrapers of the same second (or
        rendered after the call began, when `fresh`)."""
        return self.exposition.body(gzipped, fresh)

    def health(self) -> Answer:
        """200 while every inventory source synced within the staleness limit; 503 naming
        the sources that did not (the last known metrics are still served)."""
        limit = self.config.inventory_staleness_seconds
        ages = self.fleet.ages()
        stale = sorted(s for s, age in ages.items() if age is None or age > limit)
        sources = {
            source: {"age_seconds": None if age is None else round(age, 1)}
            for source, age in ages.items()
        }
        if stale:
            never = [s for s in stale if ages[s] is None]
            status = "no inventory sync yet" if never == stale else "inventory stale"
            return 503, {"status": status, "stale": stale, "sources": sources}
        return 200, {"status": "ok", "sources": sources}

    @staticmethod
    def ready() -> Answer:
        """The process serves: evaluations and the last known metrics do not need the API."""
        return 200, {"status": "ready"}

    def authorization_problem(self, header: str | None) -> RejectionError | None:
        """Why a POST may not ingest, or None. The Bearer scheme is case-insensitive and the
        credentials are compared in constant time."""
        token = self.config.ingest_token
        if token is None:
            if self.allow_unauthenticated:
                return None
            return RejectionError(
                403,
                "ingest_disabled",
                "no ingest token is configured (start with --insecure-no-auth to accept "
                "evaluations without one)",
            )
        scheme, _, credentials = (header or "").strip().partition(" ")
        valid = scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode("utf-8", "replace"), token.encode()
        )
        return None if valid else RejectionError(401, "unauthorized", "bearer token required")

    def ingest(self, body: bytes, idempotency_key: str | None = None) -> Answer:
        """Validate and record a batch, all or nothing; with an Idempotency-Key, a repeat
        within its lifetime answers as the first did and records nothing."""
        if idempotency_key is None:
            return self._ingest(body)
        problem = key_problem(idempotency_key)
        if problem is not None:
            return self.reject(RejectionError(400, "bad_idempotency_key", problem))
        try:
            answer, _replay = self.idempotency.run(
                idempotency_key, body, lambda: self._ingest(body)
            )
        except RejectionError as rejection:
            return self.reject(rejection)
        return answer

    def _ingest(self, body: bytes) -> Answer:
        try:
            evaluations = validate(parse_batch(body), self.config)
        except RejectionError as rejection:
            return self.reject(rejection)
        self.quality.record(evaluations)
        return 202, {"accepted": len(evaluations)}

    def reject(self, rejection: RejectionError) -> Answer:
        """Count a rejection and build its answer."""
        self.quality.reject(rejection.reason)
        return rejection.status, {"error": str(rejection), "reason": rejection.reason}
