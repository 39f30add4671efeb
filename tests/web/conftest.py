"""The web tests' fixtures: a site driven in-process over HTTP, and a real server driven by Chromium.

`site` and `cheap_hashing` (autouse: small argon2 costs, same algorithm) come
from http_support.py; `web_site`, `new_page` and `screens` from browser_support.py, where
they are documented (`chromium`, one per worker, from the root conftest).
"""
from tests.web.http_support import cheap_hashing, site  # noqa: F401 - fixtures
