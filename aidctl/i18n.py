"""Message texts in Chinese (default) and English, keyed by finding and reason codes.

Codes and JSON keys are always English; only what a person reads is translated. Each part
of the tool keeps its own texts beside its code (`intake/messages.py`, `core/messages.py`)
and this module merges them, so the catalogue grows without one file everyone edits.
"""

from __future__ import annotations

from aidctl.core.messages import MESSAGES as CORE_MESSAGES
from aidctl.intake.messages import MESSAGES as INTAKE_MESSAGES

LANGS = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    **INTAKE_MESSAGES,
    **CORE_MESSAGES,
    "CLAIM_MISSING_FIELD": (
        "必填项缺失，请补齐后重新提交",
        "a required field is missing; complete it and send again",
    ),
    "CLAIM_INVALID_VALUE": (
        "以下栏目无法识别：{value}，请更正后重新提交",
        "these cells cannot be read: {value}; correct and send again",
    ),
}


def message(code: str, lang: str = "zh", **params: object) -> str:
    """The text for `code` in `lang`, with `{name}` placeholders filled from params."""
    zh, en = MESSAGES.get(code, (code, code))
    template = zh if lang == "zh" else en
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def table(lang: str = "zh") -> dict[str, str]:
    """code -> template in one language (for vectorised rendering with a join)."""
    index = 0 if lang == "zh" else 1
    return {code: texts[index] for code, texts in MESSAGES.items()}
