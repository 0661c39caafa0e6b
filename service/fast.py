"""The short way for `POST /assess` (without `record`): plain ASGI in front of the FastAPI application.

A request for an assessment is most of what a case-management system sends, and the engine's own work is about
a millisecond; FastAPI's request object, routing, dependency resolution and exception middleware cost a third
of that again. So this wrapper answers `POST /assess` itself, with the same checks in the same order as the
FastAPI route (token, query parameters, body size and time, the one engine thread, the same job and the same
problem details) and sends the engine's bytes as they are. Everything else, including `POST /assess?record=true`,
any request when CORS is configured, and lifespan events, goes to the FastAPI application unchanged; the route
stays registered there, so the OpenAPI description is the same.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable
from urllib.parse import parse_qsl

from engine import RuleEngineError

from . import work
from .app import (
    JSON,
    PROBLEM,
    YAML_TYPES,
    Disconnected,
    Refusal,
    authorise,
    check_query,
    engine_error_parts,
    internal_parts,
    problem_parts,
)

_SECURITY = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]
_JSON, _PROBLEM = JSON.encode(), PROBLEM.encode()  # the content types, encoded once per worker


class FastAssess:
    """ASGI application: `POST /assess` without recording answered here, the rest by `app`."""

    def __init__(self, app: Any, *, settings: Any, core: Any, job: Callable, allowed: tuple[str, ...]):
        self.app = app
        self.settings = settings
        self.core = core
        self.job = job
        self.allowed = allowed
        self.enabled = not settings.cors  # with CORS the middleware must see every request

    @property
    def state(self):
        return self.app.state

    def openapi(self) -> dict:
        return self.app.openapi()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if not (self.enabled and scope["type"] == "http" and scope["path"] == "/assess" and scope["method"] == "POST"):
            await self.app(scope, receive, send)
            return
        raw_query = scope.get("query_string", b"")
        pairs = parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True) if raw_query else []
        if any(name == "record" and value in ("true", "1") for name, value in pairs):
            await self.app(scope, receive, send)  # a recording: the FastAPI route, rarely and never in a hurry
            return
        try:
            status, body, headers, kind = await self._answer(scope, pairs, receive)
        except Disconnected:
            return
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-length", str(len(body)).encode("ascii")), (b"content-type", kind)]
                    + _SECURITY + [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()
                                   if k not in ("cache-control", "x-content-type-options")]})
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, scope: dict, pairs: list[tuple[str, str]], receive: Callable):
        settings = self.settings
        path = scope["path"]
        try:
            authorization = length = content_type = None
            for name, value in scope["headers"]:
                if name == b"authorization" and authorization is None:
                    authorization = value.decode("latin-1")
                elif name == b"content-length" and length is None:
                    length = value.decode("latin-1")
                elif name == b"content-type" and content_type is None:
                    content_type = value.decode("latin-1")
            client = scope.get("client")
            authorise(authorization or "", client[0] if client else "", settings.tokens, "assess")
            query = check_query(pairs, self.allowed)
            body = await read_body(receive, length, content_type, settings)
            payload = await self.core.run(self.job, query, body, timeout=settings.timeout)
        except Refusal as exc:
            data, headers = problem_parts(path, exc.status, exc.kind, exc.title, exc.detail, exc.diagnostics,
                                          exc.headers)
            return exc.status, data, headers, _PROBLEM
        except RuleEngineError as exc:
            status, data, headers = engine_error_parts(path, exc)
            return status, data, headers, _PROBLEM
        except TimeoutError:
            data, headers = problem_parts(path, 503, "timeout", "tijdslimiet overschreden",
                                          f"de beoordeling duurde langer dan {settings.timeout:g} s",
                                          headers={"retry-after": "1"})
            return 503, data, headers, _PROBLEM
        except Disconnected:
            raise
        except Exception as exc:  # a bug in kader, never the client's input: no trace in the response
            data, headers = internal_parts(scope["method"], path, exc)
            return 500, data, headers, _PROBLEM
        return 200, payload, {}, _JSON


async def read_body(receive: Callable, length: str | None, content_type: str | None, settings: Any) -> work.Body:
    """The request body within the size and time limits (413, 408), as the FastAPI routes read it."""
    if length is not None and (not length.isdigit() or int(length) > settings.max_body):
        raise Refusal(413, "too-large", "verzoek te groot", f"ten hoogste {settings.max_body} bytes")
    chunks = []
    size = 0
    try:
        async with asyncio.timeout(settings.timeout):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise Disconnected()
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > settings.max_body:
                    raise Refusal(413, "too-large", "verzoek te groot", f"ten hoogste {settings.max_body} bytes")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
    except TimeoutError:
        raise Refusal(408, "timeout", "verzoek te traag",
                      f"de casus kwam niet binnen {settings.timeout:g} s binnen") from None
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return work.Body(b"".join(chunks), kind in YAML_TYPES)
