"""``workbench agreement``: published figures on the reference data, and every input error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"
HAYES = REFERENCE / "hayes-krippendorff-2007.csv"


def run(*args):
    return CliRunner().invoke(main, ["agreement", *map(str, args)])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_hayes_ordinal_prints_the_published_alpha():
    res = run(HAYES, "--format", "wide", "--level", "ordinal", "--bootstrap", "200", "--seed", "1")
    assert res.exit_code == 0, res.output
    alpha_line = next(line for line in res.stdout.splitlines() if "Krippendorff's alpha (ordinal)" in line)
    assert "0.7598" in alpha_line
    assert "95% bootstrap over items, 200 resamples" in alpha_line
    assert "Gwet's AC2 (ordinal weights, Gwet 2014 - not Krippendorff's ordinal distance)" in res.stdout
    assert "Percent agreement (unweighted, exact match)" in res.stdout and "0.6250" in res.stdout
    assert "tentative (0.667 <= alpha < 0.800)" in res.stdout
    assert "diagnosis:" in res.stdout
    assert "nan" not in res.stdout.lower()


def test_hayes_json_is_strict_and_matches():
    res = run(HAYES, "--format", "wide", "--level", "ordinal", "--bootstrap", "100", "--seed", "2", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    (q,) = data["questions"].values()
    assert round(q["alpha"]["value"], 4) == 0.7598
    assert q["alpha"]["low"] < q["alpha"]["value"] < q["alpha"]["high"]
    assert q["n_annotators"] == 5 and q["n_items"] == 40
    assert "NaN" not in res.stdout
    coefs = {c["key"]: c for c in q["coefficients"]}
    assert round(coefs["gwet_ac1"]["value"], 4) == 0.5093


def hayes_long(tmp_path) -> Path:
    lines = HAYES.read_text().splitlines()
    names = lines[0].split(",")[1:]
    out = ["unit,coder,score"]
    for line in lines[1:]:
        cells = line.split(",")
        out += [f"{cells[0]},{n},{v}" for n, v in zip(names, cells[1:]) if v != "."]
    return write(tmp_path, "hayes-long.csv", "\n".join(out) + "\n")


def test_long_format_with_named_columns_gives_the_same_alpha(tmp_path):
    path = hayes_long(tmp_path)
    res = run(path, "--item-column", "unit", "--annotator-column", "coder", "--value-column", "score",
              "--level", "ordinal", "--bootstrap", "0", "--json")
    assert res.exit_code == 0, res.output
    (q,) = json.loads(res.stdout)["questions"].values()
    assert round(q["alpha"]["value"], 4) == 0.7598
    assert q["alpha"]["low"] is None


def test_questions_gold_and_order(tmp_path):
    rows = ["item,annotator,question,value"]
    gold = ["item,question,gold"]
    labels = ["low", "mid", "high"]
    for i in range(30):
        truth = labels[i % 3]
        for a, wrong in (("ann", False), ("bob", i % 5 == 0), ("cy", i % 7 == 0)):
            v = labels[(i + 1) % 3] if wrong else truth
            rows.append(f"{i},{a},tone,{v}")
            rows.append(f"{i},{a},ok,{'yes' if (i + wrong) % 2 else 'no'}")
        gold.append(f"{i},tone,{truth}")
    data = write(tmp_path, "two.csv", "\n".join(rows) + "\n")
    gold_path = write(tmp_path, "gold.csv", "\n".join(gold) + "\n")
    res = run(data, "--level", "ordinal", "--order", "low,mid,high", "--gold", gold_path, "--bootstrap", "0")
    # 'ok' is not ordered by --order: its values are outside the order
    assert res.exit_code == 2
    assert "value 'no' is not in --order (low, mid, high)" in res.stderr
    assert "two.csv: line" in res.stderr
    tone_only = write(tmp_path, "tone.csv", "\n".join(r for r in rows if ",ok," not in r) + "\n")
    res = run(tone_only, "--level", "ordinal", "--order", "low,mid,high", "--gold", gold_path, "--bootstrap", "0",
              "--json")
    assert res.exit_code == 0, res.output
    q = json.loads(res.stdout)["questions"]["tone"]
    ann = next(r for r in q["annotators"] if r["annotator"] == "ann")
    assert ann["gold_accuracy"] == 1.0 and ann["n_gold"] == 30
    bob = next(r for r in q["annotators"] if r["annotator"] == "bob")
    assert bob["gold_accuracy"] == pytest.approx(24 / 30)


def test_llm_rater_is_reported_apart(tmp_path):
    rows = ["item,annotator,value"]
    for i in range(40):
        for a in ("ann", "bob", "cy"):
            rows.append(f"{i},{a},{'yes' if i % 2 else 'no'}")
        rows.append(f"{i},judge,{'yes' if i % 4 else 'no'}")
    path = write(tmp_path, "llm.csv", "\n".join(rows) + "\n")
    res = run(path, "--rater", "judge", "--bootstrap", "0")
    assert res.exit_code == 0, res.output
    assert "3 annotators" in res.stdout
    line = next(line for line in res.stdout.splitlines() if "rater 'judge'" in line)
    assert "agreement 0.750" in line  # the judge matches the humans' majority on 30 of 40 items


# ---------------------------------------------------------------- errors


def test_missing_file(tmp_path):
    res = run(tmp_path / "nope.csv")
    assert res.exit_code == 2
    assert f"{tmp_path / 'nope.csv'}: no such file" in res.stderr


def test_not_a_csv(tmp_path):
    binary = tmp_path / "data.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    res = run(binary)
    assert res.exit_code == 2 and "data.csv: not a CSV text file" in res.stderr
    one_col = write(tmp_path, "semi.csv", "item;annotator;value\n1;a;x\n")
    res = run(one_col)
    assert res.exit_code == 2 and "semi.csv: found a single column ('item;annotator;value')" in res.stderr
    empty = write(tmp_path, "empty.csv", "")
    res = run(empty)
    assert res.exit_code == 2 and "empty.csv: the file is empty" in res.stderr


def test_missing_column(tmp_path):
    path = write(tmp_path, "cols.csv", "item,coder,value\n1,a,x\n1,b,y\n")
    res = run(path)
    assert res.exit_code == 2
    assert "cols.csv: missing column 'annotator' (columns: 'item', 'coder', 'value'); name the right one with --annotator-column" in res.stderr
    res = run(path, "--annotator-column", "coder", "--question-column", "task")
    assert res.exit_code == 2 and "missing column 'task'" in res.stderr


def test_non_numeric_value_at_interval_level_names_line_and_value(tmp_path):
    path = write(tmp_path, "num.csv", "item,annotator,value\n1,a,3\n1,b,4\n2,a,high\n2,b,5\n")
    res = run(path, "--level", "interval")
    assert res.exit_code == 2
    assert "num.csv: line 4, column 'value': value 'high' is not a number (--level interval needs numbers)" in res.stderr
    wide = write(tmp_path, "wide.csv", "id,r1,r2\n1,3,4\n2,5,n/a\n")
    res = run(wide, "--format", "wide", "--level", "ratio")
    assert res.exit_code == 2
    assert "wide.csv: line 3, column 'r2': value 'n/a' is not a number" in res.stderr
    res = run(path, "--level", "ordinal")
    assert res.exit_code == 2 and "--level ordinal needs numbers, or the order of the labels with --order" in res.stderr


def test_fewer_than_two_annotators(tmp_path):
    path = write(tmp_path, "solo.csv", "item,annotator,value\n1,a,x\n2,a,y\n3,b,\n")
    res = run(path)
    assert res.exit_code == 2
    assert "solo.csv: question 'solo' has 1 annotator with values ('a'); agreement needs at least two" in res.stderr


def test_one_value_only_says_alpha_is_undefined(tmp_path):
    path = write(tmp_path, "same.csv", "item,annotator,value\n1,a,x\n1,b,x\n2,a,x\n2,b,x\n")
    res = run(path, "--seed", "0")
    assert res.exit_code == 2
    assert "same.csv: question 'same': alpha is undefined: every pairable value is 'x'" in res.stderr
    assert "undefined" in res.stdout
    assert "nan" not in res.output.lower()
    res = run(path, "--json")
    assert res.exit_code == 2
    data = json.loads(res.stdout)
    assert data["questions"]["same"]["alpha"]["value"] is None
    assert "NaN" not in res.stdout


def test_duplicate_annotation_is_named(tmp_path):
    path = write(tmp_path, "dup.csv", "item,annotator,value\n1,a,x\n1,b,y\n2,a,x\n1,b,x\n")
    res = run(path)
    assert res.exit_code == 2
    assert "dup.csv: duplicate annotation: item '1' by annotator 'b' on lines 3, 5" in res.stderr
    wide = write(tmp_path, "dupwide.csv", "id,r1,r2\n1,x,y\n2,x,x\n1,y,y\n")
    res = run(wide, "--format", "wide")
    assert res.exit_code == 2 and "dupwide.csv: item '1' appears on lines 2, 4" in res.stderr
    header = write(tmp_path, "duphead.csv", "id,r1,r1\n1,x,y\n")
    res = run(header, "--format", "wide")
    assert res.exit_code == 2 and "duphead.csv: column 'r1' appears twice in the header" in res.stderr


def test_gold_file_errors(tmp_path):
    path = write(tmp_path, "d.csv", "item,annotator,value\n1,a,x\n1,b,y\n2,a,x\n2,b,x\n")
    res = run(path, "--gold", tmp_path / "g.csv")
    assert res.exit_code == 2 and "g.csv: no such gold file" in res.stderr
    gold = write(tmp_path, "g2.csv", "item,value\n1,x\n1,y\n")
    res = run(path, "--gold", gold)
    assert res.exit_code == 2 and "g2.csv: item '1' has more than one gold value (lines 2, 3)" in res.stderr


def test_bad_level_and_order(tmp_path):
    path = write(tmp_path, "d.csv", "item,annotator,value\n1,a,x\n1,b,y\n")
    res = run(path, "--level", "cardinal")
    assert res.exit_code == 2 and "cardinal" in res.output
    res = run(path, "--order", "x,,y")
    assert res.exit_code == 2 and "--order 'x,,y': empty label" in res.stderr


def test_negative_seed_is_refused_with_exit_2_naming_the_value():
    res = run(HAYES, "--format", "wide", "--level", "ordinal", "--bootstrap", "200", "--seed", "-1")
    assert res.exit_code == 2
    assert "--seed" in res.stderr and "-1" in res.stderr
    assert "Traceback" not in res.output and "numpy" not in res.output.lower()


@pytest.mark.parametrize("where, line", [("header", 1), ("row", 4)])
def test_non_utf8_input_names_the_line_and_byte_not_the_text(tmp_path, where, line):
    body = [b"item,annotator,value", b"i1,a,x", b"i1,b,y", b"i2,a,caf\xe9 secret", b"i2,b,x"]
    if where == "header":
        body[0] = b"item,annot\xe9tor,value"
    f = tmp_path / "latin1.csv"
    f.write_bytes(b"\n".join(body) + b"\n")
    res = run(f, "--format", "long")
    assert res.exit_code == 2
    assert f"line {line}: byte 0xe9" in res.output and "not UTF-8" in res.output
    assert "secret" not in res.output and "Traceback" not in res.output


# ----------------------------------------------------------------------------------------------
# issue #13: one value coding rule, per question, the same in the CLI and the Python API
# ----------------------------------------------------------------------------------------------

MIXED = ("item,annotator,question,value\n"
         "1,a,q,1\n1,b,q,1.0\n2,a,q,2\n2,b,q,02\n3,a,q,3\n3,b,q,3\n4,a,q,1\n4,b,q,2\n"
         "1,a,r,1\n1,b,r,1.0\n2,a,r,2\n2,b,r,2\n3,a,r,3\n3,b,r,3\n4,a,r,1\n4,b,r,2\n")


def _alpha(res, question):
    return json.loads(res.stdout)["questions"][question]["alpha"]["value"]


def test_one_text_value_in_another_question_no_longer_changes_a_numeric_questions_alpha(tmp_path):
    """Before: "1", "1.0" and "02" were merged in one file and kept apart as soon as one non-numeric
    value appeared anywhere in the file (alpha 0.386 -> -0.040 from one added row)."""
    clean = run(write(tmp_path, "clean.csv", MIXED), "--json", "--bootstrap", "0")
    noisy = run(write(tmp_path, "noisy.csv", MIXED + "5,a,r,n/a\n5,b,r,2\n"), "--json", "--bootstrap", "0")
    assert clean.exit_code == 0 and noisy.exit_code == 0, clean.output + noisy.output
    assert _alpha(noisy, "q") == _alpha(clean, "q")  # q is all numbers in both files
    notes = json.loads(noisy.stdout)["questions"]["r"]["notes"]
    assert any("'n/a' (line 18) is not a number" in n and "'1' and '1.0' are different labels" in n
               and "--missing n/a" in n for n in notes)
    assert json.loads(noisy.stdout)["questions"]["q"]["notes"] == json.loads(clean.stdout)["questions"]["q"]["notes"]


def test_declared_missing_markers_are_missing_not_labels(tmp_path):
    path = write(tmp_path, "noisy.csv", MIXED + "5,a,r,n/a\n5,b,r,2\n")
    clean = run(write(tmp_path, "clean.csv", MIXED), "--json", "--bootstrap", "0")
    declared = run(path, "--json", "--bootstrap", "0", "--missing", "n/a,NA")
    assert declared.exit_code == 0, declared.output
    out = json.loads(declared.stdout)["questions"]["r"]
    assert not any("compared as written" in n for n in out["notes"])
    assert any("1 value cells read as missing" in n and "'n/a'" in n for n in out["notes"])
    # item 5 now has one value (b's 2): it adds nothing pairable, and r is coded as numbers again
    assert out["n_pairable_items"] == json.loads(clean.stdout)["questions"]["r"]["n_pairable_items"]
    assert out["categories"] == [1, 2, 3]


def test_the_cli_and_the_python_api_code_values_alike():
    import pandas as pd

    from workbench.analytics.report import question_report

    # numbers only: 1 and 1.0 are one value, in both
    rows = pd.DataFrame({"item": [1, 1, 2, 2, 3, 3], "annotator": list("ababab"), "value": [1, 1.0, 2, 2, 1, 2]})
    assert question_report(rows, level="nominal", n_boot=0).categories == (1, 2)
    # numbers and text mixed: every value is its text, so 1 and "1" are one label and 1.0 another
    mixed = rows.assign(value=[1, "1", 2, 2.0, "n/a", 2])
    rep = question_report(mixed, level="nominal", n_boot=0)
    assert sorted(rep.categories) == ["1", "2", "2.0", "n/a"]
    assert any("compared as its text" in n for n in rep.notes)


# ----------------------------------------------------------------------------------------------
# issue #13: the coded (fast) parser gives the same tidy table, values, notes and errors as the
# per-cell parser it replaced (kept here, verbatim in substance, as the reference)
# ----------------------------------------------------------------------------------------------

import csv as _csv  # noqa: E402
import io  # noqa: E402
import math  # noqa: E402

import pandas as pd  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from workbench.analytics.reliability import to_reliability_data  # noqa: E402
from workbench.cli import agreement as cli  # noqa: E402
from workbench.errors import BadInput  # noqa: E402


def _old_read(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True)
    df.columns = [str(c).strip() for c in df.columns]
    return df.apply(lambda col: col.str.strip())


def _old_from_long(df, path, item_col, annotator_col, value_col, question_col, default_q):
    question = df[question_col] if question_col in df.columns else pd.Series(default_q, index=df.index)
    for col in (item_col, annotator_col):
        empty = df[col] == ""
        if empty.any():
            raise BadInput(f"{path}: line {int(empty.to_numpy().argmax()) + 2}, column {col!r} is empty")
    return pd.DataFrame({"item": df[item_col], "annotator": df[annotator_col], "question": question,
                         "value": df[value_col], "_line": [i + 2 for i in range(len(df))], "_column": value_col})


def _old_from_wide(df, path, default_q):
    item_col, annotators, n = df.columns[0], list(df.columns[1:]), len(df)
    empty = df[item_col] == ""
    if empty.any():
        raise BadInput(f"{path}: line {int(empty.to_numpy().argmax()) + 2}, column {item_col!r} (the item id) is empty")
    dup = df[item_col].duplicated(keep=False)
    if dup.any():
        rows = [i for i in range(n) if dup.iloc[i]]
        first = df[item_col].iloc[rows[0]]
        lines = [i + 2 for i in rows if df[item_col].iloc[i] == first]
        raise BadInput(f"{path}: item {first!r} appears on lines {', '.join(map(str, lines))}; in wide format each item"
                       " has one row")
    return pd.DataFrame({
        "item": pd.concat([df[item_col]] * len(annotators), ignore_index=True),
        "annotator": [a for a in annotators for _ in range(n)], "question": default_q,
        "value": pd.concat([df[a] for a in annotators], ignore_index=True),
        "_line": [i + 2 for _ in annotators for i in range(n)], "_column": [a for a in annotators for _ in range(n)],
    })


def _old_number(text):
    try:
        x = float(text)
    except ValueError:
        return None
    return None if not math.isfinite(x) else int(x) if x.is_integer() else x


def _old_parse_values(tidy, path, level, order, missing):
    where = lambda row: f"{path}: line {row['_line']}, column {row['_column']!r}"  # noqa: E731
    is_missing = tidy["value"].isin(missing)
    tidy = tidy[~is_missing].copy()
    if len(tidy) == 0:
        raise BadInput(f"{path}: no values (every value cell is one of the missing markers "
                       f"{', '.join(map(repr, missing))})")
    texts = tidy["value"].tolist()
    notes = {}
    if is_missing.any() and tuple(missing) != cli.MISSING:
        notes["*"] = f"{int(is_missing.sum())} value cells read as missing ({', '.join(map(repr, missing))})"
    if level in ("jaccard", "masi"):
        tidy["value"] = [frozenset(p.strip() for p in t.split("|") if p.strip()) for t in texts]
        return tidy, order, notes
    numbers = [_old_number(t) for t in texts]
    order_numbers = order is None or all(_old_number(o) is not None for o in order)
    values, numeric_questions = list(texts), 0
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
            need = (f"--level {level} needs numbers" if level != "ordinal"
                    else "--level ordinal needs numbers, or the order of the labels with --order a,b,c")
            raise BadInput(f"{where(row)}: value {row['value']!r} is not a number ({need})")
        same_number = {}
        for i in idx:
            if numbers[i] is not None:
                same_number.setdefault(numbers[i], set()).add(texts[i])
        clash = next((sorted(g) for g in same_number.values() if len(g) > 1), None)
        if any(numbers[i] is not None for i in idx):
            note = (f"values are labels compared as written, because {cli._short(row['value'])} (line {row['_line']})"
                    f" is not a number")
            if clash:
                note += f": {' and '.join(map(cli._short, clash[:3]))} are different labels"
            note += f"; if {cli._short(row['value'])} marks a missing answer, pass --missing {row['value']}"
            notes[q] = note
    tidy["value"] = values
    if order is not None and order_numbers and numeric_questions == tidy["question"].nunique():
        order = [_old_number(o) for o in order]
    if order is not None:
        bad = ~tidy["value"].isin(set(order))
        if bad.any():
            row = tidy[bad].iloc[0]
            raise BadInput(f"{where(row)}: value {row['value']!r} is not in --order ({', '.join(map(str, order))})")
    return tidy, order, notes


def _old_checks(tidy, path, raters):
    dup = tidy.duplicated(subset=["item", "annotator", "question"], keep=False)
    if dup.any():
        first = tidy[dup].iloc[0]
        same = tidy[dup & (tidy["item"] == first["item"]) & (tidy["annotator"] == first["annotator"])
                    & (tidy["question"] == first["question"])]
        q = f", question {first['question']!r}" if tidy["question"].nunique() > 1 else ""
        raise BadInput(f"{path}: duplicate annotation: item {first['item']!r} by annotator {first['annotator']!r}{q}"
                       f" on lines {', '.join(map(str, same['_line']))}; each annotator may answer an item once")
    for q, rows in tidy.groupby("question", sort=False):
        names = [a for a in pd.unique(rows["annotator"]) if a not in raters]
        if len(names) < 2:
            who = ", ".join(map(repr, names)) or "none"
            raise BadInput(f"{path}: question {q!r} has {len(names)} annotator{'s' if len(names) != 1 else ''} with"
                           f" values ({who}); agreement needs at least two")
        for r in raters:
            if r not in set(rows["annotator"]):
                raise BadInput(f"{path}: --rater {r!r} is not an annotator of question {q!r}")


def _old_pipeline(path, fmt, level, order, missing, raters):
    df = _old_read(path)
    if fmt == "long":
        tidy = _old_from_long(df, path, "item", "annotator", "value", "question", path.stem)
    else:
        tidy = _old_from_wide(df, path, path.stem)
    tidy, order, notes = _old_parse_values(tidy, path, level, order, missing)
    _old_checks(tidy, path, set(raters))
    return tidy, order, notes


def _typed(values):
    return [(type(v), v) for v in values]


def _same_reliability_data(a, b):
    return (a.codes.tolist() == b.codes.tolist() and _typed(a.categories) == _typed(b.categories)
            and a.annotators == b.annotators and a.items == b.items and a.ordered == b.ordered)


NUMBERS = ["1", "01", "1.0", " 2", "2 ", "2.5", "3", "-0", "1e0", "1_0", "1e30"]
LABELS = ["x", "y", " x ", "x|y", "y | x", "1|x", "inf", "nan"]
GAPS = [".", "", "n/a", "NA", " n/a"]
IDS = ["1", "01", "2", "a", "b ", "i-3", "i4", "5", "6", "7", " 1"]
ANNOTATORS = ["a", "b", " c", "d ", "e", "a "]


@st.composite
def csv_cases(draw):
    pools = [NUMBERS, NUMBERS + LABELS, LABELS, NUMBERS + ["n/a"]]

    def cell(pool):  # a fifth of the cells are missing markers
        return draw(st.sampled_from(GAPS) if draw(st.integers(0, 9)) >= 8 else st.sampled_from(pool))

    fmt = draw(st.sampled_from(["long", "long", "wide"]))
    out = io.StringIO()
    writer = _csv.writer(out, lineterminator="\n")
    if fmt == "long":
        with_question = draw(st.booleans())
        writer.writerow(["item", "annotator", "question", "value"] if with_question else ["item", "annotator", "value"])
        rows = []
        for question in (draw(st.lists(st.sampled_from(["q", "r", " q"]), min_size=1, max_size=2, unique=True))
                         if with_question else [None]):
            pool = draw(st.sampled_from(pools))
            items = draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=5, unique=True))
            names = draw(st.lists(st.sampled_from(ANNOTATORS), min_size=2, max_size=4, unique=True))
            pairs = [(i, a) for i in items for a in names if draw(st.integers(0, 4)) != 4]
            if pairs and draw(st.integers(0, 9)) == 9:
                pairs.append(pairs[0])  # a duplicate judgement
            for item, annotator in pairs:
                rows.append([item, annotator] + ([question] if with_question else []) + [cell(pool)])
        for row in draw(st.permutations(rows)):
            writer.writerow(row)
    else:
        names = draw(st.lists(st.sampled_from(["r1", "r2", "r3", " r4"]), min_size=1, max_size=3, unique=True))
        writer.writerow(["id", *names])
        pool = draw(st.sampled_from(pools))
        for item in draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=6, unique=True)):
            writer.writerow([item, *(cell(pool) for _ in names)])
    level = draw(st.sampled_from(["nominal", "nominal", "nominal", "ordinal", "interval", "jaccard", "masi"]))
    order = draw(st.sampled_from([None, None, None, ["1", "2", "3"], ["-0", "1", "2", "2.5", "3", "x", "y"], ["x", "y"],
                                  ["0", "1", "2", "2.5", "3", "10"]]))
    missing = draw(st.sampled_from([cli.MISSING, cli.MISSING + ("n/a", "NA")]))
    raters = draw(st.sampled_from([(), (), (), ("a",), ("zz",)]))
    return fmt, out.getvalue(), level, order, missing, raters


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=csv_cases())
def test_the_coded_parser_gives_what_the_per_cell_parser_gave(tmp_path, case):
    """Same judgements (item, annotator, question, value with its type, line, column), in the same
    order, per question; same order list, notes, gold 'numeric' flag and reliability data; or the
    same error message: on small random CSVs with padded spaces, '01', '1.0', '.', empty cells,
    n/a with --missing, label sets and several questions."""
    fmt, text, level, order, missing, raters = case
    path = tmp_path / "case.csv"
    path.write_text(text)
    try:
        old = _old_pipeline(path, fmt, level, order, missing, raters)
    except BadInput as exc:
        old = str(exc)
    try:
        df = cli._read_csv(path, coded=True)
        new = cli._annotations(df, path, fmt, "item", "annotator", "value", "question", False, level, order,
                               missing, raters)
    except BadInput as exc:
        new = str(exc)
    if isinstance(old, str) or isinstance(new, str):
        assert new == old
        return
    tidy, old_order, old_notes = old
    ann, questions, new_order, new_notes = new
    assert new_order == old_order and _typed(new_order or []) == _typed(old_order or [])
    assert new_notes == old_notes
    assert all(q.numeric for q in questions) == all(isinstance(v, (int, float)) for v in tidy["value"])
    groups = list(tidy.groupby("question", sort=False))
    assert [q.name for q in questions] == [q for q, _ in groups]
    frame = ann.frame()
    for question, (_, rows) in zip(questions, groups):
        mine = frame.iloc[question.rows]
        for col in ("item", "annotator", "question", "_line", "_column"):
            assert mine[col].tolist() == rows[col].tolist(), col
        assert _typed(question.values.tolist()) == _typed(rows["value"].tolist())
        try:
            expected = to_reliability_data(rows[["item", "annotator", "question", "value"]], order=old_order)
        except BadInput as exc:
            expected = str(exc)
        try:
            got = to_reliability_data(cli._question_rows(ann, question), order=new_order)
        except BadInput as exc:
            got = str(exc)
        assert got == expected if isinstance(expected, str) else _same_reliability_data(got, expected)
