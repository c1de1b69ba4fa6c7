"""Benchmarks. Each module measures one issue's targets against a named peer or the raw engine."""
