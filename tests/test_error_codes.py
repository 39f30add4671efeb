"""The core's errors are codes with fields and values: no sentence, no command-line word; each code is worded.

- An AST scan of the core packages: every error built there (a `DtrackError`
  class called, or a `because(...)` reason) gets identifiers and values, never
  a sentence, an option (`--note`) or a command (`dtrack users list`); the
  scan is shown able to fail on a file that does.
- Every code the core raises has its message in Vietnamese and English, and
  no wording a page or an API caller reads names an option or a command.
- The command line still names the option: `--note` in its one-line error.
"""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

from dtrack import errors
from dtrack.i18n.error_messages import has, text

ROOT = Path(__file__).resolve().parent.parent / "dtrack"
# The floors below the front ends (tests/architecture/test_layers.py): they raise, they never word.
CORE = ("config", "persistence", "workflow", "reading", "directives", "notifications", "reports", "accounts",
        "evidence", "usecases", "migrations")
HANOI = "canbo@hanoi.gov.vn"


def _error_classes() -> set[str]:
    """Names of the error classes: errors.py's, and the subclasses the core declares (HashingBusy, ...)."""
    names = {name for name, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.DtrackError)}
    for path in _core_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in names for b in node.bases):
                names.add(node.name)
    return names


def _core_files() -> list[Path]:
    return sorted(p for package in CORE for p in (ROOT / package).rglob("*.py"))


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def _strings(node: ast.AST) -> list[str]:
    """The literal text in an expression: constants and the fixed parts of f-strings."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def sentence_or_cli_word(value: str) -> bool:
    """What the core's errors may not hold: words with spaces between them, an option, a command."""
    return any(c.isspace() for c in value.strip()) or "--" in value or value.startswith("-") or "dtrack " in value


def words_in_errors(path: Path, error_classes: set[str]) -> list[str]:
    """`file:line: text` for each sentence or command-line word given to an error or reason in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and (_callee(node) in error_classes or _callee(node) == "because"):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                found += [f"{path}:{node.lineno}: {s!r}" for s in _strings(argument) if sentence_or_cli_word(s)]
        elif isinstance(node, ast.Call):  # a helper handed an option as the field it raises about
            found += [f"{path}:{node.lineno}: {a.value!r}" for a in node.args
                      if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.startswith("--")]
    return found


def test_the_scan_finds_a_sentence_an_option_and_a_command(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from dtrack.errors import InvalidInput, UnknownUser, because\n"
        "def f(x):\n"
        "    raise InvalidInput('--note', 'needs_note')\n"
        "def g(x):\n"
        "    raise InvalidInput('note', f'{x} needs a note')\n"
        "def h(x):\n"
        "    return because('see `dtrack users list`')\n"
        "def k(x):\n"
        "    raise UnknownUser(x, code='unknown_user', field='email')\n"  # fine: identifiers only
        "def m(x):\n"
        "    check_text('--note', x)\n",
        encoding="utf-8")
    found = words_in_errors(bad, _error_classes())
    assert [line.split(":")[1] for line in found] == ["3", "5", "7", "11"]


def test_no_error_of_the_core_holds_a_sentence_or_a_command_line_word():
    classes = _error_classes()
    assert {"HashingBusy", "SchemaDrift", "DatabaseReadOnly", "UnknownToken"} <= classes
    found = [line for path in _core_files() for line in words_in_errors(path, classes)]
    assert not found, "\n".join(found)


def test_errors_py_words_nothing():
    tree = ast.parse((ROOT / "errors.py").read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    texts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and id(n) not in docstrings]
    assert [t for t in texts if sentence_or_cli_word(t) and any(c.isalpha() for c in t)] == []


def _raised_codes() -> set[str]:
    """Every literal code the core (and the front ends) raise: InvalidInput's second argument, code=, because()."""
    codes = set()
    classes = _error_classes()
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _callee(node)
            given = [k.value for k in node.keywords if k.arg == "code"]
            if name == "InvalidInput" and len(node.args) > 1:
                given.append(node.args[1])
            if name in ("because", "RuleError") and node.args:
                given.append(node.args[0])
            if name in classes or name == "because":
                codes |= {g.value for g in given if isinstance(g, ast.Constant) and isinstance(g.value, str)}
    return codes


def test_every_code_raised_is_worded_in_vietnamese_and_english():
    codes = _raised_codes() | {c.error_code for _, c in inspect.getmembers(errors, inspect.isclass)
                               if issubclass(c, errors.DtrackError)}
    assert {"needs_note", "bad_date", "own_province_only", "not_a_deadline_rule"} <= codes  # the scan sees them
    missing = [(lang, code) for code in sorted(codes) for lang in ("vi", "en") if not has(lang, f"error.{code}")]
    assert not missing


def test_no_wording_a_page_or_an_api_caller_reads_names_an_option_or_a_command():
    codes = _raised_codes()
    for code in codes:
        for lang in ("vi", "en"):
            for msgid in (f"error.{code}", f"error.{code}.hint", f"web.error.{code}.hint"):
                if has(lang, msgid):
                    assert "--" not in text(lang, msgid) and "`dtrack" not in text(lang, msgid), (lang, msgid)


def test_the_command_line_names_the_option_in_its_one_line_error(cli_runner):
    added = cli_runner("users", "add", "--email", HANOI, "--name", "Nguyễn Văn A", "--role", "province",
                       "--province", "ha-noi")
    assert added.exit_code == 0, added.output
    refused = cli_runner("task", "block", "20/CT-BCT:2:ha-noi", "--as", HANOI)
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == ['lỗi: --note: thao tác block cần ghi rõ lý do; thêm --note "..."']
    english = cli_runner("--lang", "en", "overdue", "--min-days", "-1")
    assert english.output.strip().splitlines() == ["error: --min-days: -1 is negative; give 0 or more"]
    # A setting from the environment is named by its variable, not by an option.
    bad_zone = cli_runner("tasks", "list", env={"DTRACK_TIMEZONE": "Mars/Olympus"})
    assert bad_zone.output.startswith("lỗi: DTRACK_TIMEZONE: 'Mars/Olympus' không phải là múi giờ")
