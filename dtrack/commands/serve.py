"""`dtrack serve`: run the web application under uvicorn (one process or several workers)."""
from __future__ import annotations

import os
from datetime import date

import click

from dtrack.commands.shared import App, as_of_option, pass_app, say


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (use PostgreSQL for more than one).")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Database URL (as `dtrack --db URL serve`); default: DTRACK_DATABASE_URL or sqlite:///dtrack.db.")
@as_of_option
@pass_app
def serve(app: App, host: str, port: int, workers: int, db_url: str | None, as_of: date | None) -> None:
    """Run the web application (uvicorn). Log in with an account set up by `dtrack users invite`.

    For production run it behind a reverse proxy that terminates HTTPS (and set
    DTRACK_SECURE_COOKIES=yes), on PostgreSQL, with several workers.
    """
    import logging
    from functools import partial

    from dtrack.web import asgi, serving
    from dtrack.web.prelogin import new_secret

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if db_url:
        app.db_url = db_url  # read before any setting is: the one URL for the whole command
    settings = app.settings()
    db = app.database()  # refuses a database `dtrack init` has not prepared, before any worker starts
    click.echo(say("serving", host=host, port=port, url=db.display_url, workers=workers))
    if not os.environ.get("DTRACK_BASE_URL", "").strip():
        # Links in mail, feeds and invitations use the setting, never the request's Host header (which a
        # stranger chooses: a reset link must not point at their server), so an unset one is said at once.
        click.echo(say("serve_base_url_unset", url=settings.base_url), err=True)
    db.dispose()  # each worker opens its own pool (asgi.create_app)
    # Every worker builds its app from these settings, this day and one login-form secret, handed to it
    # with uvicorn's config.
    factory = partial(asgi.create_app, settings, as_of=as_of, secret=settings.web_secret or new_secret())
    serving.run(factory, host=host, port=port, workers=workers)
