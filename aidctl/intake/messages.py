"""Texts of the intake's finding codes: (zh, en).

Placeholders: `{value}` is the offending cell as written, `{column}` the header as written in
the file. Codes stay English everywhere; only these texts are translated (`aidctl.i18n`).
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "INVALID_VALUE": (
        "“{column}”列的值“{value}”无法识别，请按模板填写。",
        "The value '{value}' in column '{column}' cannot be read; fill it in as the template"
        " shows.",
    ),
    "ID_STORED_AS_NUMBER": (
        "“{column}”列的身份证号“{value}”以数字格式保存，末尾几位可能已丢失；"
        "请把该列设为文本格式后重新录入。",
        "The id number '{value}' in column '{column}' was stored as a number, so its last"
        " digits may be lost; set the column to text and type the id again.",
    ),
    "DUPLICATE_HEADER": (
        "表头“{column}”与前面的一列含义相同，已使用前一列，本列被忽略。",
        "The header '{column}' means the same as an earlier column; the earlier column is"
        " used and this one is ignored.",
    ),
    "SHARE_AS_FRACTION": (
        "“{column}”列的值“{value}”小于 1，按百分比格式的小数读取（即 ×100）；请核对。",
        "The value '{value}' in column '{column}' is below 1 and was read as a fraction from"
        " a percentage-formatted cell (multiplied by 100); please check it.",
    ),
}
