#!/usr/bin/python3
"""fair_pandas.py: the reference for the fairness benchmark: the same metrics as
`aims fair` with pandas (read_csv + groupby), timed, then checked against aims.

    /usr/bin/python3 tests/bench/fair_pandas.py PREDS.csv AIMS-REPORT.json

Prints "pandas_seconds S" (read_csv through the last metric; imports excluded),
then "checked N values, max difference D" and exits 1 when any value differs by
more than 1e-9 or a group is missing.
"""
import json
import math
import sys
import time

import numpy as np
import pandas as pd

SENS = ["sex", "age_band", "region"]


def rates(c):
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]
    n = tp + fp + tn + fn
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "base_rate": (tp + fn) / n, "selection_rate": (tp + fp) / n,
            "true_positive_rate": tp / (tp + fn), "false_positive_rate": fp / (fp + tn),
            "true_negative_rate": tn / (fp + tn), "false_negative_rate": fn / (tp + fn),
            "precision": tp / (tp + fp), "accuracy": (tp + tn) / n,
        }


def auc(g):
    y = g["y_true"].to_numpy()
    pos = int(y.sum())
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    r = g["score"].rank(method="average").to_numpy()
    return (r[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg)


def main():
    path, report_path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    df = pd.read_csv(path, usecols=SENS + ["y_true", "y_pred", "score"],
                     dtype={"sex": str, "age_band": str, "region": str, "y_true": np.int8, "y_pred": np.int8},
                     float_precision="round_trip", keep_default_na=False)
    df["cell"] = df["y_true"] * 2 + df["y_pred"]
    results = {}
    for by in [[c] for c in SENS] + [SENS]:
        counts = df.groupby(by + ["cell"]).size().unstack(fill_value=0)
        conf = {"tn": counts.get(0, 0), "fp": counts.get(1, 0), "fn": counts.get(2, 0), "tp": counts.get(3, 0)}
        m = pd.DataFrame(rates({k: v.astype(float) for k, v in conf.items()}))
        m["roc_auc"] = df.groupby(by)[["y_true", "score"]].apply(auc)
        m["count"] = counts.sum(axis=1)
        results[" × ".join(by)] = m
    overall_auc = auc(df)
    elapsed = time.perf_counter() - t0
    print(f"pandas_seconds {elapsed:.3f}")

    report = json.load(open(report_path))
    checked, worst, bad = 0, 0.0, 0
    for sec in report["sections"]:
        m = results[" × ".join(sec["by"])]
        if len(m) != len(sec["groups"]):
            print(f"group count differs for {sec['by']}: pandas {len(m)}, aims {len(sec['groups'])}")
            bad += 1
        for g in sec["groups"]:
            key = tuple(g["key"]) if len(g["key"]) > 1 else g["key"][0]
            row = m.loc[key]
            bad += row["count"] != g["count"]
            for k, v in g["metrics"].items():
                want = float(row[k])
                checked += 1
                if v is None:
                    bad += not math.isnan(want)
                    continue
                d = abs(v - want)
                worst = max(worst, d)
                bad += d > 1e-9
    d = abs(report["overall"]["metrics"]["roc_auc"] - overall_auc)
    worst = max(worst, d)
    bad += d > 1e-9
    checked += 1
    print(f"checked {checked} values, max difference {worst:.3g}, {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
