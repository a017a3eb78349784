#!/usr/bin/env python3
"""Why python-calamine reads spreadsheets: time to read every cell of one
xlsx with python-calamine (what cxterms uses) and with openpyxl (read-only
mode, the usual pure-Python choice), run side by side.

    python benchmarks/spreadsheet_readers.py [ROWS]

Prints the seconds of each (best of 3) and the ratio openpyxl / calamine.
Needs openpyxl (to write the workbook and as the peer).
"""

import random
import sys
import tempfile
import time
from pathlib import Path


def make(path: Path, rows: int) -> None:
    import openpyxl

    rng = random.Random(1)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Responses")
    ws.append(["id", "date", "region", "score", "comment"])
    for i in range(rows):
        ws.append([i, f"2026-03-{i % 28 + 1:02d}", rng.choice("NSEW"), rng.randrange(11), "fine, thanks"])
    wb.save(path)


def best(fn, n=3) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    import openpyxl
    import python_calamine as pc

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xlsx"
        make(path, rows)

        def calamine():
            return sum(1 for _ in pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())

        def pyxl():
            wb = openpyxl.load_workbook(path, read_only=True)
            n = sum(1 for _ in wb.active.iter_rows(values_only=True))
            wb.close()
            return n

        assert calamine() == pyxl() == rows + 1
        a, b = best(calamine), best(pyxl)
        print(f"rows {rows}: calamine {a:.3f} s, openpyxl {b:.3f} s, openpyxl/calamine {b / a:.1f}x")


if __name__ == "__main__":
    main()
