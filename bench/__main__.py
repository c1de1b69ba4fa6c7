"""Run benchmarks: `python -m bench [NAME ...]` (all when none named). Results go to stdout;
copy the medians, ratios, command and machine into bench/RESULTS.md."""

from __future__ import annotations

import importlib
import platform
import sys

# Explicit list: each entry is a module under bench/ with a main() -> None.
BENCHMARKS: list[str] = [
    "http_shell",
    "readiness_scores",
    "exchange_ingest",
    "exchange_memory",
    "exchange_api",
    "catalog_search",
    "interop_dcat_export",
    "interop_package_search",
    "audit_verify",
    "gateway_throughput",
    "audit_append",
    "monitoring_pages",
]


def main(argv: list[str]) -> None:
    names = argv or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    print(f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}")
    for name in names:
        print(f"== {name}")
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
