"""What users read comes from the catalogs: no table of words in Python, no words written into a template
or straight into what a front end prints.

Each scan reads the code (Python's and Jinja's syntax trees), runs over the whole package, and is shown
failing on a small file in a temporary folder.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import nodes

from dtrack.templates.environment import environment

PACKAGE = Path(__file__).resolve().parents[2] / "dtrack"

VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more, in any script
LANGUAGE_KEYS = {"vi", "en"}

# Known debt, each with the reason it is still here.
WORD_TABLES_LEFT = {
    # The engine builds a recurring task's title in both languages ("Báo cáo quý I năm 2026") when it
    # makes the task's view (workflow.tasks.TaskView); the catalog is a floor above the engine. Moving
    # these words means wording titles at the edge (reading/ and above), which TaskView does not allow yet.
    "workflow/deadlines.py": "_PERIOD_WORDS",
}


def _strings(node: ast.AST) -> Iterator[str]:
    """The string literals a dictionary value holds (itself, or inside a tuple, list or dictionary)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _strings(element)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _strings(value)


def word_tables(path: Path) -> list[str]:
    """Dictionaries of words: keyed by language with texts in them, or holding Vietnamese texts."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Dict):
            continue
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        texts = [s for value in node.values for s in _strings(value) if WORD.search(s)]
        if (keys & LANGUAGE_KEYS and texts) or any(VIETNAMESE.search(s) for s in texts):
            found.append(f"{path.name}:{node.lineno}: a dictionary of words ({', '.join(map(repr, texts[:2]))})")
    return found


def _assigned_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_no_dictionary_of_words_in_python():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        tables = word_tables(path)
        if relative in WORD_TABLES_LEFT:
            assert WORD_TABLES_LEFT[relative] in _assigned_names(path), f"{relative}: the known debt is gone"
            assert len(tables) <= 2, tables  # that one table (a dictionary of dictionaries), nothing more
            continue
        found += [f"{relative}: {t}" for t in tables]
    assert found == [], "\n".join(found) + "\nput them in the catalog (python -m dtrack.i18n.messages add FILE.tsv)"


def test_the_scan_finds_a_dictionary_of_words(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('LABELS = {"vi": {"start": "Bắt đầu"}, "en": {"start": "Start"}}\n'
                      'HEADERS = {"key": ("Mã nhiệm vụ", "Tỉnh")}\n'
                      'ROUTES = {"vi": handler, "en": handler}\nCODES = {"csv": "text/csv"}\n', encoding="utf-8")
    found = word_tables(module)
    assert sorted(f.split(":")[1] for f in found) == ["1", "1", "2"], found  # the table and its inner ones


# --- templates -------------------------------------------------------------------------------------

# Not words to translate: names of formats, the product's name, a date pattern, sizes.
TEMPLATE_TOKENS = {"dtrack", "CSV", "XLSX", "HTML", "Markdown", "DOCX", "PDF", "KB", "dd", "mm", "yyyy"}
HOLE = "\x00"  # where an expression prints something


def _pieces(node: nodes.Node) -> Iterator[str]:
    """The template's own text in order, with a hole where an expression prints (its value is not ours)."""
    if isinstance(node, nodes.Block) and node.name == "page":  # the page's name for CSS and tests, not words
        return
    if isinstance(node, nodes.Output):
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                yield child.data
            else:
                yield HOLE
                yield from _pieces(child)
        return
    for child in node.iter_child_nodes():
        yield from _pieces(child)


class _Text(HTMLParser):
    """What a reader sees of an HTML or SVG template: text outside tags, and the attributes they read."""

    READ = ("title", "placeholder", "alt", "aria-label")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0  # inside <style>, <script> or <code> (code is shown as typed)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "code"):
            self._hidden += 1
        shown = dict(attrs)
        self.found += [v for k, v in attrs if v and (k in self.READ or (k == "value" and tag == "input"
                                                                      and shown.get("type") in ("submit", "button")))]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "code"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.found.append(data)


def template_words(name: str, source: str) -> list[str]:
    """Words written into a template (its text and the string constants it prints) rather than looked up."""
    tree = environment().parse(source)
    text = "".join(_pieces(tree))
    if name.endswith((".html.j2", ".svg.j2")):
        reader = _Text()
        reader.feed(text)
        shown = reader.found
    else:  # plain text and Markdown: all of it is read
        shown = [text]
    found = [w for piece in shown for w in WORD.findall(piece.replace(HOLE, " ")) if w not in TEMPLATE_TOKENS]
    for const in tree.find_all(nodes.Const):  # "Hạn" or "Not started" in an expression
        if isinstance(const.value, str) and (VIETNAMESE.search(const.value)
                                             or re.search(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}", const.value)):
            found.append(const.value)
    return found


def test_no_words_written_into_a_template():
    root = PACKAGE / "templates"
    found = {}
    for path in sorted(root.rglob("*.j2")):
        words = template_words(path.name, path.read_text(encoding="utf-8"))
        if words:
            found[path.relative_to(root).as_posix()] = words
    assert found == {}, "look the words up in the catalog (w.<key>, t.<key>)"


def test_the_template_scan_finds_written_words():
    html = ('{% block page %}task{% endblock %}<h1 title="Tiêu đề">{{ w.title }}</h1><p>Hạn: {{ due }}</p>'
            '<code>?region={{ r }}</code><input type="submit" value="Save"><a href="x">CSV</a>'
            '{{ "Chưa có" if none }}<style>p { color: red; }</style>')
    assert template_words("x.html.j2", html) == ["Tiêu", "đề", "Hạn", "Save", "Chưa có"]
    assert template_words("x.md.j2", "| {{ t.task }} | {{ t.state }} |\n|---|---|\nTổng {{ n }}") == ["Tổng"]
    assert template_words("x.html.j2", '<p class="note" data-x="y">{{ w.note }} · {{ n }} KB</p>') == []


# --- front ends ------------------------------------------------------------------------------------

FRONT_ENDS = [PACKAGE / "cli.py", PACKAGE / "terminal.py", *sorted((PACKAGE / "commands").rglob("*.py")),
              *sorted((PACKAGE / "web").rglob("*.py"))]
# Calls whose arguments a user reads.
OUTPUT_CALLS = {"echo", "secho", "flash", "fail", "UserError", "UsageError", "BadParameter", "ClickException",
                "error_page", "HTMLResponse", "PlainTextResponse", "table", "prompt", "confirm"}
# Not words: a health check's answer.
OUTPUT_TOKENS = {"ok"}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _printed(node: ast.AST) -> Iterator[ast.Constant]:
    """The string literals that make up what an output call prints: not those another call gets (a
    message id for `say`, an encoding for `decode`), nor a comparison's, nor a key's."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.FormattedValue):
        yield from _printed(node.value)
    elif not isinstance(node, (ast.Call, ast.Compare, ast.Subscript, ast.Lambda)):
        for child in ast.iter_child_nodes(node):
            yield from _printed(child)


def printed_words(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call) and _name(node.func) in OUTPUT_CALLS:
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                for literal in _printed(argument):
                    text = literal.value.strip()
                    command = text.startswith(("dtrack ", "--"))  # a command to type, shown as typed
                    if WORD.search(text) and not command and text not in OUTPUT_TOKENS:
                        found.append(f"{path.name}:{literal.lineno}: {literal.value!r}")
    return found


def test_front_ends_print_no_words_of_their_own():
    found = [f for path in FRONT_ENDS for f in printed_words(path)]
    assert found == [], "\n".join(found) + "\nword it from the catalog: say(key), w[key], text(lang, id)"


def test_the_front_end_scan_finds_printed_words(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        'click.echo("no tasks")\n'
        'click.echo(say("no_tasks"))\n'
        'click.echo(f"{n} request(s)")\n'
        'click.echo(table(("id", "task"), rows))\n'
        'click.echo(data.decode("utf-8"))\n'
        'click.echo(say("next", command="dtrack outbox send"))\n'
        'raise UserError("Lỗi: " + detail)\n'
        'click.echo(w["h_task"] if lang == "vi" else "-")\n', encoding="utf-8")
    assert sorted(f.split(":")[1] for f in printed_words(module)) == ["1", "3", "4", "4", "7"], printed_words(module)
