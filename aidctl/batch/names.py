"""File names as an operator may see them: control characters and non-UTF-8 bytes escaped.

Why: a name is chosen by whoever drops a file into the inbox. A newline or an ESC in it
would forge lines of the log or the terminal (issue 10.5), and a name in GBK bytes is not
text at all: Python holds it as lone surrogates, which neither UTF-8 files (`why.txt`,
the log), SQLite nor a workbook accept. `shown_name` turns such a name into plain,
printable text that still tells the bytes apart (`\\n`, `\\x1b`, `\\xd5`), and the batch
takes the file under that name (L141), so every later step sees only safe text.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _unsafe(ch: str) -> bool:
    """Control characters (C0, DEL, C1), lone surrogates, line/paragraph separators and
    the other invisible format characters (bidi overrides) that can disguise a name."""
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp", "Cf")


def shown_name(name: str) -> str:
    """`name` with every unsafe character escaped (L141); a safe name is returned as it is,
    and an escaped name is safe, so taking a file under its shown name happens once."""
    if not any(_unsafe(ch) for ch in name):
        return name
    return "".join(_escape_char(ch) if _unsafe(ch) else ch for ch in name)


def shown_text(text: str) -> str:
    """A sentence that may quote a file name, made safe to write as one line of UTF-8."""
    return shown_name(text)
