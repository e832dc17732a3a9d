"""JSON-ready records of the core's results.

The core's results hold numpy scalars, NaN, ``frozenset`` labels (multi-label answers) and
pandas tables; their ``to_dict`` methods turn them into plain JSON values with the two
functions here, so that every result is written the same way (NaN and infinities become
``null``, a set becomes its sorted members as strings, anything else unknown its ``str``).

>>> import numpy as np, pandas as pd
>>> json_scalar(np.float64("nan")), json_scalar(np.int64(3)), json_scalar(frozenset({"b", "a"}))
(None, 3, ['a', 'b'])
>>> frame_records(pd.DataFrame({"item": ["x"], "p": [np.inf]}))
[{'item': 'x', 'p': None}]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["JsonValue", "frame_records", "json_scalar"]

#: A plain JSON value (what :func:`json_scalar` returns).
JsonValue = None | bool | int | float | str | list


def json_scalar(value: object) -> JsonValue:
    """One value, JSON-ready: numpy scalars become Python ones, NaN and infinities ``None``,
    sets their sorted members as strings, lists and tuples lists, anything else its ``str``."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, frozenset):
        return sorted(map(str, value))
    if isinstance(value, (list, tuple)):
        return [json_scalar(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def frame_records(frame: pd.DataFrame | None) -> list[dict[str, JsonValue]]:
    """DataFrame -> list of JSON-ready dicts, one per row (a named index becomes a column;
    ``None`` gives an empty list)."""
    if frame is None:
        return []
    frame = frame.reset_index() if frame.index.name is not None else frame
    return [{str(k): json_scalar(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
