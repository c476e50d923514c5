"""Model servers (vLLM or its simulator) and the dev load generator."""
