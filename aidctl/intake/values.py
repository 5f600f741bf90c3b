"""Reading cell text into typed values, as polars expressions over whole columns.

Every parser takes the *clean* text of a column (NFKC, stripped, '' -> null; see `clean`)
and returns the typed value together with an `invalid` flag: the cell was not empty but
could not be read. The caller turns `invalid` into an INVALID_VALUE finding, so no
non-empty cell ever becomes null without one. Word lists are matched with hash lookups
(`replace_strict`), never with a Python function per row: a member sheet may have a
million rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import polars as pl

from aidctl.plan.causes import load_causes

# Excel's 1900 date system: serial 25569 is 1970-01-01 (polars' day 0). Serials up to 59
# are one day off because Excel counts a 29 February 1900 that never was (serial 60).
_EXCEL_EPOCH = 25569
_EXCEL_FAKE_LEAP_DAY = 60
_NONE = -1

NUMBER_TEXT = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
SCIENTIFIC_TEXT = r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$"


@dataclass(frozen=True)
class Parsed:
    """A column's typed value, its `invalid` flag, and an optional notice (a warning)."""

    value: pl.Expr
    invalid: pl.Expr
    notice: pl.Expr | None = None


@dataclass(frozen=True)
class Kind:
    """How one kind of cell is read: its dtype, its parser, its value when the column is absent."""

    dtype: pl.DataType
    parse: Callable[[pl.Expr], Parsed]
    absent: object = None
    notice_code: str | None = None  # the warning raised where `Parsed.notice` is true


def clean(raw: pl.Expr) -> pl.Expr:
    """NFKC (full-width to half-width), surrounding white space removed, '' -> null.

    ASCII text is already in NFKC form, so only cells with other characters are
    normalised: that halves the cost on a million-row sheet of mostly ASCII ids.
    """
    unicode = raw.str.contains(r"[^\x00-\x7F]")
    text = pl.when(unicode).then(raw.str.normalize("NFKC")).otherwise(raw).str.strip_chars()
    return text.replace("", None)


def _fold_word(word: str) -> str:
    """The form enumeration words are compared in: NFKC, lower case, no spaces, _ or -."""
    folded = unicodedata.normalize("NFKC", word).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "_-")


def _fold(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().str.replace_all(r"[\s_\-]+", "")


def _lookup(text: pl.Expr, words: Mapping[str, object], dtype: pl.DataType) -> pl.Expr:
    table = {_fold_word(word): value for word, value in words.items()}
    return _fold(text).replace_strict(table, default=None, return_dtype=dtype)


def _flagged(text: pl.Expr, value: pl.Expr) -> Parsed:
    """The common case: invalid = there was text and no value came out of it."""
    return Parsed(value, text.is_not_null() & value.is_null())


# --- text -------------------------------------------------------------------------------


def parse_text(text: pl.Expr) -> Parsed:
    return Parsed(text, pl.lit(False))


def parse_id_number(text: pl.Expr) -> Parsed:
    """Inner spaces removed, `x` upper-cased; never a number, never checked here (E3)."""
    return Parsed(text.str.replace_all(r"\s+", "").str.to_uppercase(), pl.lit(False))


def looks_numeric(text: pl.Expr) -> pl.Expr:
    """Text that a number cell could have produced (`110101195602225104`, `1.5`, `3E+17`)."""
    return text.str.contains(NUMBER_TEXT).fill_null(False)


def scientific(text: pl.Expr) -> pl.Expr:
    """Excel's display of a long number (`3.20706199001011E+17`), pasted or saved as text."""
    return text.str.contains(SCIENTIFIC_TEXT).fill_null(False)


# --- dates ------------------------------------------------------------------------------


def _iso(groups: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        [
            groups.struct.field("y"),
            pl.lit("-"),
            groups.struct.field("m").str.zfill(2),
            pl.lit("-"),
            groups.struct.field("d").str.zfill(2),
        ]
    )


def parse_date(text: pl.Expr) -> Parsed:
    """Real Excel dates (read as `2026-11-28 00:00:00`), serial numbers (`45413`, a date
    cell without a date format), `2026-11-28`, `2026/1/5`, `2026.11.28`, `20261128` and
    `2026年11月28日`. An impossible day (`2026-02-30`) is invalid, not rolled over."""
    serial = text.str.extract(r"^(\d{1,5})(?:\.\d*)?$", 1).cast(pl.Int32, strict=False)
    from_serial = (
        pl.when(serial > _EXCEL_FAKE_LEAP_DAY)
        .then(serial - _EXCEL_EPOCH)
        .when((serial >= 1) & (serial < _EXCEL_FAKE_LEAP_DAY))
        .then(serial - _EXCEL_EPOCH + 1)
        .cast(pl.Date)
    )
    dashed = text.str.replace_all(r"[年月/.]", "-").str.replace_all(r"[日号]", "")
    separated = dashed.str.extract_groups(
        r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T].*)?$"
    )
    compact = text.str.extract_groups(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
    from_text = pl.coalesce(_iso(separated), _iso(compact)).str.to_date("%Y-%m-%d", strict=False)
    return _flagged(text, pl.coalesce(from_serial, from_text))


# --- numbers ----------------------------------------------------------------------------


def parse_integer(text: pl.Expr) -> Parsed:
    """`30`, `30.0`, `1,200`, `30人`, `24个月` -> an integer; `30.5` is not one."""
    digits = text.str.replace_all(r"[,\s]", "").str.replace(r"(?:人|名|个月|月)$", "")
    whole = digits.str.extract(r"^([+-]?\d+)(?:\.0*)?$", 1)
    return _flagged(text, whole.cast(pl.Int64, strict=False))


_CN_DIGITS = "一二三四五六七八九"
_CN_UPPER = "壹贰叁肆伍陆柒捌玖"


def _chinese_numerals() -> dict[str, int]:
    """一 … 二十 (and 壹 … 拾): the grades as clerks write them, with room for 十一级."""
    table: dict[str, int] = {}
    for digits, ten in ((_CN_DIGITS, "十"), (_CN_UPPER, "拾")):
        units = {d: i + 1 for i, d in enumerate(digits)}
        table.update(units)
        table[ten] = 10
        table[digits[1] + ten] = 20
        for d, n in units.items():
            table[ten + d] = 10 + n
    table["零"] = 0
    return table


CHINESE_NUMERALS = _chinese_numerals()


def parse_grade(text: pl.Expr) -> Parsed:
    """`5`, `5.0`, `5级`, `五级`, `伤残五级`, `五级伤残`, `十一级` -> 5 … 11.

    Any integer is kept as written (0, 11): whether it is a covered grade is the core's
    decision (L1), not a reading error."""
    core = text.str.replace_all(r"伤残|等级|级|第|\s", "")
    digits = core.str.extract(r"^(\d+)(?:\.0*)?$", 1).cast(pl.Int64, strict=False)
    words = core.replace_strict(CHINESE_NUMERALS, default=None, return_dtype=pl.Int64)
    return _flagged(text, pl.coalesce(digits, words))


def _decimal(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(r"[,\s]", "").str.replace(r"^¥", "").str.replace(r"元$", "")


def _to_float(text: pl.Expr) -> pl.Expr:
    return pl.when(text.str.contains(NUMBER_TEXT)).then(text.cast(pl.Float64, strict=False))


def parse_number(text: pl.Expr) -> Parsed:
    """`1234.5`, `1,234.5`, `¥1234`, `1234元`."""
    return _flagged(text, _to_float(_decimal(text)))


def parse_percent(text: pl.Expr) -> Parsed:
    """A percentage as a number of percent: `20`, `20%`, `20.0` -> 20.0.

    Typing `20%` into Excel stores 0.2 with a percentage format, and the text read shows
    `0.2`. The plan's shares are 0–20 %, so a value strictly between 0 and 1 written
    without `%` is read as such a fraction (x 100), with a warning naming the cell — unless
    the cell held a number (L183, aidctl/intake/sheet.py): then it was typed as a percent.
    """
    plain = _decimal(text)
    has_sign = plain.str.ends_with("%")
    number = _to_float(plain.str.strip_suffix("%"))
    fraction = ~has_sign & (number > 0) & (number < 1)
    value = pl.when(fraction).then((number * 100).round(6)).otherwise(number)
    return Parsed(
        value,
        text.is_not_null() & value.is_null(),
        notice=fraction.fill_null(False),
    )


# --- words ------------------------------------------------------------------------------

YES_NO: dict[str, bool] = {
    **dict.fromkeys(["是", "有", "对", "y", "yes", "true", "t", "1", "1.0", "√", "✓", "✔"], True),
    **dict.fromkeys(
        ["否", "无", "没有", "不是", "n", "no", "false", "f", "0", "0.0", "×", "✗", "✘"], False
    ),
}


def parse_yes_no(text: pl.Expr) -> Parsed:
    """是/否, 有/无, Y/N, yes/no, true/false, 1/0, √/×; blank means no."""
    word = _lookup(text, YES_NO, pl.Boolean())
    value = pl.when(text.is_null()).then(pl.lit(False)).otherwise(word)
    return Parsed(value, text.is_not_null() & word.is_null())


# E1: the words of the roster's 用工性质 column. A bare 聘用 is read as "engaged": contract
# staff as public institutions use the word, unless engagement_months is filled in, when it
# is a temporary engagement (core/enrollment.py decides which, E1).
ENGAGED = "engaged"
EMPLOYMENT_TYPES: dict[str, str] = {
    **dict.fromkeys(["formal", "正式", "正式职工", "正式工", "正式员工", "在编"], "formal"),
    **dict.fromkeys(
        [
            "contract",
            "合同",
            "合同制",
            "合同工",
            "合同制职工",
            "劳动合同",
            "聘用制",
            "聘用合同制",
        ],
        "contract",
    ),
    **dict.fromkeys(["temporary", "临时", "临时工", "临时职工", "临聘", "临时聘用"], "temporary"),
    **dict.fromkeys(["聘用", "聘用人员", ENGAGED], ENGAGED),
}


def parse_employment_type(text: pl.Expr) -> Parsed:
    return _flagged(text, _lookup(text, EMPLOYMENT_TYPES, pl.Utf8()))


CLAIM_TYPES: dict[str, str] = {
    **dict.fromkeys(["critical_illness", "重大疾病", "大病", "重疾"], "critical_illness"),
    **dict.fromkeys(["accident_disability", "意外伤残", "伤残", "意外残疾"], "accident_disability"),
    **dict.fromkeys(["accident_death", "意外身故", "身故", "意外死亡"], "accident_death"),
}


def parse_claim_type(text: pl.Expr) -> Parsed:
    return _flagged(text, _lookup(text, CLAIM_TYPES, pl.Utf8()))


def _exclusion_table() -> dict[str, str]:
    """folded word -> the positions of its causes in the data's order ("3" or "5,6");
    "-1" for a word that means "no cause". The words are aidctl/plan/causes.toml's."""
    causes = load_causes()
    position = {key: i for i, key in enumerate(causes.keys)}
    table = dict.fromkeys(causes.none_words, str(_NONE))
    for word, keys in causes.words.items():
        table[word] = ",".join(str(position[k]) for k in keys)
    return table


def parse_exclusion(text: pl.Expr) -> Parsed:
    """`自杀、斗殴` / `fighting;suicide` -> `suicide;fighting` (cause keys in the data's order).

    Separators: , ， 、 ; ； and spaces. `无`/`否`/blank -> null. One unknown word makes
    the whole cell invalid: a cause misread as "no cause" would pay a claim it must not.
    A joined phrase of the plan (醉酒及使用毒品) gives each of its causes; a word that only
    might be a cause (违章) gives its own key, which the calculator sends to a person.
    """
    tokens = (
        text.str.to_lowercase()
        .str.replace_all(r"[,、;\s]+", ";")
        .str.strip_chars(";")
        .str.split(";")
    )
    table = _exclusion_table()
    found = tokens.list.eval(
        pl.element()
        .str.replace_all(r"[_\-]", "")
        .replace_strict(table, default=None, return_dtype=pl.Utf8)
    )
    unknown = found.list.eval(pl.element().is_null()).list.any()
    names = dict(enumerate(load_causes().keys))
    keys = (
        found.list.join(",")
        .str.split(",")
        .list.eval(pl.element().cast(pl.Int16, strict=False))
        .list.eval(pl.element().filter(pl.element() >= 0))
        .list.unique()
        .list.sort()
        .list.eval(pl.element().replace_strict(names, default=None, return_dtype=pl.Utf8))
        .list.join(";")
    )
    invalid = text.is_not_null() & unknown.fill_null(False)
    value = pl.when(~invalid & (keys.str.len_bytes() > 0)).then(keys)
    return Parsed(value, invalid)


# --- the kinds of cell ------------------------------------------------------------------

TEXT = Kind(pl.Utf8(), parse_text)
ID_NUMBER = Kind(pl.Utf8(), parse_id_number)
DATE = Kind(pl.Date(), parse_date)
INTEGER = Kind(pl.Int64(), parse_integer)
GRADE = Kind(pl.Int64(), parse_grade)
NUMBER = Kind(pl.Float64(), parse_number)
PERCENT = Kind(pl.Float64(), parse_percent, notice_code="SHARE_AS_FRACTION")
YES_NO_FLAG = Kind(pl.Boolean(), parse_yes_no, absent=False)
EMPLOYMENT_TYPE = Kind(pl.Utf8(), parse_employment_type)
CLAIM_TYPE = Kind(pl.Utf8(), parse_claim_type)
EXCLUSION = Kind(pl.Utf8(), parse_exclusion)
