"""Request bodies are counted while they stream: a route's limit holds with or without Content-Length.

`BodyLimit` is a plain ASGI middleware. It puts a `Budget` in the scope and
wraps `receive`, so every byte any part of the application reads is counted
against the budget's limit, whatever reads it (Starlette's `request.stream()`,
a multipart parser). Past the limit the read raises `BodyTooLarge` (an
HTTPException 413); a declared Content-Length above the limit is refused
before a byte is read. A route raises its own limit with `limit_body` before
it reads; a route that never says keeps the small default.

It also closes the connection after any answer given while the request's
body is still unread (a refusal before reading: an anonymous POST, a bad CSRF
token, a body too large): otherwise the server would go on receiving, and
throwing away, whatever the client keeps sending on a keep-alive connection.
"""
from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCOPE_KEY = "dtrack.body"
DEFAULT_LIMIT = 64 * 1024  # a route that did not say how much it takes: no form of dtrack is larger


class BodyTooLarge(HTTPException):
    """The body passed the route's limit (raised from `receive`, so from whatever was reading)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


@dataclass
class Budget:
    """One request's body: how much may come, how much came, whether all of it came."""

    limit: int
    declared: int | None  # Content-Length, None when chunked
    received: int = 0
    complete: bool = False

    def check(self) -> None:
        if self.received > self.limit or (self.declared is not None and self.declared > self.limit):
            raise BodyTooLarge(self.limit)


def _declared_length(scope: Scope) -> tuple[int | None, bool]:
    """(Content-Length or None, whether the request has a body at all)."""
    length: int | None = None
    chunked = False
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.isdigit():
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    return (None if chunked else length), chunked or bool(length)


def limit_body(request: Request, limit: int) -> None:
    """Let this request's body be up to `limit` bytes; BodyTooLarge at once if it says it is longer."""
    budget: Budget | None = request.scope.get(SCOPE_KEY)
    if budget is None:  # the app run without the middleware (never in dtrack): nothing to count with
        return
    budget.limit = limit
    budget.check()


def body_complete(request: Request) -> bool:
    """Whether the whole body has been received (a request without a body: yes)."""
    budget: Budget | None = request.scope.get(SCOPE_KEY)
    return budget is None or budget.complete


class BodyLimit:
    """The ASGI middleware: counts body bytes against the scope's budget; closes a connection left unread."""

    def __init__(self, app: ASGIApp, default_limit: int = DEFAULT_LIMIT) -> None:
        self.app = app
        self.default_limit = default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, has_body = _declared_length(scope)
        budget = Budget(self.default_limit, declared, complete=not has_body)
        scope[SCOPE_KEY] = budget

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                budget.received += len(message.get("body", b""))
                if not message.get("more_body", False):
                    budget.complete = True
                budget.check()
            return message

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and not budget.complete:
                # Answered before the body was read: the rest is not wanted, nor is this connection.
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
                message["headers"] = headers + [(b"connection", b"close")]
            await send(message)

        await self.app(scope, counted_receive, send_closing)
