"""Security headers on every response, whatever produced it (pages, static files, errors)."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
       "form-action 'self'; base-uri 'none'")

# A report opened in the browser (web.downloads): its own inline styles and pictures, and nothing else;
# `sandbox` makes it a unique origin that runs no script and submits no form.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'"

HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
_NAMES = {name for name, _ in HEADERS}


class SecurityHeaders:
    """Plain ASGI middleware: adds the headers to the response start, nothing else (it is on the hot path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                headers = [(k, v) for k, v in given if k.lower() not in _NAMES]
                # A response may replace the policy only with a sandboxed one (REPORT_CSP: no script, no form).
                sandboxed = [(k, v) for k, v in given if k.lower() == b"content-security-policy" and b"sandbox" in v]
                message["headers"] = headers + sandboxed + [h for h in HEADERS if not (
                    sandboxed and h[0] == b"content-security-policy")]
            await send(message)

        await self.app(scope, receive, send_with_headers)
