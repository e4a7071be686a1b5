#!/usr/bin/python3
"""check_schema.py: every `aims fair --json` report must match docs/fair-schema.json.

    /usr/bin/python3 tests/fair/check_schema.py --aims build/aims --tmp DIR

Writes small seeded CSV files that between them reach every part of the report
(one and three sensitive columns; with and without --score, dense four-decimal and
hashed six-decimal scores; --skip-bad-rows with one bad row of each kind so that
skipped_examples is filled; --threshold rules that pass and that fail, exit 3;
--bootstrap intervals; yes/no labels, CRLF, a byte order mark, quoted values with
commas and Hangul; groups without positives, so some rates are null; a file over
64 KiB read on two threads), runs `aims fair --json` on each and validates the
output with Debian's python3-jsonschema (Draft 2020-12, the schema's own dialect).
The schema itself is checked first, and a report broken on purpose must fail, so a
validator that accepts anything cannot pass. Prints one line per failed check, then
"fair-schema: N passed, M failed"; DIR/result.txt gets "N M".
"""
import argparse
import copy
import json
import os
import random
import subprocess
import sys

import jsonschema
from jsonschema import Draft202012Validator

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "..", "..", "docs", "fair-schema.json")

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)


def quote(v):
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def write_csv(path, header, rows, crlf=False, bom=False):
    eol = "\r\n" if crlf else "\n"
    with open(path, "w", encoding="utf-8", newline="") as f:
        if bom:
            f.write("\ufeff")
        f.write(",".join(header) + eol)
        for r in rows:
            f.write(",".join(quote(str(v)) for v in r) + eol)


def seeded_rows(rng, n, groups, score_fmt=None, pos="1", neg="0", no_positives=()):
    rows = []
    for i in range(n):
        g = [rng.choice(c) for c in groups]
        y = neg if g[0] in no_positives else (pos if rng.random() < 0.4 else neg)
        p = pos if rng.random() < 0.5 else neg
        row = [f"id{i}"] + g + [y, p]
        if score_fmt:
            row.append(score_fmt.format(rng.random()))
        rows.append(row)
    return rows


def validate(validator, name, report):
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    for e in errors[:5]:
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        print(f"  {name}: {where}: {e.message[:200]}")
    check(not errors, f"{name}: report matches docs/fair-schema.json ({len(errors)} errors)")


def run_case(aims, validator, name, path, args, want_exit=0):
    argv = [aims, "fair", "--data", path, "--json"] + args
    r = subprocess.run(argv, capture_output=True, timeout=300)
    sanitizer = b"Sanitizer" in r.stderr or b"runtime error" in r.stderr
    check(r.returncode == want_exit and not sanitizer,
          f"{name}: exit {r.returncode} (want {want_exit}): {r.stderr.decode(errors='replace')[:300]}")
    try:
        report = json.loads(r.stdout)
    except ValueError as e:
        check(False, f"{name}: stdout is not JSON: {e}")
        return None
    validate(validator, name, report)
    return report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aims", required=True)
    ap.add_argument("--tmp", required=True)
    a = ap.parse_args()
    os.makedirs(a.tmp, exist_ok=True)

    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    try:
        Draft202012Validator.check_schema(schema)
        check(True, "schema")
    except jsonschema.exceptions.SchemaError as e:
        check(False, f"docs/fair-schema.json is not a valid Draft 2020-12 schema: {e.message}")
        return finish(a.tmp)
    validator = Draft202012Validator(schema)

    rng = random.Random(20240917)
    sexes, ages = ["F", "M"], ["18-29", "30-49", "50+"]
    regions = ["Seoul", "Busan, south", "강원", 'say "hi"']

    # One sensitive column, no score.
    p = os.path.join(a.tmp, "basic.csv")
    write_csv(p, ["id", "sex", "y", "p"], seeded_rows(rng, 300, [sexes]))
    run_case(a.aims, validator, "basic", p, ["--y-true", "y", "--y-pred", "p", "--sensitive", "sex"])

    # Three sensitive columns, dense scores, thresholds that fail (exit 3) and pass.
    p = os.path.join(a.tmp, "three.csv")
    write_csv(p, ["id", "sex", "age", "region", "y", "p", "score"],
              seeded_rows(rng, 600, [sexes, ages, regions], "{:.4f}"))
    base = ["--y-true", "y", "--y-pred", "p", "--sensitive", "sex,age,region", "--score", "score"]
    run_case(a.aims, validator, "three-fail", p,
             base + ["--threshold", "demographic_parity_ratio>=0.999,four_fifths_ratio=0.8"], want_exit=3)
    report = run_case(a.aims, validator, "three-pass", p,
                      base + ["--threshold", "demographic_parity_difference<=1"])
    if report is not None:
        check(report["pass"] is True, "three-pass: pass is true")
        check(len(report["sections"]) == 4, "three-pass: one section per column and their intersection")

    # Bad rows of every kind skipped, hashed six-decimal scores, bootstrap intervals.
    p = os.path.join(a.tmp, "skip.csv")
    rows = seeded_rows(rng, 400, [sexes, ages], "{:.6f}")
    rows[10] = rows[10][:3]                                  # ragged_row
    rows[20][1] = ""                                         # missing_value
    rows[30][3] = "2"                                        # label_not_binary
    rows[40][5] = "high"                                     # bad_score
    with open(p, "wb") as f:
        f.write(b"id,sex,age,y,p,score\n")
        for i, r in enumerate(rows):
            line = ",".join(quote(str(v)) for v in r).encode()
            if i == 50:
                line = b"x,\xff\xfe," + line.split(b",", 2)[2]  # bad_group_value: not UTF-8
            f.write(line + b"\n")
    report = run_case(a.aims, validator, "skip-bootstrap", p,
                      ["--y-true", "y", "--y-pred", "p", "--sensitive", "sex,age", "--score", "score",
                       "--skip-bad-rows", "--bootstrap", "50", "--seed", "7", "--confidence", "0.9"])
    if report is not None:
        kinds = report["input"]["skipped"]
        check(all(kinds[k] >= 1 for k in ("ragged_row", "missing_value", "label_not_binary", "bad_score",
                                           "bad_group_value")), f"skip-bootstrap: every kind skipped ({kinds})")
        check("ci" in report["overall"], "skip-bootstrap: intervals present")

    # yes/no labels, CRLF, a byte order mark, rounded scores, groups without positives.
    p = os.path.join(a.tmp, "yesno.csv")
    write_csv(p, ["id", "region", "y", "p", "score"],
              seeded_rows(rng, 300, [regions], "{:.5f}", pos="yes", neg="no", no_positives=("강원",)),
              crlf=True, bom=True)
    report = run_case(a.aims, validator, "yesno", p,
                      ["--y-true", "y", "--y-pred", "p", "--sensitive", "region", "--score", "score",
                       "--positive", "yes", "--negative", "no", "--score-digits", "2"])
    if report is not None:
        nulls = [g for g in report["sections"][0]["groups"] if g["metrics"]["true_positive_rate"] is None]
        check(len(nulls) == 1, "yesno: the group without positives has a null true positive rate")

    # Over 64 KiB, two threads.
    p = os.path.join(a.tmp, "big.csv")
    write_csv(p, ["id", "sex", "age", "y", "p", "score"], seeded_rows(rng, 5000, [sexes, ages], "{:.4f}"))
    check(os.path.getsize(p) > 64 << 10, "big: file over 64 KiB")
    report = run_case(a.aims, validator, "two-threads", p,
                      ["--y-true", "y", "--y-pred", "p", "--sensitive", "sex,age", "--score", "score",
                       "--threads", "2"])

    # The validator is not a rubber stamp: broken copies of a real report must fail.
    if report is not None:
        for what, brk in [
            ("a missing section list", lambda r: r.pop("sections")),
            ("a rate that is a string", lambda r: r["overall"]["metrics"].__setitem__("accuracy", "0.5")),
            ("an unknown skip kind", lambda r: r["input"]["skipped_examples"].append(
                {"line": 2, "column": None, "kind": "mystery", "message": ""})),
            ("a wrong schema id", lambda r: r.__setitem__("schema", "x")),
        ]:
            broken = copy.deepcopy(report)
            brk(broken)
            check(not validator.is_valid(broken), f"negative control: {what} is rejected")
    return finish(a.tmp)


def finish(tmp):
    print(f"fair-schema: {passed} passed, {failed} failed")
    with open(os.path.join(tmp, "result.txt"), "w") as f:
        f.write(f"{passed} {failed}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
