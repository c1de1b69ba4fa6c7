"""Ingest of a 1 000 000-row (~100 MB) CSV: dati's publish pipeline against DuckDB's own
read_csv → Parquet on the same file, same machine, same run. Target: dati ≤ 2 × DuckDB."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from bench.exchange_data import SCHEMA, write_csv
from dati.exchange import readers
from dati.exchange.fields import compile_schema
from dati.exchange.ingest import ingest
from dati.exchange.storage import DatasetStore

ROWS = 1_000_000
REPEAT = 3


def duckdb_copy(csv_path: Path, out: Path) -> float:
    start = time.perf_counter()
    conn = duckdb.connect()
    conn.execute(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{out}' (FORMAT parquet)")
    conn.close()
    return time.perf_counter() - start


def dati_publish(csv_path: Path, store: DatasetStore, number: int) -> float:
    start = time.perf_counter()
    outcome = ingest(readers.open_file(csv_path), compile_schema(SCHEMA), store)
    store.publish(1, outcome.file, number)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for label, shuffled in (
            ("rows in key order", False),
            ("rows shuffled (dati must sort)", True),
        ):
            csv_path = write_csv(root / "people.csv", ROWS, shuffled=shuffled)
            size_mb = csv_path.stat().st_size / 1e6
            store = DatasetStore(root / "store")
            duck, ours = [], []
            for n in range(REPEAT):  # interleaved, so both see the same machine load
                duck.append(duckdb_copy(csv_path, root / f"duck{n}.parquet"))
                ours.append(dati_publish(csv_path, store, n + 1))
            d, o = statistics.median(duck), statistics.median(ours)
            print(f"-- {label}: {ROWS} rows, {size_mb:.0f} MB")
            print(
                f"duckdb read_csv -> parquet: median {d:.2f} s ({', '.join(f'{x:.2f}' for x in duck)})"
            )
            print(
                f"dati validate + key check + publish: median {o:.2f} s ({', '.join(f'{x:.2f}' for x in ours)})"
            )
            print(f"ratio dati/duckdb: {o / d:.2f} (target <= 2.0)")
