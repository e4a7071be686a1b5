#!/usr/bin/python3
"""check_pandas.py: aims fair against an independent pandas computation.

    /usr/bin/python3 tests/fair/check_pandas.py --aims build/aims --tmp DIR

Writes seeded random CSV files (one, two and three sensitive columns; labels 0/1
and yes/no; scores with four decimals, which aims counts densely, and with six,
which it hashes; group names with commas, quotes, newlines and Hangul; CRLF and a
byte order mark; groups without positives so some rates are undefined; one file
over 64 KiB with quoted newlines so two and three threads split it), runs `aims fair --json`
on each, recomputes every metric with pandas (read_csv + groupby; ROC AUC from
average ranks) and compares every number to 1e-12, and every undefined value
(JSON null) to NaN. Prints one line per failed check, then "fair-pandas: N passed,
M failed"; DIR/result.txt gets "N M".
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys

import numpy as np
import pandas as pd

TOL = 1e-12
RATES = ["base_rate", "selection_rate", "true_positive_rate", "false_positive_rate",
         "true_negative_rate", "false_negative_rate", "precision", "accuracy"]

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)


def same(a, b):
    """a from aims (float or None), b from pandas (float, maybe NaN)."""
    if a is None:
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or math.isnan(b):
        return False
    return abs(a - b) <= TOL


def quote(v):
    if any(c in v for c in ',"\r\n') or v != v.strip():
        return '"' + v.replace('"', '""') + '"'
    return v


def write_csv(path, header, rows, crlf=False, bom=False):
    eol = "\r\n" if crlf else "\n"
    with open(path, "w", encoding="utf-8", newline="") as f:
        if bom:
            f.write("\ufeff")
        f.write(",".join(quote(h) for h in header) + eol)
        for r in rows:
            f.write(",".join(quote(v) for v in r) + eol)


def div(a, b):
    return a / b if b else float("nan")


def rates_of(tp, fp, tn, fn):
    n = tp + fp + tn + fn
    return {
        "base_rate": div(tp + fn, n), "selection_rate": div(tp + fp, n),
        "true_positive_rate": div(tp, tp + fn), "false_positive_rate": div(fp, fp + tn),
        "true_negative_rate": div(tn, fp + tn), "false_negative_rate": div(fn, tp + fn),
        "precision": div(tp, tp + fp), "accuracy": div(tp + tn, n),
    }


def auc_of(y, s):
    pos = int(y.sum())
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = s.rank(method="average")
    return (ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg)


def spread(values):
    v = [x for x in values if not math.isnan(x)]
    if not v:
        return float("nan"), float("nan")
    return max(v) - min(v), (min(v) / max(v) if max(v) > 0 else float("nan"))


def expected(df, sens, score):
    """The report's numbers from pandas, keyed like aims' sections."""
    out = {}
    sections = [[c] for c in sens] + ([sens] if len(sens) > 1 else [])
    for by in sections:
        groups = {}
        for key, g in df.groupby(by if len(by) > 1 else by[0], sort=True):
            key = key if isinstance(key, tuple) else (key,)
            t, p = g["_t"], g["_p"]
            tp = int(((t == 1) & (p == 1)).sum()); fp = int(((t == 0) & (p == 1)).sum())
            tn = int(((t == 0) & (p == 0)).sum()); fn = int(((t == 1) & (p == 0)).sum())
            m = rates_of(tp, fp, tn, fn)
            if score:
                m["roc_auc"] = auc_of(t, g[score])
            groups[" / ".join(key)] = {"count": len(g), "metrics": m}
        sel = [g["metrics"]["selection_rate"] for g in groups.values()]
        tpr = [g["metrics"]["true_positive_rate"] for g in groups.values()]
        fpr = [g["metrics"]["false_positive_rate"] for g in groups.values()]
        dp_d, dp_r = spread(sel); t_d, t_r = spread(tpr); f_d, f_r = spread(fpr)
        nan = float("nan")
        disp = {
            "demographic_parity_difference": dp_d, "demographic_parity_ratio": dp_r,
            "equalized_odds_difference": nan if math.isnan(t_d) or math.isnan(f_d) else max(t_d, f_d),
            "equalized_odds_ratio": nan if math.isnan(t_r) or math.isnan(f_r) else min(t_r, f_r),
            "equal_opportunity_difference": t_d, "equal_opportunity_ratio": t_r,
        }
        top = max(x for x in sel if not math.isnan(x))
        for g in groups.values():
            g["four_fifths"] = div(g["metrics"]["selection_rate"], top) if top > 0 else nan
        out[" × ".join(by)] = {"groups": groups, "disparities": disp}
    t, p = df["_t"], df["_p"]
    overall = rates_of(int(((t == 1) & (p == 1)).sum()), int(((t == 0) & (p == 1)).sum()),
                       int(((t == 0) & (p == 0)).sum()), int(((t == 1) & (p == 0)).sum()))
    if score:
        overall["roc_auc"] = auc_of(t, df[score])
    return out, overall


def compare(name, report, df, sens, score):
    exp, overall = expected(df, sens, score)
    check(report["input"]["rows_used"] == len(df), f"{name}: rows_used {report['input']['rows_used']} != {len(df)}")
    for k, v in overall.items():
        check(same(report["overall"]["metrics"].get(k), v), f"{name}: overall {k}: {report['overall']['metrics'].get(k)} vs {v}")
    for sec in report["sections"]:
        key = " × ".join(sec["by"])
        want = exp.get(key)
        check(want is not None, f"{name}: unexpected section {key}")
        if want is None:
            continue
        check(len(sec["groups"]) == len(want["groups"]), f"{name}: {key}: {len(sec['groups'])} groups, pandas {len(want['groups'])}")
        for g in sec["groups"]:
            w = want["groups"].get(g["label"])
            check(w is not None, f"{name}: {key}: group {g['label']!r} unknown to pandas")
            if w is None:
                continue
            check(g["count"] == w["count"], f"{name}: {key}/{g['label']}: count {g['count']} vs {w['count']}")
            for m, v in w["metrics"].items():
                check(same(g["metrics"].get(m), v), f"{name}: {key}/{g['label']}: {m} {g['metrics'].get(m)} vs {v}")
            check(same(g["four_fifths"]["ratio"], w["four_fifths"]), f"{name}: {key}/{g['label']}: four-fifths ratio")
        for d, v in want["disparities"].items():
            got = sec["disparities"][d]["value"]
            check(same(got, v), f"{name}: {key}: {d} {got} vs {v}")


def run_case(aims, tmp, name, header, rows, y_true, y_pred, sens, score=None, pos="1", neg="0",
             crlf=False, bom=False, threads=None):
    path = os.path.join(tmp, name + ".csv")
    write_csv(path, header, rows, crlf, bom)
    argv = [aims, "fair", "--data", path, "--y-true", y_true, "--y-pred", y_pred, "--sensitive", ",".join(sens), "--json"]
    if score:
        argv += ["--score", score]
    if pos != "1" or neg != "0":
        argv += ["--positive", pos, "--negative", neg]
    if threads:
        argv += ["--threads", str(threads)]
    r = subprocess.run(argv, capture_output=True, timeout=300)
    check(r.returncode == 0, f"{name}: aims exited {r.returncode}: {r.stderr[:300]!r}")
    if r.returncode != 0:
        return
    report = json.loads(r.stdout)
    dtypes = {c: str for c in header}
    if score:
        dtypes[score] = float
    df = pd.read_csv(path, dtype=dtypes, keep_default_na=False, float_precision="round_trip", encoding="utf-8-sig")
    df["_t"] = (df[y_true] == pos).astype(int)
    df["_p"] = (df[y_pred] == pos).astype(int)
    compare(name, report, df, sens, score)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aims", required=True)
    ap.add_argument("--tmp", required=True)
    a = ap.parse_args()
    os.makedirs(a.tmp, exist_ok=True)
    aims = os.path.abspath(a.aims)
    rnd = random.Random(20261202)

    names = ["F", "M", "X, other", 'say "q"', "여성", "two\nlines"]
    ages = ["18-29", "30-49", "50+"]
    for case in range(6):
        n = rnd.choice([50, 400, 3000])
        rows = []
        for i in range(n):
            g = rnd.choice(names[: 2 + case % 5])
            age = rnd.choice(ages)
            base = 0.2 + 0.1 * names.index(g) % 0.7
            t = rnd.random() < base
            s = min(1, max(0, 0.3 + 0.4 * t + rnd.gauss(0, 0.2)))
            s = round(s, 4) if case % 2 == 0 else round(s, 6)
            p = s >= 0.5
            rows.append([g, age, str(int(t)), str(int(p)), repr(s), "note, with comma" if i % 7 == 0 else "x"])
        # a group that never has positives: its TPR is undefined
        rows += [["none", "18-29", "0", "1", "0.25", "x"], ["none", "50+", "0", "0", "0.75", "x"]]
        sens = [["sex"], ["sex", "age"], ["age", "sex"]][case % 3]
        run_case(aims, a.tmp, f"random-{case}", ["sex", "age", "y", "p", "score", "note"], rows, "y", "p", sens,
                 score="score", crlf=case % 2 == 1, bom=case % 3 == 2)

    # yes/no labels, three sensitive columns, no score
    rows = [[rnd.choice("AB"), rnd.choice("xyz"), rnd.choice(["u", "v"]), rnd.choice(["yes", "no"]), rnd.choice(["yes", "no"])]
            for _ in range(2000)]
    run_case(aims, a.tmp, "labels-yes-no", ["a", "b", "c", "truth", "pred"], rows, "truth", "pred", ["a", "b", "c"],
             pos="yes", neg="no")

    # over 64 KiB with many quoted newlines: split across two and three threads
    rows = []
    for i in range(40000):
        t = rnd.random() < 0.4
        rows.append([rnd.choice(["A", "B", "C\nD"]), "line1\nline2,\"x\"" if i % 3 == 0 else "plain", str(int(t)),
                     str(int(rnd.random() < 0.3 + 0.3 * t)), "%.4f" % rnd.random()])
    for threads in (2, 3):
        run_case(aims, a.tmp, f"split-quoted-newlines-{threads}", ["g", "comment", "y", "p", "s"], rows, "y", "p", ["g"],
                 score="s", threads=threads)

    print(f"fair-pandas: {passed} passed, {failed} failed")
    with open(os.path.join(a.tmp, "result.txt"), "w") as f:
        f.write(f"{passed} {failed}\n")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
