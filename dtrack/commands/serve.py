"""`dtrack serve`: run the web application under uvicorn (one process or several workers)."""
from __future__ import annotations

import click

from dtrack.cli import App, as_of_option, cli, pass_app, say


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (use PostgreSQL for more than one).")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Database URL (as `dtrack --db URL serve`); default: DTRACK_DATABASE_URL or sqlite:///dtrack.db.")
@as_of_option
@pass_app
def serve(app: App, host: str, port: int, workers: int, db_url: str | None, as_of: str | None) -> None:
    """Run the web application (uvicorn). Log in with an account set up by `dtrack users invite`.

    For production run it behind a reverse proxy that terminates HTTPS (and set
    DTRACK_SECURE_COOKIES=yes), on PostgreSQL, with several workers.
    """
    import logging
    import os

    import uvicorn

    from dtrack.web.serving import PROTOCOL

    # Server errors are logged with their reference id (the page shows only the id). No access log:
    # at log level warning uvicorn printed none anyway, but still formatted each line's arguments
    # (the reverse proxy in front keeps the access log). uvicorn uses httptools, installed with
    # dtrack (setup.cfg), and falls back to h11 without it; and uvloop if someone installs it.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if db_url:
        app.db_url = db_url  # read before any setting is: the one URL for the whole command
    settings = app.settings(as_of)
    from dtrack.web.app import HANDLER_THREADS

    # The server's pool before the first connection: sized later, it would replace the engine just made.
    app.database(ready=False).keep_connections(HANDLER_THREADS)
    db = app.database()  # refuses a database `dtrack init` has not prepared
    click.echo(say("serving", host=host, port=port, url=db.display_url, workers=workers))
    if workers == 1:
        from dtrack.web.app import create_app

        uvicorn.run(create_app(db, settings), host=host, port=port, log_level="warning", access_log=False,
                    http=PROTOCOL)
        return
    # Each worker process builds its own app from the environment (dtrack.web.asgi).
    os.environ["DTRACK_DATABASE_URL"] = settings.database_url
    from dtrack.web.prelogin import share_secret

    share_secret()  # one login-form secret for every worker: they inherit it with the environment
    if as_of:
        os.environ["DTRACK_TODAY"] = as_of
    db.dispose()
    uvicorn.run("dtrack.web.asgi:app", host=host, port=port, workers=workers, log_level="warning", access_log=False,
                http=PROTOCOL)
