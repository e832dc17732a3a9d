"""JSON forms of results (tables, dataclasses, arrays) for the pinned-output fixtures, and the
comparison the pinning tests make with them.

Used by tests/data/make_drift_pinned.py and tests/data/make_report_pinned.py (which write the
fixtures) and by tests/test_drift_pinned.py and tests/test_report_pinned.py (which compare). A
table keeps its column names, dtypes and index; a missing value keeps its kind (NaN, None,
``pd.NA``, ``NaT``), so a refactor that turns one into another shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import math

import numpy as np
import pandas as pd


def _column(col: pd.Series):
    """A table's column, compact where its dtype says what the values are: float columns as
    numbers with None for NaN, datetime columns as ISO text with None for NaT, integer and bool
    columns as plain numbers; any other column value by value (:func:`jsonable`)."""
    kind = col.dtype.kind if isinstance(col.dtype, np.dtype) else ""
    if kind == "f":
        return [None if math.isnan(v) else (v if math.isfinite(v) else str(v)) for v in col.astype(float).tolist()]
    if kind == "M":
        return [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in col]
    if kind and kind in "iub":
        return col.tolist()
    return jsonable(list(col))


def jsonable(value):
    """``value`` as plain JSON (lists, dicts, str, int, float, bool, None), tagged where JSON
    would lose what it is."""
    if isinstance(value, pd.DataFrame):
        return {"__frame__": {
            "columns": [jsonable(c) for c in value.columns],
            "dtypes": [str(t) for t in value.dtypes],
            "index": jsonable(list(value.index)),
            "data": [_column(value.iloc[:, j]) for j in range(value.shape[1])],
        }}
    if isinstance(value, pd.Series):
        return {"__series__": {"name": jsonable(value.name), "dtype": str(value.dtype),
                               "index": jsonable(list(value.index)), "values": jsonable(list(value))}}
    if isinstance(value, np.ndarray):
        return {"__array__": {"dtype": str(value.dtype), "shape": list(value.shape),
                              "values": jsonable(value.tolist())}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__dataclass__": type(value).__name__,
                "fields": {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, enum.Enum):
        return {"__enum__": f"{type(value).__name__}.{value.name}"}
    if value is None:
        return None
    if value is pd.NA:
        return {"__na__": "NA"}
    if value is pd.NaT:
        return {"__na__": "NaT"}
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return {"__time__": pd.Timestamp(value).isoformat()}
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        return {"__timedelta__": pd.Timedelta(value).isoformat()}
    if isinstance(value, (bool, np.bool_)):
        return {"__bool__": bool(value)} if isinstance(value, np.bool_) else value
    if isinstance(value, (int, np.integer)):
        return int(value) if isinstance(value, int) else {"__npint__": int(value)}
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isnan(f):
            return {"__float__": "nan"}
        if math.isinf(f):
            return {"__float__": "inf" if f > 0 else "-inf"}
        return f
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {"__dict__": [[jsonable(k), jsonable(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [jsonable(v) for v in value]}
    if isinstance(value, (list, set, frozenset)):
        return [jsonable(v) for v in (sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value)]
    raise TypeError(f"no JSON form for {type(value).__name__}: {value!r}")


def pool_columns(value, pool: dict):
    """``value`` with every long list (a table's column, 50 values or more) moved into ``pool``
    under its digest and replaced by ``{"__ref__": digest}``: charts of one stream share most
    columns, and the fixture holds each once."""
    if isinstance(value, dict):
        return {k: pool_columns(v, pool) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) >= 50:
            text = json.dumps(value, sort_keys=True)
            ref = hashlib.sha256(text.encode()).hexdigest()[:16]
            pool[ref] = value
            return {"__ref__": ref}
        return [pool_columns(v, pool) for v in value]
    return value


def expand_columns(value, pool: dict):
    """The inverse of :func:`pool_columns`."""
    if isinstance(value, dict):
        if set(value) == {"__ref__"}:
            return pool[value["__ref__"]]
        return {k: expand_columns(v, pool) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_columns(v, pool) for v in value]
    return value


def differences(expected, got, path: str = "$", *, rel: float = 1e-9, abs_tol: float = 1e-12) -> list[str]:
    """Where two :func:`jsonable` forms differ (floats within ``rel``/``abs_tol``), as paths."""
    if isinstance(expected, float) and isinstance(got, float) and not isinstance(got, bool):
        return [] if math.isclose(expected, got, rel_tol=rel, abs_tol=abs_tol) else [f"{path}: {expected!r} != {got!r}"]
    if type(expected) is not type(got):
        return [f"{path}: {type(expected).__name__} {expected!r:.200} != {type(got).__name__} {got!r:.200}"]
    if isinstance(expected, dict):
        if set(expected) != set(got):
            return [f"{path}: keys {sorted(expected)} != {sorted(got)}"]
        out = []
        for k in expected:
            out += differences(expected[k], got[k], f"{path}.{k}", rel=rel, abs_tol=abs_tol)
        return out
    if isinstance(expected, list):
        if len(expected) != len(got):
            return [f"{path}: length {len(expected)} != {len(got)}"]
        out = []
        for i, (e, g) in enumerate(zip(expected, got)):
            out += differences(e, g, f"{path}[{i}]", rel=rel, abs_tol=abs_tol)
        return out
    return [] if expected == got else [f"{path}: {expected!r:.200} != {got!r:.200}"]
