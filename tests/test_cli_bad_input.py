"""Bad input that used to end in a traceback: one line on stderr, exit 1 or 2, the database unchanged.

Far dates (--as-of 9999-12-31), an unknown time zone, database URLs with a
non-numeric port, a dialect whose driver is missing, or a raw '@' in the
password (never shown, even in part), and a SQLite file or folder that is
read-only (said as such, not "check that the server is running").
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from dtrack.cli import cli
from dtrack.config.database_url import mask_url
from dtrack.persistence.database import Database


def fingerprint(url: str) -> tuple:
    db = Database(url)
    try:
        with db.session() as session:
            return (tuple(session.execute(text("SELECT id, state, progress, version, due_on FROM tasks ORDER BY id"))),
                    session.execute(text("SELECT count(*) FROM events")).scalar(),
                    session.execute(text("SELECT count(*) FROM users")).scalar())
    finally:
        db.dispose()


def one_line_error(result, *, lang: str = "vi") -> str:
    """The single stderr line of a refused command (CliRunner keeps stderr apart)."""
    assert result.exit_code in (1, 2), (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert lines[0].startswith("lỗi: " if lang == "vi" else "error: ")
    return lines[0]


COMMANDS = [["tasks", "list"], ["overdue"], ["report", "national"], ["status"], ["task", "show", "20/CT-BCT:2:ha-noi"],
            ["init"]]


def test_a_far_date_is_refused_with_one_line(cli_runner, db_url):
    before = fingerprint(db_url)
    for command in COMMANDS:
        for day in ("9999-12-31", "31/12/9999", "0001-01-01", "1999-12-31", "01/01/2101"):
            line = one_line_error(cli_runner(*command, "--as-of", day))
            assert line.startswith(f"lỗi: --as-of: {day!r} nằm ngoài các năm 2000-2100") and "31/12/2100" in line
    assert fingerprint(db_url) == before


def test_far_dates_in_other_options_and_dtrack_today(cli_runner, db_url, monkeypatch):
    line = one_line_error(cli_runner("report", "national", "--since", "9999-12-31"))
    assert line.startswith("lỗi: --since: '9999-12-31' nằm ngoài")
    monkeypatch.setenv("DTRACK_TODAY", "9999-12-31")
    line = one_line_error(cli_runner("tasks", "list"))
    assert line.startswith("lỗi: DTRACK_TODAY: '9999-12-31' nằm ngoài")
    # The edges of the range are days like any other.
    monkeypatch.setenv("DTRACK_TODAY", "2100-12-31")
    assert cli_runner("overdue").exit_code == 0


def test_an_unknown_time_zone_is_one_line(cli_runner, db_url, monkeypatch):
    before = fingerprint(db_url)
    for zone in ("Mars/Olympus", "../../etc/passwd", "Asia/"):
        monkeypatch.setenv("DTRACK_TIMEZONE", zone)
        line = one_line_error(cli_runner("tasks", "list"))
        assert line.startswith(f"lỗi: DTRACK_TIMEZONE: {zone!r} không phải là múi giờ") and "Asia/Ho_Chi_Minh" in line
    monkeypatch.setenv("DTRACK_LANG", "en")
    assert "is not a time zone" in one_line_error(cli_runner("overdue"), lang="en")
    assert fingerprint(db_url) == before


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.mark.parametrize("url", ["postgresql+psycopg://dtrack:mk@127.0.0.1:abc/dtrack",
                                 "postgresql+psycopg://dtrack:mk@127.0.0.1:99999/dtrack",
                                 "postgresql://u:mk@[::1]:54x/dtrack"])
def test_a_port_that_is_not_a_number(url):
    line = one_line_error(_run("--db", url, "tasks", "list"))
    assert "không phải là số từ 1 đến 65535" in line and ":mk" not in line and "mk@" not in line


@pytest.mark.parametrize("url", ["mysql://root:mk@127.0.0.1/dtrack", "oracle://root:mk@127.0.0.1/dtrack",
                                 "nosuchdialect://root:mk@127.0.0.1/dtrack"])
def test_a_dialect_or_driver_dtrack_cannot_use(url):
    line = one_line_error(_run("--db", url, "tasks", "list"))
    assert "không mở được cơ sở dữ liệu" in line and "mk" not in line.split("://", 1)[1].split("/", 1)[0]
    assert "postgresql+psycopg://user@host/db" in line and "máy chủ" not in line
    assert "driver is not installed" not in line and "Can't load plugin" not in line  # worded, not English
    assert "trình điều khiển" in line or "không biết loại cơ sở dữ liệu" in line


def test_a_raw_at_in_the_password_never_shows_and_says_how_to_write_it(monkeypatch):
    url = "postgresql://u:p@ss@host/db"
    monkeypatch.setenv("DTRACK_DATABASE_URL", url)
    for args in (["settings"], ["tasks", "list"], ["--lang", "en", "settings"]):
        result = _run(*args)
        line = one_line_error(result, lang="en" if "en" in args else "vi")
        assert "p@ss" not in result.output and "ss@" not in result.output and "u:p" not in result.output
        assert "postgresql://***@host/db" in line and "%40" in line
    # Percent-encoded, it is a URL like any other: `dtrack settings` shows it with the credentials masked.
    monkeypatch.setenv("DTRACK_DATABASE_URL", "postgresql://u:p%40ss@host/db")
    result = _run("settings")
    assert result.exit_code == 0 and "postgresql://***@host/db" in result.output and "p%40ss" not in result.output


def test_masking_takes_everything_before_the_last_at():
    assert mask_url("postgresql+psycopg://u:p@ss@host:5432/db?x=1") == "postgresql+psycopg://***@host:5432/db?x=1"
    assert mask_url("sqlite:///path/with@sign.db") == "sqlite:///path/with@sign.db"
    assert mask_url("smtp://mailer:a@b@mail.example.vn:587") == "smtp://***@mail.example.vn:587"
    assert mask_url('cannot reach "postgresql://u:p@ss@h/db" now') == 'cannot reach "postgresql://***@h/db" now'
    assert mask_url("postgresql://u:p/ss@host/db") == "postgresql://***@host/db"  # a raw '/' too
    assert mask_url("postgresql://host/db") == "postgresql://host/db"


@pytest.mark.parametrize("password", ["p@ss", "p/ss", "a@b/c@d"])
def test_any_raw_separator_in_the_password_is_refused_and_never_shown(password):
    result = _run("--db", f"postgresql+psycopg://dtrack:{password}@127.0.0.1/dtrack", "tasks", "list")
    line = one_line_error(result)
    assert password not in result.output and "%40" in line and "%2F" in line
    assert "postgresql+psycopg://***@127.0.0.1/dtrack" in line


# --- a read-only SQLite file or folder ---------------------------------------------------------------------

_NO_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
                "--inh-caps", "-dac_override,-dac_read_search"]


def _as_ordinary_user(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`dtrack ARGS` in a process to which file permissions apply (root ignores them unless its capability goes)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be made to apply")
        prefix = _NO_OVERRIDE
    return subprocess.run([*prefix, sys.executable, "-m", "dtrack", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_sqlite_database_is_said_to_be_read_only(sqlite_template, tmp_path, read_only):
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "dtrack.db"
    shutil.copy(sqlite_template, database)
    url = f"sqlite:///{database}"
    before = fingerprint(url)  # leaves the -wal and -shm files, as a database in use has
    target = database if read_only == "file" else folder
    mode = target.stat().st_mode
    if read_only == "folder":
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    target.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        env = {"DTRACK_DATABASE_URL": url, "DTRACK_TODAY": "2026-01-05", "DTRACK_LANG": "vi"}
        done = _as_ordinary_user(["users", "add", "--email", "a@soct.example.vn", "--name", "Nguyễn An",
                                  "--role", "overseer"], env)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        word = "tệp" if read_only == "file" else "thư mục"
        assert lines[0].startswith("lỗi: không ghi được vào cơ sở dữ liệu")
        assert f"{word} {target} chỉ cho phép đọc" in lines[0]
        assert "máy chủ" not in lines[0]
        english = _as_ordinary_user(["--lang", "en", "users", "add", "--email", "b@soct.example.vn",
                                     "--name", "Trần Bình", "--role", "overseer"], env)
        assert english.returncode == 1 and len(english.stderr.strip().splitlines()) == 1, english.stderr
        assert f"the {read_only} {target} is read-only" in english.stderr and "server" not in english.stderr
    finally:
        target.chmod(mode)
    assert fingerprint(url) == before


def test_a_database_on_a_read_only_mount_is_said_to_be_read_only(sqlite_template, tmp_path):
    """A read-only file system (a mount, a snapshot): the same line, not 'check that the server is running'."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a folder read-only in a private namespace")
    folder = tmp_path / "mounted"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "dtrack.db")
    url = f"sqlite:///{folder / 'dtrack.db'}"
    before = fingerprint(url)
    script = (f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" && '
              f'exec "{sys.executable}" -m dtrack users add --email a@soct.example.vn --name "Nguyễn An" '
              '--role overseer')
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DTRACK_DATABASE_URL": url, "DTRACK_LANG": "vi"})
    if "mount:" in done.stderr:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert lines[0].startswith("lỗi: không ghi được vào cơ sở dữ liệu") and "chỉ cho phép đọc" in lines[0]
    assert "máy chủ" not in lines[0]
    assert fingerprint(url) == before


@given(user=st.text("abc@/:%", min_size=1, max_size=8), password=st.text("xyz@/:%", min_size=1, max_size=8))
def test_masking_hides_any_user_and_password_whole(user, password):
    url = f"postgresql+psycopg://{user}:{password}@db.example.vn:5432/dtrack"
    assert mask_url(url) == "postgresql+psycopg://***@db.example.vn:5432/dtrack"
    assert mask_url(f"cannot open {url}: refused") == (
        "cannot open postgresql+psycopg://***@db.example.vn:5432/dtrack: refused")
