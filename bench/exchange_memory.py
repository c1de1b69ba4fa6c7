"""Bounded-memory ingest: peak RSS of a publish against the CSV's size.

Each size runs in a fresh process (peak RSS from wait4), so the numbers do not mix. If
memory is bounded, peak RSS stays flat as the file grows; the slope extrapolated to a
2 GB file must stay under 1 GB (the issue's target)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.exchange_data import write_csv

SIZES = (1_000_000, 3_000_000, 6_000_000)
# DATI_BENCH_ROWS=1000000,22000000 runs other sizes (22 million rows is a ~2.1 GB CSV).
if os.environ.get("DATI_BENCH_ROWS"):
    SIZES = tuple(int(n) for n in os.environ["DATI_BENCH_ROWS"].split(","))
CHILD = """
import sys
from pathlib import Path
from bench.exchange_data import SCHEMA
from dati.exchange import readers
from dati.exchange.fields import compile_schema
from dati.exchange.ingest import ingest
from dati.exchange.storage import DatasetStore
store = DatasetStore(Path(sys.argv[2]))
outcome = ingest(readers.open_file(Path(sys.argv[1])), compile_schema(SCHEMA), store)
store.publish(1, outcome.file, 1)
"""


def peak_rss_mb(csv_path: Path, store: Path) -> float:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(csv_path), str(store)], env=os.environ
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError("ingest failed")
    return usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    baseline_code = "import duckdb, pyarrow.parquet, dati.exchange.ingest"
    proc = subprocess.Popen([sys.executable, "-c", baseline_code])
    _pid, _status, usage = os.wait4(proc.pid, 0)
    print(f"interpreter + libraries loaded: {usage.ru_maxrss / 1024:.0f} MB")
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rows in SIZES:
            csv_path = write_csv(root / f"f{rows}.csv", rows, shuffled=True)
            size_mb = csv_path.stat().st_size / 1e6
            rss = peak_rss_mb(csv_path, root / f"store{rows}")
            points.append((size_mb, rss))
            print(f"{rows:>9} rows, {size_mb:6.0f} MB CSV: peak RSS {rss:6.0f} MB")
            csv_path.unlink()
    if len(points) < 2:
        return
    # The slope between the two largest files: bounded memory flattens out as files grow.
    (x0, y0), (x1, y1) = points[-2], points[-1]
    slope = max(0.0, (y1 - y0) / (x1 - x0))
    projected = y1 + slope * max(0.0, 2000 - x1)
    print(
        f"RSS growth: {slope * 1000:.0f} MB per GB of CSV; projected peak for 2 GB: {projected:.0f} MB (target < 1024)"
    )
