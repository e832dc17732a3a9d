"""An export's rows as columns, turned into Arrow tables with the format's schema.

:class:`Rows` holds one Python list per column (what the plan computed, with no dict per row),
in the shapes a schema type needs:

* a plain column: one value per row (None: null);
* a conversation (``list<struct<role, content>>``): one tuple of ``(role, content)`` turns per row;
* a struct (labels, confidence, provenance): a dict ``field -> list`` (a field not given: null).

:meth:`Rows.table` builds the same Arrow table as ``pyarrow.Table.from_pylist`` of the row dicts
with the same schema, so the Parquet files are byte-identical to the ones written from dicts
(tested in tests/test_export_identity.py), at a fraction of the cost.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa


class Rows:
    """Columns of equal length (see the module docstring)."""

    def __init__(self, columns: dict, n: int):
        self.columns = columns
        self.n = n

    def __len__(self) -> int:
        return self.n

    def take(self, positions: Sequence[int]) -> "Rows":
        """These rows, in this order."""
        pos = list(positions)

        def pick(col):
            if isinstance(col, dict):
                return {k: pick(v) for k, v in col.items()}
            return [col[i] for i in pos]

        return Rows({k: pick(v) for k, v in self.columns.items()}, len(pos))

    def concat(self, other: "Rows") -> "Rows":
        """These rows, then ``other``'s (a column or struct field one side lacks: null there)."""

        def join(a, b, na: int, nb: int):
            if isinstance(a, dict) or isinstance(b, dict):
                a, b = a or {}, b or {}
                return {k: join(a.get(k), b.get(k), na, nb) for k in dict.fromkeys([*a, *b])}
            return list(a if a is not None else [None] * na) + list(b if b is not None else [None] * nb)

        names = dict.fromkeys([*self.columns, *other.columns])
        return Rows({k: join(self.columns.get(k), other.columns.get(k), self.n, other.n) for k in names},
                    self.n + other.n)

    def slice(self, start: int, stop: int) -> "Rows":
        def cut(col):
            return {k: cut(v) for k, v in col.items()} if isinstance(col, dict) else col[start:stop]

        stop = min(stop, self.n)
        return Rows({k: cut(v) for k, v in self.columns.items()}, max(stop - start, 0))

    def table(self, schema: pa.Schema) -> pa.Table:
        """The rows as an Arrow table of ``schema`` (columns not given: null)."""
        return pa.Table.from_arrays([_array(self.columns.get(f.name), f.type, self.n) for f in schema], schema=schema)


def _array(values, typ: pa.DataType, n: int) -> pa.Array:
    if values is None:
        return pa.nulls(n, type=typ)
    if pa.types.is_struct(typ) and isinstance(values, dict):
        fields = [typ.field(i) for i in range(typ.num_fields)]
        children = [_array(values.get(f.name), f.type, n) for f in fields]
        return pa.StructArray.from_arrays(children, fields=fields)
    if pa.types.is_list(typ) and pa.types.is_struct(typ.value_type) and (not values or isinstance(values[0], tuple)):
        lengths = np.fromiter((len(turns) for turns in values), dtype=np.int32, count=len(values))
        offsets = np.zeros(len(values) + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        item = typ.value_type
        flat = [turn for turns in values for turn in turns]
        inner = pa.StructArray.from_arrays(
            [pa.array([t[k] for t in flat], type=item.field(k).type) for k in range(item.num_fields)],
            fields=[item.field(k) for k in range(item.num_fields)])
        return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), inner, type=typ)
    return pa.array(values, type=typ)
