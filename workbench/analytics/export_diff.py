"""What changed between two exported dataset versions.

:func:`compare_exports` takes the rows of two exports (``id``, ``split`` and the final labels,
``labels``: question -> value) and says which examples were added, removed or relabelled, which
moved between splits, and how the distribution of each label question shifted.

>>> import pandas as pd
>>> a = pd.DataFrame({"id": ["x", "y"], "split": ["train", "train"], "labels": [{"q": "yes"}, {"q": "no"}]})
>>> b = pd.DataFrame({"id": ["y", "z"], "split": ["train", "test"], "labels": [{"q": "yes"}, {"q": "yes"}]})
>>> d = compare_exports(a, b)
>>> d.added, d.removed, d.relabelled
(['z'], ['x'], ['y'])
>>> d.label_shift["q"]
{'no': [1, 0], 'yes': [1, 2]}
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.errors import BadInput


@dataclass
class ExportDiff:
    """Ids added, removed, relabelled (a final label differs) and moved between splits; per
    question, label -> [count in A, count in B] (``label_shift``)."""

    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    relabelled: list = field(default_factory=list)
    moved: list = field(default_factory=list)
    unchanged: int = 0
    label_shift: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"added": len(self.added), "removed": len(self.removed), "relabelled": len(self.relabelled),
                "moved_between_splits": len(self.moved), "unchanged": self.unchanged,
                "label_shift": self.label_shift}


def _key(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def compare_exports(a: pd.DataFrame, b: pd.DataFrame) -> ExportDiff:
    for name, df in (("A", a), ("B", b)):
        missing = [c for c in ("id", "split", "labels") if c not in df.columns]
        if missing:
            raise BadInput(f"export {name}: missing columns {missing!r}")
    la, lb = a.set_index("id"), b.set_index("id")
    ids_a, ids_b = set(la.index), set(lb.index)
    both = sorted(ids_a & ids_b)
    out = ExportDiff(added=sorted(ids_b - ids_a), removed=sorted(ids_a - ids_b))
    for i in both:
        if (la.at[i, "labels"] or {}) != (lb.at[i, "labels"] or {}):
            out.relabelled.append(i)
        elif la.at[i, "split"] != lb.at[i, "split"]:
            out.moved.append(i)
        else:
            out.unchanged += 1
    questions = sorted({q for labels in list(a["labels"]) + list(b["labels"]) for q in (labels or {})})
    for q in questions:
        ca = pd.Series([_key(lab.get(q)) for lab in a["labels"] if lab and lab.get(q) is not None]).value_counts()
        cb = pd.Series([_key(lab.get(q)) for lab in b["labels"] if lab and lab.get(q) is not None]).value_counts()
        out.label_shift[q] = {k: [int(ca.get(k, 0)), int(cb.get(k, 0))] for k in sorted(set(ca.index) | set(cb.index))}
    return out
