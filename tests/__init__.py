"""The test suite: support/, unit/ (mirrors the code), program/, e2e/."""
