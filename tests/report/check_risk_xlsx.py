#!/usr/bin/python3
"""check_risk_xlsx.py FILE.xlsx: reads an `aims risk list --format xlsx` workbook back with
openpyxl (an independent XLSX reader, Debian python3-openpyxl) and checks it cell by cell:
the Korean header, a frozen header row, an autofilter over every row, and the two risks
tests/run-all.sh added: the first (score 16, high, residual 6 medium, review date in the
past) with labels rather than codes, coloured level cells and a red overdue date; the
second, whose title starts with "=", stored as text, not as a formula.
Prints one line per problem; exit 1 if any."""
import sys
import openpyxl

problems = []
def expect(cond, what):
    if not cond:
        problems.append(what)

wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.active
expect(ws.title == "위험 등록부", f"sheet title {ws.title!r}")
header = [c.value for c in ws[1]]
expect(header == ["번호", "제목", "조직", "AI 시스템", "위험 원천", "영향받는 목표", "결과", "발생 가능성", "영향",
                  "위험 수준", "처리 방안", "처리 계획", "잔여 위험", "위험 책임자", "검토일", "상태"], f"header {header!r}")
expect(ws.freeze_panes == "A2", f"freeze panes {ws.freeze_panes!r}")
expect(ws.auto_filter.ref == f"A1:P{ws.max_row}", f"autofilter {ws.auto_filter.ref!r} (rows {ws.max_row})")
expect(ws.max_row == 3, f"{ws.max_row - 1} risks, want 2")
for row in ws.iter_rows():
    for cell in row:
        expect(cell.value is None or cell.data_type == "s", f"{cell.coordinate} is {cell.data_type!r}, not text")
rows = [r for r in ws.iter_rows(min_row=2)]
first = rows[0] if rows else None  # highest score first
if first:
    v = [c.value for c in first]
    expect(v[1] == "고령 민원인 안내 누락", f"first title {v[1]!r}")
    expect(v[3] == "민원 안내 챗봇", f"first system {v[3]!r}")
    expect(v[4] == "기계학습 관련 원천(데이터, 학습, 변화)", f"source label {v[4]!r}")
    expect(v[5] == "공정성, 투명성과 설명가능성", f"objective labels {v[5]!r}")
    expect(v[7] == "4 높음" and v[8] == "4 중대", f"likelihood and impact labels {v[7]!r} {v[8]!r}")
    expect(v[9] == "높음 · 16", f"level {v[9]!r}")
    expect(first[9].fill.fgColor.rgb.endswith("FBD9B5"), f"level fill {first[9].fill.fgColor.rgb!r}")
    expect(v[10] == "수정(감소)" and v[11] == "분기별 점검", f"treatment {v[10]!r} {v[11]!r}")
    expect(v[12] == "중간 · 6", f"residual {v[12]!r}")
    expect(first[12].fill.fgColor.rgb.endswith("FFF2CC"), f"residual fill {first[12].fill.fgColor.rgb!r}")
    expect(v[14] == "2020-01-31" and first[14].font.b and (first[14].font.color.rgb or "").endswith("C00000"),
           f"overdue review date {v[14]!r} bold {first[14].font.b} colour {first[14].font.color.rgb if first[14].font.color else None!r}")
    expect(v[15] == "열림", f"status {v[15]!r}")
second = rows[1] if len(rows) > 1 else None
if second:
    expect(second[1].value == '=HYPERLINK("http://evil")' and second[1].data_type == "s",
           f"a title starting with = must be text: {second[1].value!r} {second[1].data_type!r}")
    expect(second[3].value == "조직 전체(특정 시스템 아님)", f"organisation-wide system cell {second[3].value!r}")
    expect(second[12].value in (None, ""), f"no residual estimate: {second[12].value!r}")
for p in problems:
    print("risk-xlsx:", p)
sys.exit(1 if problems else 0)
