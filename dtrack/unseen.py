"""Characters that act instead of showing, declared once for the terminal, the pages and directive files.

C0 controls (ESC starts OSC 52, which writes a reader's clipboard; BEL, backspace), DEL and the C1
controls (U+009B is a one-byte CSI) do something to a terminal; the Unicode bidi controls reorder
what follows, so a note can read backwards ("Trojan Source"). Tab, newline and CR are left to each
user of these classes: text keeps tab and newline, a terminal line must not keep CR.
"""
from __future__ import annotations

# Regular-expression class bodies (put them inside [...]).
CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # every C0 control but tab, newline and CR; DEL; C1
CR = "\r"
BIDI = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
