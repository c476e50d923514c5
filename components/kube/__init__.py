"""The shared Kubernetes kit: labels, objects, policies, security, registration."""
