"""The sentences of the intake's exit-2 failures, in English and Chinese.

A file that cannot be used at all stops the command before anything is written; the CLI
prints `InputError.message(lang)` without a traceback, so each sentence must say on its own
which file (and sheet) is wrong and what to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence

from aidctl.errors import InputError

SUFFIXES_EN = ".xlsx, .xlsm, .xls, .ods, .csv or .parquet"
SUFFIXES_ZH = ".xlsx、.xlsm、.xls、.ods、.csv 或 .parquet"


def missing_file(path: str) -> InputError:
    return InputError(
        f"The file {path} does not exist.",
        f"文件 {path} 不存在。",
    )


def not_a_file(path: str) -> InputError:
    return InputError(
        f"{path} is not a file.",
        f"{path} 不是文件。",
    )


def not_a_spreadsheet(path: str) -> InputError:
    return InputError(
        f"{path} is not a spreadsheet: give a {SUFFIXES_EN} file.",
        f"{path} 不是表格文件，请提供 {SUFFIXES_ZH} 文件。",
    )


def unreadable(path: str, why_en: str = "", why_zh: str = "") -> InputError:
    because_en = f" ({why_en})" if why_en else ""
    because_zh = f"（{why_zh}）" if why_zh else ""
    return InputError(
        f"{path} cannot be read as a spreadsheet{because_en}: it may be damaged, protected,"
        " or not really the kind of file its name says.",
        f"无法读取表格文件 {path}{because_zh}：文件可能已损坏、加密，或实际格式与扩展名不符。",
    )


def missing_sheet(path: str, what_en: str, what_zh: str, names: Sequence[str]) -> InputError:
    listed = ", ".join(names)
    listed_zh = "、".join(names)
    return InputError(
        f"{path} has no {what_en} sheet: name one of its sheets {listed}.",
        f"{path} 中没有{what_zh}工作表，请将工作表命名为 {listed_zh} 之一。",
    )


def empty_sheet(path: str, sheet: str) -> InputError:
    return InputError(
        f"The sheet '{sheet}' of {path} is empty.",
        f"{path} 的工作表“{sheet}”是空的。",
    )


def no_header_row(path: str, sheet: str, scanned: int, examples: Sequence[str]) -> InputError:
    sample = ", ".join(examples)
    sample_zh = "、".join(examples)
    return InputError(
        f"The sheet '{sheet}' of {path} has no header row: none of its first {scanned} rows"
        f" holds two or more of the expected column names (such as {sample}).",
        f"{path} 的工作表“{sheet}”找不到表头行：前 {scanned} 行中没有一行包含两个或以上"
        f"规定的列名（如 {sample_zh}）。",
    )


def missing_columns(path: str, sheet: str, columns: Sequence[tuple[str, str]]) -> InputError:
    """`columns`: (key, Chinese header) of each required column that is absent."""
    en = ", ".join(f"{zh} ({key})" for key, zh in columns)
    zh = "、".join(f"{zh}（{key}）" for key, zh in columns)
    plural = "columns" if len(columns) > 1 else "column"
    return InputError(
        f"The sheet '{sheet}' of {path} lacks the required {plural} {en}.",
        f"{path} 的工作表“{sheet}”缺少必填列：{zh}。",
    )


def too_many_rows(path: str, sheet: str, rows: int, limit: int) -> InputError:
    return InputError(
        f"The sheet '{sheet}' of {path} has {rows} data rows, more than the limit of {limit}.",
        f"{path} 的工作表“{sheet}”有 {rows} 行数据，超过上限 {limit} 行。",
    )
