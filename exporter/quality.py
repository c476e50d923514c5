"""LLM-judge evaluation results: validation of a posted batch and the quality metrics."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

from exporter.config import ExporterConfig

MAX_ITEMS = 1000
MAX_BODY_BYTES = 1024 * 1024
SCORE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
FIELDS = {"model", "evaluator", "score", "hallucination"}
REASONS = (
    "unauthorized",
    "ingest_disabled",
    "unsupported_media_type",
    "length_required",
    "bad_length",
    "bad_idempotency_key",
    "idempotency_key_reused",
    "idempotency_key_in_flight",
    "too_large",
    "bad_json",
    "bad_fields",
    "unknown_model",
    "unknown_evaluator",
    "score_out_of_range",
)


class RejectionError(Exception):
    """A rejected batch: the HTTP status, the reason label and a message for the client."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Evaluation:
    """One judged response."""

    model: str
    evaluator: str
    score: float
    hallucination: bool


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def parse_batch(body: bytes) -> list[Any]:
    """Decode a JSON object or array of objects; RejectionError 400 when it is not one."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise RejectionError(400, "bad_json", f"body is not valid JSON: {error}") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise RejectionError(400, "bad_fields", "empty batch")
    if len(items) > MAX_ITEMS:
        raise RejectionError(413, "too_large", f"at most {MAX_ITEMS} evaluations per request")
    return items


def validate(items: list[Any], config: ExporterConfig) -> list[Evaluation]:
    """Check every item; the first problem rejects the whole batch (nothing is recorded)."""
    evaluations = []
    for index, item in enumerate(items):
        where = f"item {index}"
        if not isinstance(item, dict):
            raise RejectionError(400, "bad_fields", f"{where}: expected an object")
        if set(item) != FIELDS:
            missing, extra = FIELDS - set(item), set(item) - FIELDS
            raise RejectionError(
                400, "bad_fields", f"{where}: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        model, evaluator = item["model"], item["evaluator"]
        score, hallucination = item["score"], item["hallucination"]
        if not isinstance(model, str) or not isinstance(evaluator, str):
            raise RejectionError(400, "bad_fields", f"{where}: model and evaluator must be strings")
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            raise RejectionError(400, "bad_fields", f"{where}: score must be a number")
        if not isinstance(hallucination, bool):
            raise RejectionError(400, "bad_fields", f"{where}: hallucination must be true or false")
        if model not in config.models:
            raise RejectionError(422, "unknown_model", f"{where}: unknown model {model!r}")
        if evaluator not in config.evaluators:
            raise RejectionError(
                422, "unknown_evaluator", f"{where}: unknown evaluator {evaluator!r}"
            )
        if (isinstance(score, float) and not math.isfinite(score)) or not 0 <= score <= 1:
            raise RejectionError(422, "score_out_of_range", f"{where}: score must be within [0, 1]")
        evaluations.append(Evaluation(model, evaluator, float(score), hallucination))
    return evaluations


class QualityMetrics:
    """The quality and rejection metrics, in their own registry."""

    def __init__(self, config: ExporterConfig, registry: CollectorRegistry) -> None:
        labels = ["model_name", "evaluator"]
        self.evaluations = Counter(
            "ai_quality_evaluations", "Judged responses.", labels, registry=registry
        )
        self.hallucinations = Counter(
            "ai_quality_hallucinations",
            "Judged responses the evaluator marked as hallucinated.",
            labels,
            registry=registry,
        )
        self.score = Histogram(
            "ai_quality_score",
            "Evaluator scores in [0, 1].",
            labels,
            buckets=SCORE_BUCKETS,
            registry=registry,
        )
        self.rejected = Counter(
            "ai_exporter_evaluations_rejected",
            "Evaluation requests rejected, by reason.",
            ["reason"],
            registry=registry,
        )
        # Every series exists from the start, so rates and ratios are 0, not absent.
        for model in sorted(config.models):
            for evaluator in sorted(config.evaluators):
                self.evaluations.labels(model, evaluator)
                self.hallucinations.labels(model, evaluator)
                self.score.labels(model, evaluator)
        for reason in REASONS:
            self.rejected.labels(reason)

    def record(self, evaluations: list[Evaluation]) -> None:
        """Count an accepted batch (prometheus_client's metrics are thread-safe)."""
        for e in evaluations:
            self.evaluations.labels(e.model, e.evaluator).inc()
            if e.hallucination:
                self.hallucinations.labels(e.model, e.evaluator).inc()
            self.score.labels(e.model, e.evaluator).observe(e.score)

    def reject(self, reason: str) -> None:
        """Count one rejected request."""
        self.rejected.labels(reason).inc()
