"""ai-observability's policy pack: guard rails checked by `pulumi preview --policy-pack policy`."""
