#!/usr/bin/python3
"""check_soa_xlsx.py FILE.xlsx: reads an `aims soa export` workbook back with openpyxl
(an independent XLSX reader, Debian python3-openpyxl) and checks what the brief promises:
Korean header and titles, a frozen header row, an autofilter over every row, column
widths, the entry set by tests/run-all.sh (A.6.2.8 partial, with its coloured status
cell) and the excluded control with its justification. Prints one line per problem;
exit 1 if any."""
import sys
import openpyxl

problems = []
def expect(cond, what):
    if not cond:
        problems.append(what)

wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.active
expect(ws.title == "적용성 보고서", f"sheet title {ws.title!r}")
expect(ws["A1"].value == "통제" and ws["F1"].value == "이행 상태", f"header {ws['A1'].value!r} {ws['F1'].value!r}")
expect(ws.freeze_panes == "A2", f"freeze panes {ws.freeze_panes!r}")
expect(ws.auto_filter.ref == f"A1:J{ws.max_row}", f"autofilter {ws.auto_filter.ref!r} (rows {ws.max_row})")
expect(ws.max_row == 39, f"{ws.max_row - 1} controls, want 38")
expect((ws.column_dimensions["C"].width or 0) >= 30, f"title column width {ws.column_dimensions['C'].width}")
rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
expect(rows.get("A.2.2") is not None and rows["A.2.2"][2].value == "AI 방침", "A.2.2 title is not the Korean 'AI 방침'")
r = rows.get("A.6.2.8")
expect(r is not None and r[5].value == "일부 이행", f"A.6.2.8 status {r[5].value if r else None!r}")
expect(r is not None and r[5].fill.fgColor.rgb.endswith("FFF2CC"), "A.6.2.8 status cell is not coloured")
expect(r is not None and r[7].value == "2026-12-31", "A.6.2.8 due date")
x = rows.get("A.10.4")
expect(x is not None and x[3].value == "아니오" and x[4].value == "=외부 제공 없음", f"A.10.4 {x[3].value if x else None!r} {x[4].value if x else None!r}")
expect(x is not None and x[4].data_type == "s", "a justification starting with = must be text, not a formula")
for p in problems:
    print("soa-xlsx:", p)
sys.exit(1 if problems else 0)
