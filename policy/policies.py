"""The policies of the pack, wrapping policy/checks.py. Importing this module starts nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from policy import checks

CONFIG_SCHEMA_PROPERTIES: dict[str, Any] = {
    "allowedServiceTypes": {
        "type": "array",
        "items": {"type": "string"},
        "default": list(checks.DEFAULT_SERVICE_TYPES),
    },
    "privilegedNamespaces": {
        "type": "array",
        "items": {"type": "string"},
        "default": list(checks.DEFAULT_PRIVILEGED_NAMESPACES),
    },
}


def _config(args: ResourceValidationArgs, key: str) -> tuple[str, ...]:
    try:
        value = args.get_config().get(key)
    except Exception:  # no config given: the defaults apply
        value = None
    return tuple(value) if value else tuple(CONFIG_SCHEMA_PROPERTIES[key]["default"])


def _validator(
    check: Callable[..., list[str]], **config_keys: str
) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        extra = {param: _config(args, key) for param, key in config_keys.items()}
        for problem in check(args.resource_type, args.props, **extra):
            report_violation(problem, None)

    return validate


def _policy(
    name: str, description: str, check: Callable[..., list[str]], **config_keys: str
) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=name,
        description=description,
        enforcement_level=EnforcementLevel.MANDATORY,
        validate=_validator(check, **config_keys),
        config_schema=PolicyConfigSchema(properties=CONFIG_SCHEMA_PROPERTIES),
    )


POLICIES: list[ResourceValidationPolicy] = [
    _policy(
        "container-resources",
        "Every container requests CPU and memory and has a memory limit.",
        checks.check_resources,
    ),
    _policy(
        "pinned-images",
        "Images are pinned to a version tag or a digest, never latest.",
        checks.check_pinned_images,
    ),
    _policy(
        "non-root",
        "Containers run as non-root without privilege escalation.",
        checks.check_non_root,
        privileged_namespaces="privilegedNamespaces",
    ),
    _policy(
        "no-plain-secrets",
        "No secret material in ConfigMaps or plain environment values.",
        checks.check_no_plain_secrets,
    ),
    _policy(
        "service-types",
        "No LoadBalancer or NodePort Service unless the config allows it.",
        checks.check_service_type,
        allowed="allowedServiceTypes",
    ),
    _policy(
        "selected-by-prometheus",
        "ServiceMonitors, PodMonitors and PrometheusRules are selected by our Prometheus.",
        checks.check_selected_by_prometheus,
    ),
    _policy(
        "finite-autoscaling",
        "An autoscaled workload has a finite maximum of replicas.",
        checks.check_autoscaler_ceiling,
    ),
    _policy(
        "alert-conventions",
        "Every alert has a severity label and a runbook_url.",
        checks.check_alerts,
    ),
]
