#!/usr/bin/python3
"""check_assessment_xlsx.py FILE.xlsx: reads an `aims assessment export` workbook back with
openpyxl (an independent XLSX reader, Debian python3-openpyxl) and checks it cell by cell:
the Korean header, a frozen header row, an autofilter over every row, column widths, one
row per NIST AI RMF subcategory, and the rows tests/run-all.sh set: GOVERN 1.1 partial
with a Korean note (amber result cell), GOVERN 1.2 not met with a note starting with "="
that must be stored as text, not as a formula, and an untouched row left blank.
Prints one line per problem; exit 1 if any."""
import sys
import openpyxl

problems = []
def expect(cond, what):
    if not cond:
        problems.append(what)

wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.active
expect(ws.title == "요구사항 평가", f"sheet title {ws.title!r}")
expect(wb.properties.title and wb.properties.title.startswith("요구사항 평가: 민원 안내 챗봇"), f"document title {wb.properties.title!r}")
header = [c.value for c in ws[1]]
expect(header == ["요구사항", "상위 항목", "제목", "평가 결과", "메모", "평가자", "평가일", "카탈로그 판"], f"header {header!r}")
expect(ws.freeze_panes == "A2", f"freeze panes {ws.freeze_panes!r}")
expect(ws.auto_filter.ref == f"A1:H{ws.max_row}", f"autofilter {ws.auto_filter.ref!r} (rows {ws.max_row})")
expect(ws.max_row == 73, f"{ws.max_row - 1} requirements, want the 72 NIST AI RMF subcategories")
expect((ws.column_dimensions["C"].width or 0) >= 40, f"title column width {ws.column_dimensions['C'].width}")
expect((ws.column_dimensions["E"].width or 0) >= 40, f"note column width {ws.column_dimensions['E'].width}")
for row in ws.iter_rows():
    for cell in row:
        expect(cell.value is None or cell.data_type == "s", f"{cell.coordinate} is {cell.data_type!r}, not text")
rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
g11 = rows.get("GOVERN 1.1")
expect(g11 is not None, "no GOVERN 1.1 row")
if g11:
    expect(g11[1].value and g11[1].value.startswith("GOVERN 1 "), f"GOVERN 1.1 parent {g11[1].value!r}")
    expect(g11[3].value == "일부 충족", f"GOVERN 1.1 result {g11[3].value!r}")
    expect(g11[3].fill.fgColor.rgb.endswith("FFF2CC"), f"GOVERN 1.1 result fill {g11[3].fill.fgColor.rgb!r}")
    expect(g11[4].value == "법규 목록 작성 중", f"GOVERN 1.1 note {g11[4].value!r}")
    expect(g11[5].value == "admin@xlsx.test", f"GOVERN 1.1 assessor {g11[5].value!r}")
    expect(g11[6].value == "2026-03-02", f"GOVERN 1.1 date {g11[6].value!r}")
    expect((g11[7].value or "").startswith("1.0"), f"GOVERN 1.1 catalog version {g11[7].value!r}")
g12 = rows.get("GOVERN 1.2")
expect(g12 is not None, "no GOVERN 1.2 row")
if g12:
    expect(g12[3].value == "미충족", f"GOVERN 1.2 result {g12[3].value!r}")
    expect(g12[3].fill.fgColor.rgb.endswith("F8CBAD"), f"GOVERN 1.2 result fill {g12[3].fill.fgColor.rgb!r}")
    expect(g12[4].value == '=HYPERLINK("http://evil")', f"GOVERN 1.2 note {g12[4].value!r}")
    expect(g12[4].data_type == "s", "a note starting with = must be text, not a formula")
m11 = rows.get("MAP 1.1")
expect(m11 is not None and m11[3].value == "미평가" and m11[4].value in (None, "") and m11[5].value in (None, ""),
       f"MAP 1.1 should be untouched: {[c.value for c in m11] if m11 else None!r}")
expect(m11 is not None and m11[3].fill.fgColor.rgb in (None, "00000000"), f"MAP 1.1 result fill {m11[3].fill.fgColor.rgb if m11 else None!r}")
for p in problems:
    print("assessment-xlsx:", p)
sys.exit(1 if problems else 0)
