"""Blank workbooks for units and claims: the headers the intake knows, dropdowns, and an
instructions sheet — so the files that come back are the files the tool reads."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from aidctl.intake.claims import CLAIMS
from aidctl.intake.units import MEMBERS, UNITS
from aidctl.intake.values import DATE, ID_NUMBER, TEXT
from aidctl.plan.catalogue import Catalogue
from aidctl.plan.causes import load_causes
from aidctl.reports.safe import atomic_path

_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")

# The headers are the intake's own (the first Chinese name of each column it knows), so a
# template always reads back without a finding about its headers.
UNITS_HEADERS = [f.zh for f in UNITS.fields]
MEMBERS_HEADERS = [f.zh for f in MEMBERS.fields]
CLAIMS_HEADERS = [f.zh for f in CLAIMS.fields]
_FIELDS = {f.zh: f for spec in (UNITS, MEMBERS, CLAIMS) for f in spec.fields}
_TEXT_COLUMNS = {name for name, f in _FIELDS.items() if f.kind in (TEXT, ID_NUMBER)}
_DATE_COLUMNS = {name for name, f in _FIELDS.items() if f.kind is DATE}
_ROWS = 2000
# L184: room for what the clerk types, not only for the header: an 18-character id number
# or unit code was cut at 12 (a filled neighbour stops the overflow), a unit's name at 12.
CONTENT_WIDTHS = {
    "id_number": 22,
    "unit_code": 22,
    "unit_name": 30,
    "claim_id": 14,
    "contract_no": 14,
    "disease": 24,
    "phone": 16,
    "note": 20,
}


def _sheet(ws: Worksheet, headers: list[str]) -> None:
    ws.append(headers)
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = max(
            12, len(h) * 2 + 4, CONTENT_WIDTHS.get(_FIELDS[h].key, 0)
        )
        if h in _TEXT_COLUMNS:  # id numbers must stay text: 18 digits do not fit a number
            ws.column_dimensions[letter].number_format = "@"
            for r in range(2, _ROWS + 2):
                ws.cell(row=r, column=i).number_format = "@"
        elif h in _DATE_COLUMNS:
            for r in range(2, _ROWS + 2):
                ws.cell(row=r, column=i).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=1, column=len(headers)).column_letter}1"
    _print_one_page_wide(ws)
    ws.print_title_rows = "1:1"


def _print_one_page_wide(ws: Worksheet) -> None:
    """A template prints landscape on one page width (L179): its header row was spread
    over three pages."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.oddFooter.center.text = "&P / &N"


def _dropdown(ws: Worksheet, headers: list[str], header: str, values: list[str] | str) -> None:
    col = ws.cell(row=1, column=headers.index(header) + 1).column_letter
    formula = values if isinstance(values, str) else '"' + ",".join(values) + '"'
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.add(f"{col}2:{col}{_ROWS + 1}")
    ws.add_data_validation(dv)


def _instructions(wb: Workbook, lines: list[str]) -> None:
    ws = wb.create_sheet("填表说明")
    # lines wrap within the page's width (a 110-wide column printed its last "。" alone)
    ws.column_dimensions["A"].width = 90
    for line in lines:
        ws.append([line])
        ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)
    _print_one_page_wide(ws)


def write_units_template(path: Path) -> Path:
    wb = Workbook()
    units = wb.active
    assert units is not None
    units.title = "参保单位"
    _sheet(units, UNITS_HEADERS)
    members = wb.create_sheet("参保职工")
    _sheet(members, MEMBERS_HEADERS)
    _dropdown(members, MEMBERS_HEADERS, "用工性质", ["正式", "合同", "临时"])
    _instructions(
        wb,
        [
            "参保单位及职工花名册填表说明",
            "1. 「参保单位」每个单位一行；单位编码可填统一社会信用代码（18位，将校验）。",
            "2. 从业人员总数：本单位全体从业人员。30人及以上须至少80%参加，不足30人须全部参加（A1.3、A1.4）。",
            "3. 生效日期：履约单生效之日，保障期一年，至次年同日前一日（A2.1）。",
            "4. 个人分担比例：默认20%，可降低或由单位全部承担（A4.2）。",
            "5. 「参保职工」每人一行；身份证号请保持文本格式，不要改成数字。",
            "6. 用工性质：正式 / 合同 / 临时；临时职工须填聘用期限（月），须超过12个月方可参加（A1.1）。",
            "7. 增员日期：年度中途增加的人员填写，保障从该日开始；首次参保人员的免责期、减责期从该日起算。",
            "8. 日期可写 2026-11-28、2026/11/28、2026年11月28日 或 Excel 日期。",
        ],
    )
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def write_claims_template(path: Path, catalogue: Catalogue) -> Path:
    wb = Workbook()
    claims = wb.active
    assert claims is not None
    claims.title = "理赔申请"
    _sheet(claims, CLAIMS_HEADERS)
    lists = wb.create_sheet("病种目录")
    lists.append(["代码", "类别", "病种名称"])
    for d in catalogue.diseases:
        lists.append([d.code, d.disease_class, d.zh])
    lists.column_dimensions["C"].width = 48
    _print_one_page_wide(lists)
    _dropdown(claims, CLAIMS_HEADERS, "申请类型", ["重大疾病", "意外伤残", "意外身故"])
    _dropdown(claims, CLAIMS_HEADERS, "病种", f"'病种目录'!$C$2:$C${len(catalogue.diseases) + 1}")
    _dropdown(claims, CLAIMS_HEADERS, "伤残等级", [f"{g}级" for g in range(1, 11)])
    for flag in ("见义勇为", "既往症未告知", "欺诈"):
        _dropdown(claims, CLAIMS_HEADERS, flag, ["是", "否"])
    _instructions(
        wb,
        [
            "理赔申请填表说明",
            "1. 每件申请一行，理赔编号全市唯一，同一编号不要重复提交不同内容。",
            "2. 申请类型：重大疾病 / 意外伤残 / 意外身故。",
            "3. 重大疾病须填病种（可从下拉选择，或照录医院诊断）或诊断编码（ICD-10），以及确诊日期。",
            "4. 意外伤残须填事故日期、伤残等级（1–10级）；治疗终结后填治疗终结日期，方可给付（A5.3）。",
            "5. 意外身故须填事故日期和死亡日期；事故后一个月内死亡方属意外身故（A3.3）。",
            "6. 除外情形："
            + "、".join(c.zh for c in load_causes().causes if not c.ambiguous)
            + "，多个用顿号分隔（A6.3）；只写“违章”不能确定是否违章驾驶，将转人工核实。",
            "7. 身份证号保持文本格式。",
        ],
    )
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
