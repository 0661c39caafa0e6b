"""Start the service: check the settings and rules in this process, say how it is reachable, hand over to uvicorn."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import engine
from engine import Diagnostic, Span, UsageError

from .access import ENV_FILE, is_loopback

try:
    from .app import ENV_CORS, ENV_MAX_BODY, ENV_PROPOSALS, ENV_TIMEOUT, Settings, create_app
except ImportError as missing:  # the optional extra `serve` is not installed
    _MISSING: ImportError | None = missing
else:
    _MISSING = None

LIMIT_CONCURRENCY = 200  # open requests per worker; beyond it uvicorn answers 503 at once
GRACEFUL_SECONDS = 30  # on SIGTERM: in-flight requests (a recording) get this long to finish


def configure(*, rules: Path | None, register: str | None, tokens: Path | None, cors: str | None,
              max_body: int | None, timeout: float | None, proposals: Path | None = None) -> "Settings":
    """Put the options in the environment (every worker process reads its settings from there) and read them back."""
    for name, value in (("KADER_RULES", rules and str(Path(rules).resolve())), ("KADER_REGISTER", register),
                        (ENV_FILE, tokens and str(Path(tokens).resolve())), (ENV_CORS, cors),
                        (ENV_MAX_BODY, max_body and str(max_body)), (ENV_TIMEOUT, timeout and str(timeout)),
                        (ENV_PROPOSALS, proposals and str(Path(proposals).resolve()))):
        if value:
            os.environ[name] = value
    return Settings.from_environ()


def serve(*, host: str, port: int, workers: int, rules: Path | None = None, register: str | None = None,
          tokens: Path | None = None, cors: str | None = None, max_body: int | None = None,
          timeout: float | None = None, proposals: Path | None = None) -> None:
    if _MISSING is not None:
        raise UsageError(Diagnostic("E969", f"kader serve heeft de extra `serve` nodig ({_MISSING.name} ontbreekt)",
                                    Span("kader serve", 1, 1), hint='pip install -e ".[serve]"'))
    import uvicorn

    settings = configure(rules=rules, register=register, tokens=tokens, cors=cors, max_body=max_body, timeout=timeout,
                         proposals=proposals)
    if settings.proposals is not None and not settings.proposals.is_dir():
        raise UsageError(Diagnostic("E985", f"de voorstellenmap {settings.proposals} bestaat niet of is geen map",
                                    Span("--proposals", 1, 1)))
    if settings.tokens is None and not is_loopback(host):
        raise UsageError(Diagnostic(
            "E968", f"zonder tokens luistert kader serve alleen op deze machine (127.0.0.1 of ::1), niet op {host}",
            Span("--host", 1, 1), hint=f"geef --tokens BESTAND of zet ${ENV_FILE} of $KADER_TOKEN_ASSESSOR enz."))
    framework = engine.load_framework(settings.rules)  # rule errors now, located, before any worker starts
    shown = f"[{host}]" if ":" in host else host
    print(f"kader serve: http://{shown}:{port}  ({workers} werkproces{'sen' if workers != 1 else ''}, "
          f"regels {framework.version} {framework.short_hash}, OpenAPI op /openapi.json)", file=sys.stderr)
    if settings.tokens is None:
        print("kader serve: geen tokens ingesteld: alleen bereikbaar vanaf deze machine, en iedereen op deze machine "
              "mag alles (beoordelen, vastleggen, auditen)", file=sys.stderr)
    else:
        counts = ", ".join(f"{role} {n}" for role, n in settings.tokens.roles().items())
        print(f"kader serve: toegang met tokens ({counts})", file=sys.stderr)
    print(f"kader serve: verzoeken ten hoogste {settings.max_body} bytes en {settings.timeout:g} s; "
          + (f"CORS voor {', '.join(settings.cors)}" if settings.cors else "geen CORS"), file=sys.stderr)
    if settings.proposals is not None:
        print(f"kader serve: POST /impact vergelijkt met de voorstellen in {settings.proposals}", file=sys.stderr)
    sys.stderr.flush()
    options = dict(host=host, port=port, access_log=False, log_level="warning", proxy_headers=False, server_header=False,
                   limit_concurrency=LIMIT_CONCURRENCY, timeout_graceful_shutdown=GRACEFUL_SECONDS)
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
    else:
        from .workers import supervise
        raise SystemExit(supervise(workers, host, port, options))
