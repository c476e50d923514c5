"""The foundation: provider, namespaces, every concern's NetworkPolicies."""
