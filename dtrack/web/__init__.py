"""The web application: a thin front end like cli.py (parse the request, call one core function, render)."""
