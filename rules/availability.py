"""Is each model served? Replicas per model from kube-state-metrics, which pod serves which
model, and alerts that tell a starting replica (vLLM loads and compiles for minutes before it
binds its port) from a model nobody serves and from a ready pod that cannot be scraped."""

from __future__ import annotations

import textwrap
from typing import Any

from rules._builders import alert, group, record
from rules.catalog import MODEL_POD_LABEL
from rules.config import RulesConfig
from rules.stack import DEFAULT_STARTUP_SECONDS, StackFacts

POD_MODEL = f'label_{MODEL_POD_LABEL}!=""'


def from_label(series: str) -> str:
    """A kube-state-metrics *_labels series with its label_model_name copied to model_name."""
    return f'label_replace({series}{{{POD_MODEL}}}, "model_name", "$1", "label_{MODEL_POD_LABEL}", "(.+)")'


def per_model_replicas(metric: str) -> str:
    """A kube_deployment_* series summed per model, through the Deployment's model label."""
    return f"""
    sum by (namespace, model_name) (
      {metric}
      * on (namespace, deployment) group_left (model_name)
      group by (namespace, deployment, model_name) ({from_label("kube_deployment_labels")})
    )
    """


def allowance_rules(facts: StackFacts) -> list[dict[str, Any]]:
    """One constant series per declared model: how long its replicas may take to start."""
    return [
        record("ai:model_startup_allowance_seconds", f"vector({seconds:g})", {"model_name": name})
        for name, seconds in sorted(facts.startup_seconds.items())
    ]


def recording_rules(facts: StackFacts) -> list[dict[str, Any]]:
    """Pod -> model, and desired, available and starting replicas per model."""
    serving = "group by (namespace, pod, model_name) (vllm:num_requests_running)"
    return [
        *allowance_rules(facts),
        # vLLM's series name the model a pod serves; a pod still loading has none yet, so its
        # own model_name label (kube-state-metrics) stands in until they appear.
        record(
            "ai:pod_model:info",
            f"""
            {serving}
            or
            (
              group by (namespace, pod, model_name) ({from_label("kube_pod_labels")})
              unless on (namespace, pod) {serving}
            )
            """,
        ),
        record("ai:model_replicas:desired", per_model_replicas("kube_deployment_spec_replicas")),
        record(
            "ai:model_replicas:available",
            per_model_replicas("kube_deployment_status_replicas_available"),
        ),
        record("ai:model_replicas:starting", starting_replicas()),
    ]


def starting_replicas() -> str:
    """Replicas per model that are not ready yet and younger than their model's startup
    allowance (the default where the stack does not declare the model)."""
    allowance = "ai:model_startup_allowance_seconds"
    unready_age = textwrap.indent(
        "(time() - kube_pod_created)\n"
        "  * on (namespace, pod) group_left (model_name) ai:pod_model:info\n"
        "and on (namespace, pod)\n"
        '  kube_pod_status_ready{condition="true"} == 0',
        "    ",
    )
    return (
        "count by (namespace, model_name) (\n"
        f"  (\n{unready_age}\n  ) < on (model_name) group_left {allowance}\n"
        "  or\n"
        f"  (\n{unready_age}\n  ) < {DEFAULT_STARTUP_SECONDS} unless on (model_name) {allowance}\n"
        ")"
    )


def alerts(cfg: RulesConfig) -> list[dict[str, Any]]:
    """A model nobody serves pages; a ready pod that cannot be scraped warns; a replica that
    is still starting within its allowance does neither."""
    rb = cfg.runbook_base_url
    return [
        alert(
            "InferenceModelUnavailable",
            """
            ai:model_replicas:desired > 0
            unless on (namespace, model_name) ai:model_replicas:available > 0
            unless on (namespace, model_name) ai:model_replicas:starting > 0
            """,
            "2m",
            "critical",
            "A model has no serving replica.",
            "{{ $labels.namespace }}/{{ $labels.model_name }} has none of its {{ $value }} "
            "desired replicas available and none starting within its startup allowance: "
            "requests to it fail.",
            rb,
        ),
        alert(
            "InferenceTargetDown",
            """
            up{model_name!=""} == 0
            and on (namespace, pod)
            kube_pod_status_ready{condition="true"} == 1
            """,
            "2m",
            "warning",
            "A ready model server cannot be scraped.",
            "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.model_name }}) is Ready but "
            "Prometheus cannot scrape its /metrics: its dashboards and alerts are blind.",
            rb,
        ),
    ]


def groups(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """The availability recording and alert groups."""
    return [
        group("ai-availability.rules", recording_rules(facts)),
        group("ai-availability.alerts", alerts(cfg)),
    ]
