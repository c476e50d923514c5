"""Every chart version, image tag and tool version, pinned in one place.

Bump a version here, in its own pull request, after reading the upstream changelog; the
`pulumi preview --diff` of that pull request shows the effect on every stack.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartPin:
    """A Helm chart at a fixed version in a fixed repository."""

    name: str
    version: str
    repository: str


@dataclass(frozen=True)
class ImagePin:
    """A container image at a fixed tag."""

    registry: str
    repository: str
    tag: str

    @property
    def reference(self) -> str:
        """The full image reference, registry/repository:tag."""
        return f"{self.registry}/{self.repository}:{self.tag}"


KUBE_PROMETHEUS_STACK = ChartPin(
    name="kube-prometheus-stack",
    version="88.5.3",  # prometheus-operator v0.93.1, grafana subchart 12.11.1
    repository="https://prometheus-community.github.io/helm-charts",
)

# Images inside kube-prometheus-stack that we pin explicitly, so a chart bump never changes
# them silently. These are the defaults of chart 88.5.3. The operator and config-reloader
# images are left to the chart: they must match the chart's CRDs.
PROMETHEUS_IMAGE = ImagePin("quay.io", "prometheus/prometheus", "v3.14.0-distroless")
ALERTMANAGER_IMAGE = ImagePin("quay.io", "prometheus/alertmanager", "v0.34.0")
GRAFANA_IMAGE = ImagePin("docker.io", "grafana/grafana", "13.2.0")

# Thanos: sidecar (through the Prometheus resource), Query, Store Gateway and Compactor. The
# official image; bitnami/thanos images no longer pull.
THANOS_IMAGE = ImagePin("quay.io", "thanos/thanos", "v0.42.4")

# NVIDIA GPU Operator; the chart's version string keeps the leading v.
GPU_OPERATOR = ChartPin(
    name="gpu-operator",
    version="v26.7.0",
    repository="https://helm.ngc.nvidia.com/nvidia",
)
# The DCGM exporter GPU Operator v26.7.0 ships; pinned explicitly because the counters list in
# components/dcgm_counters.py is written for this version's defaults.
DCGM_EXPORTER_IMAGE = ImagePin("nvcr.io", "nvidia/k8s/dcgm-exporter", "4.6.0-4.8.3-distroless")

# Model servers. vLLM's image; the GPU-less simulator that emits the same vllm: metrics; and the
# Python image that runs the dev load generator (standard library only).
VLLM_IMAGE = ImagePin("docker.io", "vllm/vllm-openai", "v0.33.0")
SIMULATOR_IMAGE = ImagePin("ghcr.io", "llm-d/llm-d-inference-sim", "v0.10.2")
LOAD_GENERATOR_IMAGE = ImagePin("docker.io", "library/python", "3.12.7-slim-bookworm")

# Tracing: the OpenTelemetry Operator (its chart pins operator 0.158.0), the collector's contrib
# distribution (it has every component components/otel_collector_config.py uses), and Tempo
# (single binary) from the grafana-community charts.
OTEL_OPERATOR = ChartPin(
    name="opentelemetry-operator",
    version="0.122.0",
    repository="https://open-telemetry.github.io/opentelemetry-helm-charts",
)
COLLECTOR_IMAGE = ImagePin(
    "ghcr.io",
    "open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib",
    "0.158.0",
)
TEMPO = ChartPin(
    name="tempo", version="2.2.4", repository="https://grafana-community.github.io/helm-charts"
)
TEMPO_IMAGE = ImagePin("docker.io", "grafana/tempo", "2.10.8")

# KEDA, installed only when some model autoscales (components/autoscaling/). The chart's CRDs
# are ordinary templates; its three images are pinned to the chart's appVersion.
KEDA = ChartPin(name="keda", version="2.20.2", repository="https://kedacore.github.io/charts")
KEDA_OPERATOR_IMAGE = ImagePin("ghcr.io", "kedacore/keda", "2.20.2")
KEDA_METRICS_SERVER_IMAGE = ImagePin("ghcr.io", "kedacore/keda-metrics-apiserver", "2.20.2")
KEDA_WEBHOOKS_IMAGE = ImagePin("ghcr.io", "kedacore/keda-admission-webhooks", "2.20.2")

CHARTS: dict[str, ChartPin] = {chart.name: chart for chart in (KUBE_PROMETHEUS_STACK, GPU_OPERATOR)}
IMAGES: dict[str, ImagePin] = {
    "prometheus": PROMETHEUS_IMAGE,
    "alertmanager": ALERTMANAGER_IMAGE,
    "grafana": GRAFANA_IMAGE,
    "thanos": THANOS_IMAGE,
    "dcgm-exporter": DCGM_EXPORTER_IMAGE,
    "vllm": VLLM_IMAGE,
    "simulator": SIMULATOR_IMAGE,
    "load-generator": LOAD_GENERATOR_IMAGE,
    "otel-collector": COLLECTOR_IMAGE,
    "tempo": TEMPO_IMAGE,
    "keda": KEDA_OPERATOR_IMAGE,
    "keda-metrics-apiserver": KEDA_METRICS_SERVER_IMAGE,
    "keda-admission-webhooks": KEDA_WEBHOOKS_IMAGE,
}

# The command-line tools `make up` installs into .tools/ when they are missing (checksums are
# verified against the ones each project publishes for the release). The Pulumi CLI matches the
# pulumi SDK in requirements.txt; kubectl the Kubernetes of kind's default node image.
PULUMI_CLI_VERSION = "3.272.0"
KIND_VERSION = "0.29.0"
KUBECTL_VERSION = "1.33.1"
TOOLS: dict[str, str] = {
    "pulumi": PULUMI_CLI_VERSION,
    "kind": KIND_VERSION,
    "kubectl": KUBECTL_VERSION,
}
