"""``workbench agreement FILE``: inter-annotator agreement of a CSV of annotations.

Reads a CSV in *long* form (one row per judgement: item, annotator, value and optionally
question columns) or *wide* form (first column the item id, then one column per annotator;
an empty cell or ``.`` is a missing judgement), and prints, per question, Krippendorff's
alpha with a bootstrap interval, the other coefficients labelled with their weighting, the
per-annotator, per-label and per-item breakdowns and the diagnosis. ``--json`` prints the
same as JSON (strict: no NaN; undefined values are null with a note).

Exit codes: 0 on success; 2 for input the user can fix (file, column, value named), including
a question whose alpha is undefined (every value the same).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import textwrap
from pathlib import Path

import click
import pandas as pd

from workbench.analytics.alpha import LEVELS
from workbench.analytics.diagnosis import Thresholds
from workbench.analytics.report import QuestionReport, question_report
from workbench.errors import BadInput

MISSING = ("", ".")
SET_SEPARATOR = "|"


def _line(row: int) -> int:
    """CSV line of a data row (the header is line 1)."""
    return int(row) + 2


def _not_utf8(path: Path) -> str:
    """Where a file first stops being UTF-8 text: "line N: byte 0xXX at byte K of the line"
    (the byte, never the text around it)."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return f"line {n}: byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line is not UTF-8 text"
    return "not UTF-8 text"


def _read_csv(path: Path, what: str = "file") -> pd.DataFrame:
    if not path.exists():
        raise BadInput(f"{path}: no such {what}")
    if path.is_dir():
        raise BadInput(f"{path}: is a folder, not a CSV {what}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not a CSV text file: {_not_utf8(path)} (a CSV file must be UTF-8)") from None
    except csv.Error as exc:
        raise BadInput(f"{path}: not a readable CSV file ({exc})") from None
    if not header:
        raise BadInput(f"{path}: the file is empty (expected a CSV header line)")
    header = [h.strip() for h in header]
    seen = set()
    for h in header:
        if h in seen:
            raise BadInput(f"{path}: column {h!r} appears twice in the header")
        seen.add(h)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True)
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not a CSV text file: {_not_utf8(path)} (a CSV file must be UTF-8)") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise BadInput(f"{path}: not a readable CSV file ({str(exc).strip().splitlines()[0]})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if len(df.columns) < 2:
        raise BadInput(
            f"{path}: found a single column ({df.columns[0]!r}); expected a comma-separated CSV with an item"
            " column and annotator or value columns"
        )
    return df.apply(lambda col: col.str.strip())


def _require(df: pd.DataFrame, path: Path, column: str, option: str) -> None:
    if column not in df.columns:
        raise BadInput(
            f"{path}: missing column {column!r} (columns: {', '.join(map(repr, df.columns))});"
            f" name the right one with {option}"
        )


def _from_long(df, path, item_col, annotator_col, value_col, question_col, question_explicit, default_q):
    _require(df, path, item_col, "--item-column")
    _require(df, path, annotator_col, "--annotator-column")
    _require(df, path, value_col, "--value-column")
    if question_col in df.columns:
        question = df[question_col]
    elif question_explicit:
        _require(df, path, question_col, "--question-column")
    else:
        question = pd.Series(default_q, index=df.index)
    for col in (item_col, annotator_col):
        empty = df[col] == ""
        if empty.any():
            row = int(empty.to_numpy().argmax())
            raise BadInput(f"{path}: line {_line(row)}, column {col!r} is empty")
    tidy = pd.DataFrame({
        "item": df[item_col],
        "annotator": df[annotator_col],
        "question": question,
        "value": df[value_col],
        "_line": [_line(i) for i in range(len(df))],
        "_column": value_col,
    })
    return tidy


def _from_wide(df, path, default_q):
    item_col = df.columns[0]
    annotators = list(df.columns[1:])
    empty = df[item_col] == ""
    if empty.any():
        row = int(empty.to_numpy().argmax())
        raise BadInput(f"{path}: line {_line(row)}, column {item_col!r} (the item id) is empty")
    dup = df[item_col].duplicated(keep=False)
    if dup.any():
        rows = [i for i in range(len(df)) if dup.iloc[i]]
        first = df[item_col].iloc[rows[0]]
        lines = [_line(i) for i in rows if df[item_col].iloc[i] == first]
        raise BadInput(
            f"{path}: item {first!r} appears on lines {', '.join(map(str, lines))}; in wide format each item"
            " has one row"
        )
    n = len(df)
    tidy = pd.DataFrame({
        "item": pd.concat([df[item_col]] * len(annotators), ignore_index=True),
        "annotator": [a for a in annotators for _ in range(n)],
        "question": default_q,
        "value": pd.concat([df[a] for a in annotators], ignore_index=True),
        "_line": [_line(i) for _ in annotators for i in range(n)],
        "_column": [a for a in annotators for _ in range(n)],
    })
    return tidy


def _number(text: str):
    try:
        x = float(text)
    except ValueError:
        return None
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() else x


def _where(path, row) -> str:
    return f"{path}: line {row['_line']}, column {row['_column']!r}"


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit - 3] + "...")


def _parse_values(tidy: pd.DataFrame, path: Path, level: str, order,
                  missing=MISSING) -> tuple[pd.DataFrame, list | None, dict]:
    """Drop missing values and turn the text into numbers / label sets as the level needs.

    The value coding rule (the same as the Python API's, see
    :func:`workbench.analytics.reliability.as_text_if_mixed`), per question: when every value of
    the question reads as a number, the values are numbers (``1``, ``1.0`` and ``01`` are one
    value); otherwise every value is a label compared as written (``1`` and ``1.0`` are two), and
    the question's note says which value made it so. Cells equal to one of ``missing`` are missing
    judgements. Returns the table, the order and the notes per question."""
    is_missing = tidy["value"].isin(missing)
    tidy = tidy[~is_missing].copy()
    if len(tidy) == 0:
        raise BadInput(f"{path}: no values (every value cell is one of the missing markers "
                       f"{', '.join(map(repr, missing))})")
    texts = tidy["value"].tolist()
    notes: dict = {}
    if is_missing.any() and tuple(missing) != MISSING:
        n_missing = int(is_missing.sum())
        notes["*"] = f"{n_missing} value cells read as missing ({', '.join(map(repr, missing))})"
    if level in ("jaccard", "masi"):
        tidy["value"] = [
            frozenset(p.strip() for p in t.split(SET_SEPARATOR) if p.strip()) for t in texts
        ]
        return tidy, order, notes
    numbers = [_number(t) for t in texts]
    order_numbers = order is None or all(_number(o) is not None for o in order)
    values = list(texts)
    numeric_questions = 0
    for q, idx in tidy.groupby("question", sort=False).indices.items():
        first_text = next((i for i in idx if numbers[i] is None), None)
        if first_text is None:
            if order_numbers:
                for i in idx:
                    values[i] = numbers[i]
                numeric_questions += 1
            continue
        row = tidy.iloc[first_text]
        if level in ("interval", "ratio") or (level == "ordinal" and order is None):
            need = (
                f"--level {level} needs numbers"
                if level != "ordinal"
                else "--level ordinal needs numbers, or the order of the labels with --order a,b,c"
            )
            raise BadInput(f"{_where(path, row)}: value {row['value']!r} is not a number ({need})")
        same_number: dict = {}
        for i in idx:
            if numbers[i] is not None:
                same_number.setdefault(numbers[i], set()).add(texts[i])
        clash = next((sorted(g) for g in same_number.values() if len(g) > 1), None)
        if any(numbers[i] is not None for i in idx):
            note = (f"values are labels compared as written, because {_short(row['value'])} (line {row['_line']}) is "
                    f"not a number")
            if clash:
                note += f": {' and '.join(map(_short, clash[:3]))} are different labels"
            note += f"; if {_short(row['value'])} marks a missing answer, pass --missing {row['value']}"
            notes[q] = note
    tidy["value"] = values
    if order is not None and order_numbers and numeric_questions == tidy["question"].nunique():
        order = [_number(o) for o in order]
    if order is not None:
        allowed = set(order)
        bad = ~tidy["value"].isin(allowed)
        if bad.any():
            row = tidy[bad].iloc[0]
            raise BadInput(
                f"{_where(path, row)}: value {row['value']!r} is not in --order ({', '.join(map(str, order))})"
            )
    return tidy, order, notes


def _check_duplicates(tidy: pd.DataFrame, path: Path) -> None:
    dup = tidy.duplicated(subset=["item", "annotator", "question"], keep=False)
    if dup.any():
        first = tidy[dup].iloc[0]
        same = tidy[dup & (tidy["item"] == first["item"]) & (tidy["annotator"] == first["annotator"])
                    & (tidy["question"] == first["question"])]
        q = f", question {first['question']!r}" if tidy["question"].nunique() > 1 else ""
        raise BadInput(
            f"{path}: duplicate annotation: item {first['item']!r} by annotator {first['annotator']!r}{q}"
            f" on lines {', '.join(map(str, same['_line']))}; each annotator may answer an item once"
        )


def _check_annotators(tidy: pd.DataFrame, path: Path, raters) -> None:
    for q, rows in tidy.groupby("question", sort=False):
        names = [a for a in pd.unique(rows["annotator"]) if a not in raters]
        if len(names) < 2:
            who = ", ".join(map(repr, names)) or "none"
            raise BadInput(
                f"{path}: question {q!r} has {len(names)} annotator{'s' if len(names) != 1 else ''} with values"
                f" ({who}); agreement needs at least two"
            )
        for r in raters:
            if r not in set(rows["annotator"]):
                raise BadInput(f"{path}: --rater {r!r} is not an annotator of question {q!r}")


def _read_gold(path: Path, item_col: str, value_col: str, question_col: str, level: str, order, numeric: bool):
    df = _read_csv(path, "gold file")
    if item_col not in df.columns:
        item_col = "item" if "item" in df.columns else df.columns[0]
    candidates = [c for c in (value_col, "gold", "value") if c in df.columns and c != item_col]
    if candidates:
        vcol = candidates[0]
    else:
        rest = [c for c in df.columns if c not in (item_col, question_col)]
        if len(rest) != 1:
            raise BadInput(
                f"{path}: cannot tell which column holds the gold values (columns: {', '.join(map(repr, df.columns))});"
                f" name it {value_col!r} or 'gold'"
            )
        vcol = rest[0]
    gold = pd.DataFrame({
        "item": df[item_col],
        "value": df[vcol],
        "_line": [_line(i) for i in range(len(df))],
        "_column": vcol,
    })
    if question_col in df.columns:
        gold["question"] = df[question_col]
    gold = gold[~gold["value"].isin(MISSING)].copy()
    if level in ("jaccard", "masi"):
        gold["value"] = [frozenset(p.strip() for p in t.split(SET_SEPARATOR) if p.strip()) for t in gold["value"]]
    elif numeric:
        nums = [_number(t) for t in gold["value"]]
        if any(x is None for x in nums):
            i = next(k for k, x in enumerate(nums) if x is None)
            row = gold.iloc[i]
            raise BadInput(f"{_where(path, row)}: gold value {row['value']!r} is not a number, unlike the annotations")
        gold["value"] = nums
    keys = ["item", "question"] if "question" in gold.columns else ["item"]
    dup = gold.duplicated(subset=keys, keep=False)
    if dup.any():
        first = gold[dup].iloc[0]
        lines = gold[dup & (gold["item"] == first["item"])]["_line"]
        raise BadInput(f"{path}: item {first['item']!r} has more than one gold value (lines {', '.join(map(str, lines))})")
    if order is not None and level not in ("jaccard", "masi"):
        bad = ~gold["value"].isin(set(order))
        if bad.any():
            row = gold[bad].iloc[0]
            raise BadInput(f"{_where(path, row)}: gold value {row['value']!r} is not in --order ({', '.join(map(str, order))})")
    return gold.drop(columns=["_line", "_column"])


# ---------------------------------------------------------------- rendering


def _num(x, digits=4) -> str:
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"


def _render(rep: QuestionReport, path: Path, multi: bool) -> str:
    out = []
    head = f"{path.name}: question {rep.question!r}" if multi else f"{path.name}"
    out.append(f"{head} - level {rep.level}")
    out.append(
        f"  {rep.n_items} items ({rep.n_pairable_items} with two or more values), {rep.n_annotators} annotators,"
        f" {rep.n_annotations} annotations"
    )
    out.append("")
    rows = [rep.alpha, *rep.coefficients]
    width = max(len(c.label) for c in rows) + 2
    out.append(f"  {'coefficient':<{width}}{'value':>8}   interval")
    for c in rows:
        value = _num(c.value) if c.value is not None else "undefined"
        interval = ""
        if c.low is not None:
            interval = f"[{_num(c.low)}, {_num(c.high)}]"
            if c.key == "alpha":
                interval += f" {rep.ci:.0%} bootstrap over items, {rep.n_boot} resamples"
        out.append(f"  {c.label:<{width}}{value:>8}   {interval}".rstrip())
        if c.note:
            out.extend(textwrap.wrap(c.note, 96, initial_indent="      note: ", subsequent_indent="            "))
    out.append("")
    th = Thresholds()
    bands = {
        "reliable": f"reliable (alpha >= {th.reliable:.3f})",
        "tentative": f"tentative ({th.tentative:.3f} <= alpha < {th.reliable:.3f})",
        "unreliable": f"unreliable (alpha < {th.tentative:.3f})",
        "undefined": "undefined",
    }
    out.append(f"  reliability (Krippendorff): {bands[rep.band]}")
    out.append(f"  diagnosis: {rep.diagnosis.verdict.title}")
    out.extend(textwrap.wrap(rep.diagnosis.explanation, 96, initial_indent="    ", subsequent_indent="    "))
    if rep.alpha.value is None:
        return "\n".join(out)

    t = rep.annotators
    out.append("")
    cols = [("n", "n_annotations", 0), ("alpha without", "alpha_without", 4), ("change", "alpha_change", 4)]
    if "mean_percent" in t.columns:
        cols += [("mean % agree", "mean_percent", 3), ("mean kappa", "mean_kappa", 3)]
    if "gold_accuracy" in t.columns:
        cols += [("gold n", "n_gold", 0), ("gold acc", "gold_accuracy", 3), ("gold kappa", "gold_kappa", 3)]
    name_w = max(12, *(len(str(a)) for a in t["annotator"])) + 2
    out.append("  " + f"{'annotator':<{name_w}}" + "".join(f"{h:>14}" for h, _, _ in cols))
    for _, r in t.iterrows():
        cells = []
        for _, key, digits in cols:
            v = r[key]
            cells.append(f"{int(v):>14}" if digits == 0 and pd.notna(v) else f"{_num(v, digits):>14}")
        flag = "  <- deviates" if r["annotator"] in rep.diagnosis.deviating else ""
        out.append("  " + f"{str(r['annotator']):<{name_w}}" + "".join(cells) + flag)

    out.append("")
    out.append("  labels (one-vs-rest alpha)")
    lw = max(8, *(len(str(x)) for x in rep.labels["label"])) + 2
    for _, r in rep.labels.iterrows():
        note = f"  ({r['note']})" if r["note"] else ""
        out.append(f"    {str(r['label']):<{lw}}{int(r['n_values']):>7} values {r['share']:>6.1%}   alpha {_num(r['alpha'])}{note}")

    if len(rep.confused_pairs):
        out.append("")
        out.append("  most confused label pairs")
        for _, r in rep.confused_pairs.head(5).iterrows():
            out.append(f"    {r['label_a']} / {r['label_b']}: {r['pairs']} annotator pairs in {r['items']} items ({r['share']:.0%})")

    for name, ra in rep.raters.items():
        out.append("")
        row = ra.rater_row
        med = ra.human_median
        text = (
            f"  rater {name!r} (not human) vs the humans' {ra.method}: {int(row['n_consensus'])} items,"
            f" agreement {_num(row['consensus_percent'], 3)}, {ra.kappa_label} {_num(row['consensus_kappa'], 3)}"
            f" (humans vs the others: {_num(med.get('consensus_percent'), 3)}, {_num(med.get('consensus_kappa'), 3)})"
        )
        if "gold_accuracy" in ra.table.columns:
            text += f"; gold accuracy {_num(row['gold_accuracy'], 3)} (humans {_num(med.get('gold_accuracy'), 3)})"
        text += f"; alpha with it added {_num(rep.rater_alpha[name].value)}"
        out.extend(textwrap.wrap(text, 100, subsequent_indent="    "))

    if len(rep.disputed_items):
        out.append("")
        out.append("  most disputed items")
        for _, r in rep.disputed_items.head(10).iterrows():
            out.append(f"    {str(r['item']):<16} {r['labels']}")
    if rep.gold_confusion is not None:
        out.append("")
        out.append("  confusion vs gold (rows: gold, columns: given)")
        out.extend("    " + line for line in rep.gold_confusion.to_string().splitlines())
    for note in rep.notes:
        out.append(f"  note: {note}")
    return "\n".join(out)


@click.command("agreement")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["long", "wide"]), default="long", show_default=True,
              help="long: one row per judgement; wide: first column the item, one column per annotator.")
@click.option("--item-column", default="item", show_default=True, help="Long format: column of item ids.")
@click.option("--annotator-column", default="annotator", show_default=True, help="Long format: column of annotator names.")
@click.option("--value-column", default="value", show_default=True, help="Long format: column of the values.")
@click.option("--question-column", default="question", show_default=True,
              help="Long format: column of question names (optional; one question if absent).")
@click.option("--level", type=click.Choice(list(LEVELS)), default="nominal", show_default=True,
              help="Level of measurement of the values (jaccard/masi: label sets separated by '|').")
@click.option("--order", default=None, help="Order of the labels, lowest first, comma-separated (ordinal labels).")
@click.option("--gold", type=click.Path(path_type=Path), default=None,
              help="CSV of gold values: the item column and a value (or 'gold') column, optionally question.")
@click.option("--rater", "raters", multiple=True,
              help="An annotator that is not human (LLM judge, suggestion agent): measured against the humans' consensus. Repeatable.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Bootstrap resamples for alpha's interval (0: none).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Seed of the bootstrap and the diagnosis (reproducible output).")
@click.option("--missing", "missing_markers", default=None, metavar="TEXT[,TEXT...]",
              help="Cell values that mark a missing judgement, besides an empty cell and '.' (e.g. n/a,NA).")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_context
def agreement(ctx, file, fmt, item_column, annotator_column, value_column, question_column, level, order, gold,
              raters, bootstrap, seed, missing_markers, as_json):
    """Inter-annotator agreement of the annotations in FILE (CSV), per question.

    Prints Krippendorff's alpha with a bootstrap interval, percent agreement, Fleiss' kappa,
    Gwet's AC1/AC2 and Cohen's kappa, each labelled with its weighting, then the
    per-annotator, per-label and per-item breakdowns and a diagnosis of low agreement.
    """
    order_list = [o.strip() for o in order.split(",")] if order else None
    if order_list is not None and any(o == "" for o in order_list):
        raise BadInput(f"--order {order!r}: empty label in the list")
    df = _read_csv(file)
    default_q = file.stem
    if fmt == "long":
        explicit = ctx.get_parameter_source("question_column") not in (
            click.core.ParameterSource.DEFAULT, None,
        )
        tidy = _from_long(df, file, item_column, annotator_column, value_column, question_column, explicit, default_q)
    else:
        tidy = _from_wide(df, file, default_q)
    missing = MISSING + tuple(m.strip() for m in missing_markers.split(",") if m.strip()) if missing_markers else MISSING
    tidy, order_list, value_notes = _parse_values(tidy, file, level, order_list, missing)
    _check_duplicates(tidy, file)
    _check_annotators(tidy, file, set(raters))
    gold_df = None
    if gold is not None:
        numeric = all(isinstance(v, (int, float)) for v in tidy["value"])
        gold_df = _read_gold(gold, item_column, value_column, question_column, level, order_list, numeric)
        if "question" not in gold_df.columns:
            gold_df["question"] = None
            questions = pd.unique(tidy["question"])
            if len(questions) > 1:
                raise BadInput(f"{gold}: the annotations have {len(questions)} questions; the gold file needs a {question_column!r} column")
            gold_df["question"] = questions[0]

    reports = {}
    for q, rows in tidy.groupby("question", sort=False):
        try:
            reports[q] = question_report(
                rows[["item", "annotator", "question", "value"]],
                level=level,
                order=order_list,
                gold=gold_df,
                n_boot=bootstrap,
                seed=seed,
                raters=list(raters) or None,
                thresholds=Thresholds(seed=seed if seed is not None else 0),
                question=q,
            )
        except BadInput as exc:
            raise BadInput(f"{file}: {exc}") from None

    for q in reports:  # the value coding rule, said where it applied
        extra = tuple(n for n in (value_notes.get("*"), value_notes.get(q)) if n)
        if extra:
            reports[q] = dataclasses.replace(reports[q], notes=tuple(reports[q].notes) + extra)
    multi = len(reports) > 1 or fmt == "long" and question_column in df.columns
    if as_json:
        payload = {"file": str(file), "level": level, "questions": {str(q): r.to_dict() for q, r in reports.items()}}
        click.echo(json.dumps(payload, indent=2, allow_nan=False))
    else:
        click.echo("\n\n".join(_render(r, file, multi) for r in reports.values()))
    undefined = [(q, r) for q, r in reports.items() if r.alpha.value is None]
    if undefined:
        q, r = undefined[0]
        raise BadInput(f"{file}: question {q!r}: {r.alpha.note}")
