"""The whole program under Pulumi mocks, per stack; snapshot and upgrades."""
