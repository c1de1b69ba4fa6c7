"""Service operations of the agreements sub-feature, one module per subject."""
