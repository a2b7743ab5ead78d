#!/usr/bin/env python3
"""Compare the tables of results/ with those at a git revision, cell by cell.

    python3 scripts/compare_results.py                 # working tree against HEAD
    python3 scripts/compare_results.py --base 1c5d421  # against an older revision
    python3 scripts/compare_results.py --base REV --rename 'u(T,π/2)=u_centre'

A table is a JSON file under results/ with "columns" and "rows" (what every report writes next
to its CSV). Tables are matched by path; columns by name (after --rename), so reordered columns
compare. Timing columns are skipped: `seconds`, names ending in `_s`, `ms_per_step` and
`*_per_s` (they measure the machine, not the numerics). Every other cell must be equal bit for bit (NaN, written
null, equals NaN). A table sampled along a run by wall-clock time (one with a `step` column beside
a timing column: which steps are sampled depends on the machine's speed) is compared on the steps
both runs sampled, keyed by the columns before its first timing column and `step`. Prints one
line per table that is not identical, with the number of cells
that differ and the largest relative difference, then `compare: N identical, M differ, K only on
one side`. Exits 1 when a table differs. Needs only the Python standard library and git.
"""

import argparse
import json
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent


def is_timing(column):
    return (
        column in ("seconds", "ms_per_step")
        or column.endswith("_s")
        or column.endswith("_per_s")
    )


def tables_at(rev):
    """{path: table} of every table under results/ at git revision `rev`."""
    names = subprocess.run(
        ["git", "-C", str(REPO), "ls-tree", "-r", "--name-only", rev, "results/"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    out = {}
    for name in names:
        if name.endswith(".json"):
            text = subprocess.run(
                ["git", "-C", str(REPO), "show", f"{rev}:{name}"],
                check=True, capture_output=True, text=True,
            ).stdout
            table = json.loads(text)
            if isinstance(table, dict) and "columns" in table and "rows" in table:
                out[name] = table
    return out


def tables_in_tree():
    out = {}
    for path in sorted((REPO / "results").rglob("*.json")):
        table = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(table, dict) and "columns" in table and "rows" in table:
            out[str(path.relative_to(REPO))] = table
    return out


def same(a, b):
    if a is None or b is None:  # NaN is written as null
        return a is None and b is None
    return a == b


def rel_diff(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        scale = max(abs(a), abs(b))
        return abs(a - b) / scale if scale > 0 else 0.0
    return float("inf")


def sampled_by_time(columns):
    return "step" in columns and any(is_timing(c) for c in columns)


def keyed(table, columns):
    """{key: row} of a table sampled by time; the key is the columns before the first timing
    column and `step`; a repeated key keeps its last row (a run's final evaluation)."""
    first_timing = next(i for i, c in enumerate(columns) if is_timing(c))
    key_cols = list(range(first_timing)) + [columns.index("step")]
    return {tuple(row[i] for i in key_cols): row for row in table["rows"]}


def compare(old, new, rename):
    """(cells compared, cells differing, largest relative difference, problems)."""
    old_cols = [rename.get(c, c) for c in old["columns"]]
    new_cols = new["columns"]
    problems = []
    if sampled_by_time(old_cols) and old_cols == new_cols:
        a, b = keyed(old, old_cols), keyed(new, new_cols)
        common = sorted(set(a) & set(b), key=str)
        if not common:
            problems.append("no step sampled by both runs")
        print(f"sampled by time: {len(common)} steps in both runs ({len(a)} before, {len(b)} now)")
        old = {"rows": [a[k] for k in common]}
        new = {"rows": [b[k] for k in common]}
    if len(old["rows"]) != len(new["rows"]):
        problems.append(f"{len(old['rows'])} rows before, {len(new['rows'])} now")
    missing = [c for c in old_cols if c not in new_cols]
    added = [c for c in new_cols if c not in old_cols]
    if missing or added:
        problems.append(f"columns gone {missing}, new {added}")
    cells = differ = 0
    worst = 0.0
    for old_row, new_row in zip(old["rows"], new["rows"]):
        for i, column in enumerate(old_cols):
            if is_timing(column) or column not in new_cols:
                continue
            a, b = old_row[i], new_row[new_cols.index(column)]
            cells += 1
            if not same(a, b):
                differ += 1
                worst = max(worst, rel_diff(a, b))
    return cells, differ, worst, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="HEAD", help="git revision to compare against")
    parser.add_argument(
        "--rename", action="append", default=[], metavar="OLD=NEW",
        help="a column renamed since --base (repeatable)",
    )
    args = parser.parse_args()
    rename = dict(r.split("=", 1) for r in args.rename)
    before, now = tables_at(args.base), tables_in_tree()
    identical = differing = total_cells = 0
    for path in sorted(set(before) & set(now)):
        if sampled_by_time(before[path]["columns"]):
            print(f"{path}: ", end="")
        cells, differ, worst, problems = compare(before[path], now[path], rename)
        total_cells += cells
        if differ or problems:
            differing += 1
            detail = "; ".join(problems + ([f"{differ} of {cells} cells differ (largest relative {worst:.1e})"] if differ else []))
            print(f"DIFFERS {path}: {detail}")
        else:
            identical += 1
    one_side = sorted(set(before) ^ set(now))
    for path in one_side:
        print(f"ONLY {'before' if path in before else 'now'} {path}")
    print(
        f"compare: {identical} identical, {differing} differ, {len(one_side)} only on one side "
        f"({total_cells} cells compared)"
    )
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
