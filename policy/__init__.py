"""The policy pack: guard rails of `pulumi preview --policy-pack policy`."""
