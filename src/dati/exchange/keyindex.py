"""Key lookups without a query engine: a version file is sorted by primary key in small row
groups, so the row-group statistics say which group can hold a key, and one short read
answers. Files never change, so what is learnt about a file is cached for the process.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

CACHED_FILES = 64
CACHED_GROUP_BYTES = 128 << 20  # decoded row groups kept for repeat lookups, in total
SCAN_GROUPS = 4  # row groups a page may read from the cache before the query engine takes over


class _FileIndex:
    def __init__(self, path: Path, key: str):
        self.file = pq.ParquetFile(path)
        metadata = self.file.metadata
        position = self.file.schema_arrow.get_field_index(key)
        self.ranges: list[tuple[Any, Any]] = []
        for group in range(metadata.num_row_groups):
            stats = metadata.row_group(group).column(position).statistics
            if stats is None or not stats.has_min_max:
                raise LookupError("no statistics")
            self.ranges.append((stats.min, stats.max))
        self.mins = [low for low, _high in self.ranges]
        self.lock = threading.Lock()  # a ParquetFile is not safe to read from two threads

    def groups_for(self, value: Any) -> list[int]:
        """Groups whose key range holds ``value`` (the file is sorted, so mins ascend)."""
        candidates = []
        group = bisect.bisect_right(self.mins, value) - 1
        while group >= 0 and self.ranges[group][1] >= value:
            candidates.append(group)
            group -= 1
        return candidates


class KeyIndex:
    """Finds rows by primary key in sorted Parquet files; None means 'ask the query engine'."""

    def __init__(self) -> None:
        self._files: OrderedDict[tuple[Path, str], _FileIndex] = OrderedDict()
        self._groups: OrderedDict[tuple[Path, int], pa.Table] = OrderedDict()
        self._group_bytes = 0
        self._lock = threading.Lock()

    def _index(self, path: Path, key: str) -> _FileIndex:
        with self._lock:
            index = self._files.get((path, key))
            if index is not None:
                self._files.move_to_end((path, key))
                return index
        index = _FileIndex(path, key)
        with self._lock:
            self._files[(path, key)] = index
            while len(self._files) > CACHED_FILES:
                self._files.popitem(last=False)
        return index

    def _group(self, path: Path, index: _FileIndex, group: int) -> pa.Table:
        with self._lock:
            table = self._groups.get((path, group))
            if table is not None:
                self._groups.move_to_end((path, group))
                return table
        with index.lock:
            table = index.file.read_row_group(group)
        with self._lock:
            self._groups[(path, group)] = table
            self._group_bytes += table.nbytes
            while self._group_bytes > CACHED_GROUP_BYTES and len(self._groups) > 1:
                _old, evicted = self._groups.popitem(last=False)
                self._group_bytes -= evicted.nbytes
        return table

    def lookup(
        self, path: Path, key: tuple[str, ...], values: tuple[Any, ...]
    ) -> dict[str, Any] | None:
        """The row with ``key`` == ``values`` (already typed), or None when there is none."""
        index = self._index(path, key[0])
        for group in index.groups_for(values[0]):
            table = self._group(path, index, group)
            row = _find(table, key, values)
            if row is not None:
                return row
        return None

    def scan(
        self,
        path: Path,
        key: str,
        keep: Callable[[pa.Table], pa.Array | None],
        after: Any,
        wanted: int,
        max_groups: int = SCAN_GROUPS,
    ) -> pa.Table | None:
        """The first ``wanted`` rows in key order (after ``after`` when given) for which ``keep``
        is true, read from the cached row groups; None when ``max_groups`` groups did not
        yield them (a selective filter: the query engine, which skips by statistics, is faster)."""
        index = self._index(path, key)
        start = 0 if after is None else max(0, bisect.bisect_right(index.mins, after) - 1)
        found: list[pa.Table] = []
        count = 0
        for group in range(start, min(start + max_groups, len(index.ranges))):
            table = self._group(path, index, group)
            mask = keep(table)
            if after is not None and index.ranges[group][0] <= after:
                later = pc.greater(
                    table.column(key), pa.scalar(after, table.schema.field(key).type)
                )
                mask = later if mask is None else pc.and_(mask, later)
            chosen = table if mask is None else table.filter(mask)
            found.append(chosen)
            count += chosen.num_rows
            if count >= wanted:
                return pa.concat_tables(found).slice(0, wanted)
        if start + max_groups >= len(index.ranges):
            return pa.concat_tables(found) if found else None  # the whole rest of the file was read
        return None


def _find(table: pa.Table, key: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, Any] | None:
    first = table.column(key[0])
    kind = first.type
    if first.num_chunks == 1 and (pa.types.is_integer(kind) or pa.types.is_string(kind)):
        # The group is sorted by key (byte order, as Python compares str): binary search
        # instead of comparing every row.
        keys = first.chunk(0)
        low, high = 0, len(keys)
        while low < high:
            middle = (low + high) // 2
            if keys[middle].as_py() < values[0]:
                low = middle + 1
            else:
                high = middle
        others = [
            (table.column(name), value) for name, value in zip(key[1:], values[1:], strict=True)
        ]
        while low < len(keys) and keys[low].as_py() == values[0]:
            if all(column[low].as_py() == value for column, value in others):
                # A scalar per column is a third of the cost of slicing a one-row table.
                return {
                    name: column[low].as_py()
                    for name, column in zip(table.column_names, table.columns, strict=True)
                }
            low += 1
        return None
    mask = pc.equal(first, pa.scalar(values[0], kind))
    for name, value in zip(key[1:], values[1:], strict=True):
        column = table.column(name)
        mask = pc.and_(mask, pc.equal(column, pa.scalar(value, column.type)))
    found = table.filter(mask)
    return found.slice(0, 1).to_pylist()[0] if found.num_rows else None
