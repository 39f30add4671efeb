"""`dtrack scheduler`: the reminder sweep and the daily digest on a schedule, one leader per database."""
from __future__ import annotations

from datetime import date

import click

from dtrack.commands.shared import App, as_of_option, pass_app


@click.command()
@click.option("--interval-seconds", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between sweeps (default: DTRACK_SWEEP_INTERVAL_MINUTES x 60).")
@as_of_option
@pass_app
def scheduler(app: App, interval_seconds: float | None, as_of: date | None) -> None:
    """Run the reminder sweep and the daily digest on a schedule until Ctrl-C.

    Only one scheduler acts per database (a leader lock); start a second
    one as a standby and it takes over within one interval if the first
    dies. Each sweep is logged in one line.
    """
    import logging
    import signal
    import threading

    from dtrack.usecases import scheduler as runner

    settings = app.settings()
    db = app.database()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runner.run(db, settings, stop, as_of=as_of, interval_seconds=interval_seconds)
