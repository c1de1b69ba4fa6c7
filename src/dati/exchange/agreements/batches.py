"""The gateway's decision applied to Arrow record batches, for CSV and Parquet exports that
stream every matching row: the same row conditions (SQL semantics: a missing value matches
nothing), the same fields, the same pseudonyms and the same row allowance as ``gateway.enforce``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dati.exchange.agreements.conditions import Condition, pseudonym
from dati.exchange.agreements.gateway import Decision

_COMPARE = {
    "eq": pc.equal,
    "ne": pc.not_equal,
    "lt": pc.less,
    "lte": pc.less_equal,
    "gt": pc.greater,
    "gte": pc.greater_equal,
}


def _scalar(value: Any, type_: pa.DataType) -> pa.Scalar:
    if isinstance(value, Decimal) and not pa.types.is_decimal(type_):
        value = float(value)
    try:
        return pa.scalar(value, type=type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pa.scalar(value)


def _mask(batch: pa.RecordBatch, condition: Condition) -> pa.Array:
    column = batch.column(batch.schema.get_field_index(condition.field))
    try:
        if condition.op == "in":
            values = pa.array(
                [_scalar(v, column.type).as_py() for v in condition.values], type=column.type
            )
            return pc.is_in(column, value_set=values)
        return _COMPARE[condition.op](column, _scalar(condition.values[0], column.type))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, KeyError):
        # A condition that cannot be evaluated admits nothing.
        return pa.array([False] * batch.num_rows)


def output_schema(decision: Decision, schema: pa.Schema) -> pa.Schema:
    """The exported columns: the agreed ones, pseudonymised ones as text."""
    fields = []
    for name in decision.return_fields:
        field = schema.field(name)
        fields.append(pa.field(name, pa.string()) if name in decision.pseudonymise else field)
    return pa.schema(fields)


def permitted(decision: Decision, batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch's rows meeting every row condition (all columns kept)."""
    if not decision.conditions or batch.num_rows == 0:
        return batch
    mask = None
    for condition in decision.conditions:
        if batch.schema.get_field_index(condition.field) < 0:
            return batch.slice(0, 0)  # the condition's field was not read: serve nothing
        one = _mask(batch, condition)
        mask = one if mask is None else pc.and_kleene(mask, one)
    return batch.filter(mask, null_selection_behavior="drop")


def shape(decision: Decision, batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    key = decision.pseudonym_key
    columns = []
    for name in decision.return_fields:
        column = batch.column(batch.schema.get_field_index(name))
        if key is not None and name in decision.pseudonymise:
            column = pa.array([pseudonym(key, v) for v in column.to_pylist()], type=pa.string())
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def enforce_batches(
    decision: Decision, batches: Iterable[pa.RecordBatch], schema: pa.Schema, limit: int | None
) -> Iterator[pa.RecordBatch]:
    """Permitted, shaped batches until ``limit`` rows (the row allowance) have been given."""
    out_schema = output_schema(decision, schema)
    left = limit
    for batch in batches:
        kept = permitted(decision, batch)
        if left is not None:
            kept = kept.slice(0, max(0, left))
            left -= kept.num_rows
        if kept.num_rows:
            yield shape(decision, kept, out_schema)
        if left is not None and left <= 0:
            return


def subjects_in(
    decision: Decision, batches: Iterable[pa.RecordBatch], limit: int | None
) -> tuple[int, set[str]]:
    """Rows that will be served and the personal codes in them (a pre-pass for exports)."""
    count, found = 0, set[str]()
    for batch in batches:
        kept = permitted(decision, batch)
        if limit is not None:
            kept = kept.slice(0, max(0, limit - count))
        count += kept.num_rows
        for name in decision.identifier_fields:
            index = kept.schema.get_field_index(name)
            if index >= 0:
                found.update(str(v) for v in kept.column(index).to_pylist() if v not in (None, ""))
        if limit is not None and count >= limit:
            break
    return count, found
