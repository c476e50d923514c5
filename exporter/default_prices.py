"""Default price of one GPU-hour in USD, by gpu-feature-discovery product label.

On-demand: AWS us-east-1 Linux list price of the instance divided by its GPUs (SkyPilot catalog
v8 aws/vms.csv, after the June 2025 AWS GPU price cut; p4d, p4de and p5 cross-checked against the
AWS Pricing API in data-receipts "109-gpu-pricing", retrieved 2026-11-09). Spot: the upper end of
the spot prices observed in us-east-1/us-east-2 in the same catalog (spot moves daily). Every
environment should override these with its own contract or region prices (exporter config
`gpus`, or the stack's `exporter.gpuPrices`).
"""

from __future__ import annotations

DEFAULT_GPU_PRICES: dict[str, dict[str, float]] = {
    # p5en.48xlarge, 8x H200 141GB: 63.296 / 8; spot 2.0-2.5
    "NVIDIA-H200": {"on_demand": 7.91, "spot": 2.50},
    # p5.48xlarge, 8x H100 80GB HBM3: 55.04 / 8; spot 1.78-2.16 in the cheap zones
    "NVIDIA-H100-80GB-HBM3": {"on_demand": 6.88, "spot": 2.16},
    # p4de.24xlarge, 8x A100 80GB: 27.447 / 8; spot 1.22-1.43
    "NVIDIA-A100-SXM4-80GB": {"on_demand": 3.43, "spot": 1.43},
    # p4d.24xlarge, 8x A100 40GB: 21.958 / 8; spot 0.79-1.76
    "NVIDIA-A100-SXM4-40GB": {"on_demand": 2.74, "spot": 1.76},
    # g6e.xlarge, 1x L40S: 1.861; spot about 0.81
    "NVIDIA-L40S": {"on_demand": 1.861, "spot": 0.81},
    # g6.xlarge, 1x L4: 0.805; spot 0.26-0.44
    "NVIDIA-L4": {"on_demand": 0.805, "spot": 0.44},
    # g5.xlarge, 1x A10G: 1.006; spot 0.46-0.51
    "NVIDIA-A10G": {"on_demand": 1.006, "spot": 0.51},
    # g4dn.xlarge, 1x T4: 0.526; spot 0.21-0.22
    "Tesla-T4": {"on_demand": 0.526, "spot": 0.22},
}
