"""Affinity's customer-id rules, for the Python audit scripts (one copy, checked against the Java code).

norm_customer(raw) is what a transaction export's customer cell becomes when Affinity loads it: None for a guest
(blank, or a placeholder such as NULL or N/A), else the id as training stores it (Ids.normaliseCustomerId: blanks
stripped at both ends, Unicode white space including the no-break spaces U+00A0, U+2007, U+202F and the zero-width
characters U+200B, U+2060, U+FEFF; and a whole number written with zero decimals, 17850.0 or 17850,0, without them). The Java test
CustomerIdRulesParityTest runs this module and the loader on the same ids; keep the two in step.

Run as a script it reads a JSON array of strings on standard input and writes the JSON array of their
normalised ids (null for a guest), as that test does.
"""
import json
import sys
import unicodedata

PLACEHOLDERS = {"null", "none", "nan", "n/a", "#n/a"}
# Ids.isBlank: java.lang.Character.isWhitespace (these controls and the space separators), isSpaceChar (the space
# separators with the no-break ones), the next-line control U+0085, and the zero-width space, word joiner and byte
# order mark
_WHITESPACE_CONTROLS = set("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85")
_ZERO_WIDTH = set("\u200b\u2060\ufeff")


def _blank(ch):
    if ch in _WHITESPACE_CONTROLS or ch in _ZERO_WIDTH:
        return True
    return unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def _strip_blanks(s):
    """Ids.stripBlanks: blanks at both ends (Python's strip() would miss the zero-width ones)."""
    start, end = 0, len(s)
    while start < end and _blank(s[start]):
        start += 1
    while end > start and _blank(s[end - 1]):
        end -= 1
    return s[start:end]


def _utf16_length(s):
    return len(s.encode("utf-16-le")) // 2


def _java_digit(ch):
    """Character.isDigit(char): a decimal digit of the Basic Multilingual Plane (Java sees a surrogate beyond it;
    Python's isdigit() also takes superscripts such as '\u00b2')."""
    return ord(ch) <= 0xFFFF and unicodedata.category(ch) == "Nd"


def _is_placeholder(stripped):
    """ExportReader.isPlaceholder: NULL, None, NaN, N/A, #N/A in any case."""
    return _utf16_length(stripped) <= 4 and stripped.lower() in PLACEHOLDERS


def _separator(s):
    """The position of the one decimal separator, a dot or a comma; -1 when there is none or more than one."""
    found = -1
    for i, ch in enumerate(s):
        if ch in ".,":
            if found >= 0:
                return -1
            found = i
    return found


def normalise_customer_id(raw):
    """Ids.normaliseCustomerId."""
    s = _strip_blanks(raw)
    sep = _separator(s)
    comma = sep > 0 and s[sep] == ","
    if sep <= 0 or (comma and sep == len(s) - 1):
        return s
    if not all(_java_digit(ch) for ch in s[:sep]):
        return s
    if any(ch != "0" for ch in s[sep + 1:]):
        return s
    thousands = comma and sep <= 3 and len(s) - sep - 1 == 3
    return s if thousands else s[:sep]


def strip_blanks(raw):
    """Ids.stripBlanks, for order numbers (the loader strips them so too)."""
    return _strip_blanks(raw)


def norm_item(raw):
    """Ids.normaliseItemId: a stock code without its blanks, upper case ('' for a blank one)."""
    return _strip_blanks(raw).upper()


def norm_customer(raw):
    """A customer cell as the loader reads it: None for a guest, else the normalised id."""
    s = _strip_blanks(raw)
    if not s or _is_placeholder(s):
        return None
    return normalise_customer_id(s)


if __name__ == "__main__":
    ids = json.load(sys.stdin)
    json.dump([norm_customer(i) for i in ids], sys.stdout)
