"""The catalogs' tool (Babel): merge messages, write the template, compile. Never imported at run time.

    python -m dtrack.i18n.messages add FILE.tsv    merge `id<TAB>vi<TAB>en` lines into both .po, compile
    python -m dtrack.i18n.messages pot [OUT]       the template (.pot) of every id, from en.po
    python -m dtrack.i18n.messages check FILE.pot  fail on an id the sources name (pybabel extract) that en.po lacks
    python -m dtrack.i18n.messages tidy            write every .po again (flags; after `pybabel update`)
    python -m dtrack.i18n.messages compile         the .mo of every .po (what `pybabel compile` writes)

en.po is the source catalog: it holds every id (`make messages` explains why extraction cannot be).
In a .tsv line, `\\n` stands for a line break and `\\\\` for a backslash; a line that is empty or starts
with `#` is skipped. A message whose id exists is replaced where it stands; a new one goes after the
last message of its area (`web.`, `cli.`, ...), or at the end.
"""
from __future__ import annotations

import fcntl
import string
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from dtrack.i18n.catalog import DOMAIN, LOCALE_DIR

SOURCE = "en"  # the catalog that holds every id
WIDTH = 100  # the .po files' line width (`pybabel update -w` in the Makefile says the same)
BRACE_FLAG = "python-brace-format"


@dataclass(frozen=True)
class Entry:
    """One message of a .tsv file."""

    msgid: str
    vi: str
    en: str
    line: int


def po_path(lang: str, root: Path = LOCALE_DIR) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def placeholders(text: str) -> set[str]:
    """The {names} a `str.format` template fills."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def message_texts(message: Message) -> tuple[str, ...]:
    """A message's translation(s): one, or one per plural form."""
    value = message.string
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value or "",)


def read_catalog(lang: str, root: Path = LOCALE_DIR) -> Catalog:
    with open(po_path(lang, root), "rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


def flag_placeholders(catalog: Catalog) -> None:
    """Flag python-brace-format the messages whose texts hold {placeholders}.

    Babel derives that flag from the msgid, which is symbolic here ("web.days_left") and never holds
    one: it drops the flag whenever it reads a .po, so every write puts it back from the texts.
    """
    for message in catalog:
        if message.id and any(placeholders(t) for t in message_texts(message)):
            message.flags.add(BRACE_FLAG)


def write_catalog(lang: str, catalog: Catalog, root: Path = LOCALE_DIR) -> None:
    flag_placeholders(catalog)
    with open(po_path(lang, root), "wb") as po:
        write_po(po, catalog, width=WIDTH, no_location=True)


def tidy(root: Path = LOCALE_DIR) -> None:
    """Write every .po again as this tool writes it (the flags `pybabel update` drops put back)."""
    for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po.parent.parent.name
        write_catalog(lang, read_catalog(lang, root), root)


def compiled(lang: str, root: Path = LOCALE_DIR) -> bytes:
    """The .mo of `lang`'s .po, as `pybabel compile` makes it (read afresh: only the file counts)."""
    out = BytesIO()
    write_mo(out, read_catalog(lang, root))
    return out.getvalue()


def compile_all(root: Path = LOCALE_DIR) -> list[Path]:
    written = []
    for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po.parent.parent.name
        mo = po.with_suffix(".mo")
        mo.write_bytes(compiled(lang, root))
        written.append(mo)
    return written


def _unescape(text: str) -> str:
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append({"n": "\n", "\\": "\\"}.get(following, "\\" + following))
        else:
            out.append(char)
    return "".join(out)


def read_tsv(path: Path) -> list[Entry]:
    """The entries of a .tsv file, checked: three fields, no empty text, the same {placeholders} in both."""
    entries, problems = [], []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) != 3:
            problems.append(f"{path}:{number}: {len(fields)} fields, not 3 (id, vi, en)")
            continue
        msgid, vi, en = fields[0].strip(), _unescape(fields[1]), _unescape(fields[2])
        if not msgid or " " in msgid or not vi.strip() or not en.strip():
            problems.append(f"{path}:{number}: an id without spaces and two non-empty texts are needed")
        elif placeholders(vi) != placeholders(en):
            problems.append(f"{path}:{number}: {msgid}: placeholders differ: vi {sorted(placeholders(vi))}, "
                            f"en {sorted(placeholders(en))}")
        else:
            entries.append(Entry(msgid, vi, en, number))
    if problems:
        raise SystemExit("\n".join(problems))
    return entries


def _area(msgid: str) -> str:
    return msgid.split(".", 1)[0]


def merge(catalog: Catalog, lang: str, entries: Iterable[Entry]) -> None:
    """Put `entries` into `lang`'s catalog: replaced where they stand, new ones after their area."""
    order = [m for m in catalog if m.id]
    for entry in entries:
        comments = [f"en: {entry.en}".replace("\n", "\\n")] if lang != SOURCE else []
        new = Message(entry.msgid, entry.vi if lang == "vi" else entry.en, auto_comments=comments)
        at = next((i for i, m in enumerate(order) if m.id == entry.msgid), None)
        if at is not None:
            order[at] = new
            continue
        same_area = [i for i, m in enumerate(order) if _area(str(m.id if isinstance(m.id, str) else m.id[0]))
                     == _area(entry.msgid)]
        order.insert(same_area[-1] + 1 if same_area else len(order), new)
    for message in list(catalog):
        if message.id:
            del catalog[message.id]
    for message in order:
        catalog[message.id] = message


def add(path: Path, root: Path = LOCALE_DIR) -> int:
    """Merge the .tsv file's messages into both catalogs under `root` and compile them; how many."""
    entries = read_tsv(path)
    with open(po_path(SOURCE, root), "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # two people merging at once: one after the other, neither lost
        for lang in ("vi", "en"):
            catalog = read_catalog(lang, root)
            merge(catalog, lang, entries)
            write_catalog(lang, catalog, root)
        compile_all(root)
    return len(entries)


def template(root: Path = LOCALE_DIR) -> Catalog:
    """The .pot: every id of en.po, with its English as the comment translators read."""
    source = read_catalog(SOURCE, root)
    pot = Catalog(domain=DOMAIN, project=source.project, version=source.version, fuzzy=False,
                  creation_date=source.creation_date, msgid_bugs_address=source.msgid_bugs_address,
                  header_comment="# dtrack's message ids, from en.po (`python -m dtrack.i18n.messages pot`).\n#")
    for message in source:
        if not message.id:
            continue
        shown = " | ".join(message_texts(message)).replace("\n", "\\n")
        pot.add(message.id, None, auto_comments=[f"en: {shown}"])
    return pot


def missing_ids(extracted: Path, root: Path = LOCALE_DIR) -> list[str]:
    """The ids a .pot (what `pybabel extract` found named in the sources) holds and en.po lacks."""
    with open(extracted, "rb") as pot:
        named = {m.id for m in read_po(pot) if m.id}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_catalog(SOURCE, root) if m.id}
    return sorted(str(i) for i in named if (i if isinstance(i, str) else i[0]) not in known)


def main(argv: Sequence[str]) -> int:
    command, *args = argv or ["help"]
    if command == "add" and len(args) == 1:
        print(f"{add(Path(args[0]))} message(s) merged into {po_path('vi')} and {po_path('en')}; .mo compiled")
        return 0
    if command == "pot" and len(args) <= 1:
        out = Path(args[0]) if args else Path("build/messages") / f"{DOMAIN}.pot"
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as pot:
            write_po(pot, template(), width=WIDTH, no_location=True)
        print(out)
        return 0
    if command == "check" and len(args) == 1:
        missing = missing_ids(Path(args[0]))
        for msgid in missing:
            print(f"named in the sources, missing from {po_path(SOURCE)}: {msgid}", file=sys.stderr)
        return 1 if missing else 0
    if command == "tidy" and not args:
        tidy()
        return 0
    if command == "compile" and not args:
        for mo in compile_all():
            print(mo)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
