"""Access requests, signed e-agreements and their enforcement (a sub-feature of exchange)."""
