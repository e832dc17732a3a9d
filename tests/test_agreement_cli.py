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
