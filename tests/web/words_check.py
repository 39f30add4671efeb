"""What a Vietnamese page must never show: an English sentence, a command-line option or command, a bare key or id.

Used by the HTTP sweep (test_words_everywhere.py) and the browser sweep
(test_browser_words.py) on the text a reader sees (no tags, scripts, styles or
the head). English is recognised by words that never occur in Vietnamese text,
written without diacritics or not; a line may hold a value the test typed
itself (`bad`, `xyz`), never one of these.
"""
from __future__ import annotations

import html
import re

ENGLISH = re.compile(
    r"\b(the|is|not|cannot|allowed|must|write|should|please|needs|which|with|this|that|your|you|are|was|has|"
    r"have|been|and|for|from|into|between|empty|invalid|unknown|only|nothing|none|choose|there|would|will|"
    r"task|tasks|province|deadline|known|expected|missing|already|before|after)\b", re.IGNORECASE)
OPTION = re.compile(r"(?<![\w/-])--[a-z]")
COMMAND = re.compile(r"`|\bdtrack [a-z]")
TASK_KEY = re.compile(r"\b\d+/[A-Z]+-[A-Z]+:\d+(:[a-z0-9-]+)?\b")  # 20/CT-BCT:7:dien-bien
BARE_ID = re.compile(r"^\d+: ")  # "217: cannot accept ..." (not a time, 07:30)


def visible_lines(page: str) -> list[str]:
    """The page's text as a reader sees it, one line per block of text."""
    page = re.sub(r"(?is)<head.*?</head>|<(script|style)[^>]*>.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", "\n", page)
    return [line.strip() for line in html.unescape(page).splitlines() if line.strip()]


def messages(page: str) -> list[str]:
    """The messages a refused form or filter shows (beside a field, above the page, an error page's)."""
    pattern = r'<p class="(?:field-error|conflict|error)[^"]*"[^>]*>(.*?)</p>'
    found = re.findall(pattern, page, re.DOTALL)
    return [" ".join(visible_lines(message)) for message in found]


def faults(page: str, *, keys: bool = True) -> list[str]:
    """Each line of `page` that shows English, a CLI option or command, or (when `keys`) a bare key or id."""
    bad = []
    for line in visible_lines(page):
        cli_or_english = ENGLISH.search(line) or OPTION.search(line) or COMMAND.search(line)
        if cli_or_english or BARE_ID.match(line) or (keys and TASK_KEY.search(line)):
            bad.append(line)
    return bad
