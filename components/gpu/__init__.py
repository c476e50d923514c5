"""The NVIDIA GPU Operator with the DCGM exporter and its counters list."""
