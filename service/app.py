"""`kader serve`: the framework as an HTTP service (FastAPI on uvicorn), one engine per worker process.

durable-rules is not thread-safe. Each worker process loads the framework once and owns one engine thread
(`EngineThread`, a one-thread executor): every call into the engine, from loading the rules to assessing,
recording and auditing, runs on that thread, one request after the other; the event loop only reads bodies,
checks tokens and writes responses. So no request ever reaches the engine from two threads, and the loop
can still answer (a time limit, /health) while an assessment runs.

Errors: anything a client can send that kader refuses is a 4xx with RFC 9457 problem details
(`application/problem+json`) carrying the same located diagnostics as the command line (`body:3:7:
error[E519]: ...`); a register that cannot be reached is a 503; a bug in kader is a 500 without any trace
in the response (the traceback goes to the server's stderr).
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import logging
import os
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import engine
from engine import Diagnostic, RuleEngineError, RuleFileError, Span, UsageError

from . import contracts, work
from .access import PERMISSIONS, Tokens, is_loopback, load_tokens

log = logging.getLogger("kader.serve")

JSON = "application/json"
PROBLEM = "application/problem+json"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
DEFAULT_MAX_BODY = 2 * 1024 * 1024  # the same limit as for a case file
DEFAULT_TIMEOUT = 30.0
SECURITY_HEADERS = {"cache-control": "no-store", "x-content-type-options": "nosniff"}

ENV_MAX_BODY = "KADER_SERVE_MAX_BODY"
ENV_TIMEOUT = "KADER_SERVE_TIMEOUT"
ENV_CORS = "KADER_SERVE_CORS"
ENV_PROPOSALS = "KADER_SERVE_PROPOSALS"
ASSESS_QUERY = ("gemeente", "peildatum", "record", "assessor", "decision", "motivation")


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs; read from the environment, so every worker process reads the same."""

    rules: Path | None = None
    register: str | None = None
    tokens: Tokens | None = None
    max_body: int = DEFAULT_MAX_BODY
    timeout: float = DEFAULT_TIMEOUT
    cors: tuple[str, ...] = ()
    proposals: Path | None = None  # POST /impact: the folder whose subfolders are the proposals a client may name

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        problems = []

        def number(name: str, default, kind):
            text = environ.get(name)
            if not text:
                return default
            try:
                value = kind(text)
            except ValueError:
                value = None
            if value is None or value <= 0:
                problems.append(Diagnostic("E967", f"{name} moet een positief getal zijn, niet '{text[:40]}'",
                                           Span(f"${name}", 1, 1)))
                return default
            return value

        max_body = number(ENV_MAX_BODY, DEFAULT_MAX_BODY, int)
        timeout = number(ENV_TIMEOUT, DEFAULT_TIMEOUT, float)
        if problems:
            raise UsageError(problems)
        rules = environ.get("KADER_RULES")
        cors = tuple(o.strip() for o in (environ.get(ENV_CORS) or "").split(",") if o.strip())
        proposals = environ.get(ENV_PROPOSALS)
        return cls(Path(rules) if rules else None, environ.get("KADER_REGISTER") or None, load_tokens(environ=environ),
                   max_body, timeout, cors, Path(proposals) if proposals else None)


class EngineThread:
    """The worker's one thread that touches the engine; the framework is loaded on it too."""

    def __init__(self, rules: Path | None):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kader-engine")
        self.rules_root = Path(rules) if rules else engine.default_rules_dir()
        self.framework = self._pool.submit(engine.load_framework, rules).result()

    async def run(self, function: Callable, *args, timeout: float | None) -> Any:
        future = asyncio.get_running_loop().run_in_executor(self._pool, function, *args)
        if timeout is None:
            return await asyncio.shield(future)  # a recording is never cut off halfway (it is one transaction)
        return await asyncio.wait_for(future, timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)  # a running request (a recording) finishes before the worker exits


class Disconnected(Exception):
    """The client went away before its body was in: there is nobody to answer."""


class Refusal(Exception):
    """A request refused before it reached the engine: status and problem details."""

    def __init__(self, status: int, kind: str, title: str, detail: str, diagnostics: list[Diagnostic] = (),
                 headers: dict | None = None):
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.diagnostics = list(diagnostics)
        self.headers = headers or {}


def problem_parts(instance: str | None, status: int, kind: str, title: str, detail: str,
                  diagnostics: list[Diagnostic] = (), headers: dict | None = None) -> tuple[bytes, dict]:
    """RFC 9457 problem details as (body, headers); `errors` and `diagnostics` carry the command line's located
    diagnostics."""
    data: dict[str, Any] = {"type": f"urn:kader:problem:{kind}", "title": title, "status": status, "detail": detail}
    if instance is not None:
        data["instance"] = instance
    if diagnostics:
        data["errors"] = [d.to_json() for d in diagnostics]
        data["diagnostics"] = [str(d) for d in diagnostics]
    from engine import dumps
    return (dumps(data) + "\n").encode("utf-8"), {**SECURITY_HEADERS, **(headers or {})}


def problem(request: Request | None, status: int, kind: str, title: str, detail: str,
            diagnostics: list[Diagnostic] = (), headers: dict | None = None) -> Response:
    """RFC 9457 problem details; `errors` and `diagnostics` carry the command line's located diagnostics."""
    body, all_headers = problem_parts(request.url.path if request is not None else None, status, kind, title, detail,
                                      diagnostics, headers)
    return Response(body, status_code=status, media_type=PROBLEM, headers=all_headers)


def engine_error_parts(instance: str | None, exc: RuleEngineError) -> tuple[int, bytes, dict]:
    """What kader refused, as (status, problem body, headers): 503 for an unreachable register, else 422."""
    from engine.register import RecordingRefused, RegisterError
    count = len(exc.diagnostics)
    first = str(exc.diagnostics[0]) if exc.diagnostics else ""
    if isinstance(exc, RegisterError):
        return 503, *problem_parts(instance, 503, "register-unavailable", "het register is niet beschikbaar",
                                   first, exc.diagnostics)
    if isinstance(exc, RecordingRefused):
        kind, title = "recording-refused", "deze casus mag zo niet worden vastgelegd"
    elif isinstance(exc, RuleFileError):  # a proposal of POST /impact (the served rules loaded at start)
        kind, title = "invalid-proposal", "de regels van het voorstel kloppen niet"
    elif isinstance(exc, UsageError):
        kind, title = "invalid-request", "het verzoek klopt niet"
    elif isinstance(exc, engine.EvaluationError):
        kind, title = "evaluation-failed", "de casus kon niet worden beoordeeld"
    else:
        kind, title = "invalid-case", "de casus klopt niet"
    detail = first if count == 1 else f"{count} fouten gevonden; de eerste: {first}"
    return 422, *problem_parts(instance, 422, kind, title, detail, exc.diagnostics)


def _from_engine_error(request: Request, exc: RuleEngineError) -> Response:
    status, body, headers = engine_error_parts(request.url.path, exc)
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def internal_parts(method: str, path: str, exc: BaseException) -> tuple[bytes, dict]:
    """A bug in kader: the traceback to the server's stderr, a 500 without any trace to the client."""
    print(f"kader serve: interne fout bij {method} {path}:", file=sys.stderr)
    traceback.print_exception(exc, file=sys.stderr)
    return problem_parts(path, 500, "internal-error", "interne fout in kader",
                         "er ging iets mis in kader zelf, niet in uw verzoek; de beheerder vindt de details in het log")


def _internal(request: Request, exc: BaseException) -> Response:
    body, headers = internal_parts(request.method, request.url.path, exc)
    return Response(body, status_code=500, media_type=PROBLEM, headers=headers)


# --- the pieces every endpoint uses ------------------------------------------------------------------------------

def _authorise(request: Request, tokens: Tokens | None, permission: str) -> str | None:
    """The caller's role (None without access control); raises Refusal for 401 and 403."""
    return authorise(request.headers.get("authorization", ""), request.client.host if request.client else "",
                     tokens, permission)


def authorise(header: str, client: str, tokens: Tokens | None, permission: str) -> str | None:
    """The role of the caller with this Authorization header (None without access control); raises Refusal
    for 401 and 403."""
    if tokens is None:
        if not is_loopback(client):  # defence in depth: without tokens the server binds to loopback anyway
            raise Refusal(403, "forbidden", "geen toegang", "zonder tokens beantwoordt kader serve alleen verzoeken "
                          "van deze machine")
        return None
    scheme, _, presented = header.partition(" ")
    role = tokens.role(presented.strip()) if scheme.lower() == "bearer" and presented.strip() else None
    if role is None:
        raise Refusal(401, "unauthorized", "niet aangemeld", "geef een geldig token: Authorization: Bearer <token>",
                      headers={"www-authenticate": 'Bearer realm="kader"'})
    if role not in PERMISSIONS[permission]:
        allowed = ", ".join(sorted(PERMISSIONS[permission]))
        raise Refusal(403, "forbidden", "geen toegang", f"de rol {role} mag dit niet; dit mag: {allowed}")
    return role


def _query(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query parameters, each at most once and all known: a typo must not silently change an outcome."""
    return check_query(request.query_params.multi_items(), allowed)


def check_query(pairs: list[tuple[str, str]], allowed: tuple[str, ...]) -> dict[str, str]:
    """The query parameters (name, value) in order, each at most once and all known; raises UsageError."""
    problems = []
    counts: dict[str, int] = {}
    for name, _ in pairs:
        counts[name] = counts.get(name, 0) + 1
    for name, count in counts.items():
        if name not in allowed:
            problems.append(Diagnostic("E702", f"onbekende parameter '{name[:40]}'; toegestaan: "
                                       + (", ".join(allowed) or "geen"), Span(f"?{name[:40]}", 1, 1)))
        elif count > 1:
            problems.append(Diagnostic("E703", f"parameter '{name}' staat er meer dan eens", Span(f"?{name}", 1, 1)))
    if problems:
        raise UsageError(problems)
    return dict(pairs)


def _flag(query: dict[str, str], name: str) -> bool:
    value = query.get(name)
    if value is None:
        return False
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise UsageError(Diagnostic("E704", f"{name} is true of false, niet '{value[:40]}'", Span(f"?{name}", 1, 1)))


async def _body(request: Request, settings: Settings) -> work.Body:
    from .fast import read_body
    return await read_body(request.receive, request.headers.get("content-length"),
                           request.headers.get("content-type"), settings)


def _ok(payload: bytes, headers: dict | None = None) -> Response:
    return Response(payload, media_type=JSON, headers={**SECURITY_HEADERS, **(headers or {})})


# --- the application ---------------------------------------------------------------------------------------------

def create_app(settings: Settings | None = None):
    """The application of one worker process (uvicorn calls this in every worker: `--factory`): the FastAPI
    application behind the short way for `POST /assess` (`service.fast.FastAssess`)."""
    settings = settings or Settings.from_environ()
    core = EngineThread(settings.rules)
    framework = core.framework

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        core.close()

    app = FastAPI(title="kader", version=engine.__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Het uitvoeringskader sociaal domein van Baarn, Bunschoten en Soest als dienst: "
                              "dezelfde beoordeling als `kader assess --format json`, byte voor byte.")
    app.state.settings = settings
    app.state.engine = core
    if settings.cors:
        from starlette.middleware.cors import CORSMiddleware
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors), allow_methods=["GET", "POST"],
                           allow_headers=["authorization", "content-type"])

    async def handle(request: Request, permission: str, allowed: tuple[str, ...], job: Callable[[dict, Any], Any],
                     *, body: bool, timeout: bool = True) -> Response:
        try:
            _authorise(request, settings.tokens, permission)
            query = _query(request, allowed)
            payload = await _body(request, settings) if body else None
            result = await core.run(job, query, payload, timeout=settings.timeout if timeout else None)
        except Refusal as exc:
            return problem(request, exc.status, exc.kind, exc.title, exc.detail, exc.diagnostics, exc.headers)
        except RuleEngineError as exc:
            return _from_engine_error(request, exc)
        except Disconnected:  # the client went away before its body was in: nobody reads this
            return problem(request, 400, "disconnected", "verbinding verbroken", "de casus kwam niet helemaal binnen")
        except TimeoutError:
            return problem(request, 503, "timeout", "tijdslimiet overschreden",
                           f"de beoordeling duurde langer dan {settings.timeout:g} s", headers={"retry-after": "1"})
        except Exception as exc:  # a bug in kader, never the client's input: no trace in the response
            return _internal(request, exc)
        if isinstance(result, work.Recorded):
            return _ok(result.body, {"kader-record-seq": str(result.seq), "kader-record-hash": result.hash,
                                     "kader-case-key": result.case_key})
        return _ok(result)

    def context(query: dict) -> tuple[str | None, _dt.date | None]:
        return work.query_gemeente(framework, query.get("gemeente")), work.query_date("peildatum", query.get("peildatum"))

    problems = {code: {"model": contracts.Problem, "content": {PROBLEM: {}}, "description": text} for code, text in (
        (401, "geen of een onbekend token"), (403, "deze rol mag dit niet"), (413, "verzoek te groot"),
        (422, "de casus of het verzoek klopt niet: de gelokaliseerde meldingen van de opdrachtregel"),
        (503, "tijdslimiet overschreden of register niet beschikbaar"))}
    case_body = {"requestBody": {"required": True, "content": {
        JSON: {"schema": {"$ref": "#/components/schemas/CaseIn"}},
        "application/yaml": {"schema": {"$ref": "#/components/schemas/CaseIn"}}}}}
    gemeente_q = {"name": "gemeente", "in": "query", "required": False,
                  "schema": {"type": "string", "enum": sorted(framework.profiles)},
                  "description": "beoordeel alsof de casus in deze gemeente speelt"}
    peildatum_q = {"name": "peildatum", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
                   "description": "beoordeel op deze datum (JJJJ-MM-DD)"}

    def case_route(path: str, model, summary: str, extra_params: list[dict]):
        return app.post(path, summary=summary, responses={200: {"model": model, "description": summary}, **problems},
                        openapi_extra={**case_body, "parameters": [gemeente_q, peildatum_q, *extra_params]})

    record_params = [
        {"name": "record", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
         "description": "leg de beoordeling vast in het register (alleen de rol assessor), als `kader assess --record`"},
        {"name": "assessor", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 80},
         "description": "met record: wie beoordeelt (medewerkerskenmerk)"},
        {"name": "decision", "in": "query", "required": False, "schema": {"type": "string", "enum": ["volgt", "wijkt_af"]},
         "description": "met record: volgt het voorstel of wijkt_af"},
        {"name": "motivation", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 4000},
         "description": "met record: de reden; verplicht bij wijkt_af"},
    ]

    def assess_job(query, body):
        _flag(query, "record")
        from engine.register import recording_options
        recording_options(False, assessor=query.get("assessor"), decision=query.get("decision"),
                          motivation=query.get("motivation"), register=None, where="?record")
        gemeente, peildatum = context(query)
        return work.assess_bytes(framework, body, gemeente, peildatum)

    @case_route("/assess", contracts.AssessmentOut, "Beoordeel een casus (als kader assess --format json)", record_params)
    async def assess(request: Request) -> Response:
        record = request.query_params.get("record") in ("true", "1")
        if not record:
            return await handle(request, "assess", ASSESS_QUERY, assess_job, body=True)

        def record_job(query, body):
            from engine.register import recording_options
            options = recording_options(True, assessor=query.get("assessor"), decision=query.get("decision"),
                                        motivation=query.get("motivation"), register=None, where="?record")
            gemeente, peildatum = context(query)
            return work.record_bytes(framework, core.rules_root, body, options, register=settings.register,
                                     gemeente=gemeente, peildatum=peildatum,
                                     clock=lambda: _dt.datetime.now(_dt.timezone.utc))
        return await handle(request, "record", ASSESS_QUERY, record_job, body=True, timeout=False)

    @case_route("/explain", contracts.ExplanationOut, "Leg een beoordeling uit (als kader explain --format json)", [
        {"name": "hulpvraag", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "controleer dat de casus deze hulpvraag heeft"},
        {"name": "counterfactual", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
         "description": "met de kleinste verandering van één feit die een uitkomst omdraait"}])
    async def explain(request: Request) -> Response:
        def job(query, body):
            gemeente, peildatum = context(query)
            return work.explain_bytes(framework, body, gemeente, peildatum, query.get("hulpvraag"),
                                      _flag(query, "counterfactual"))
        return await handle(request, "assess", ("gemeente", "peildatum", "hulpvraag", "counterfactual"), job, body=True)

    @case_route("/questions", contracts.QuestionsOut, "Wat nog nodig is om te beslissen", [])
    async def questions(request: Request) -> Response:
        def job(query, body):
            gemeente, peildatum = context(query)
            return work.questions_bytes(framework, body, gemeente, peildatum)
        return await handle(request, "assess", ("gemeente", "peildatum"), job, body=True)

    @app.post("/impact", summary="Wat verandert er voor deze populatie met dit voorstel (als kader impact --format json)",
              responses={200: {"description": "het impactrapport van `kader impact --format json`"}, **problems},
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/x-ndjson": {"schema": {"type": "string", "description": "JSON Lines: één casus per regel"}},
                  JSON: {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/CaseIn"}}}}},
                  "parameters": [{"name": "proposal", "in": "query", "required": True, "schema": {"type": "string"},
                                  "description": "de naam van een voorstel: een map in de voorstellenmap van de dienst "
                                                 "(--proposals)"}]})
    async def impact(request: Request) -> Response:
        deadline = time.monotonic() + settings.timeout

        def job(query, body):
            return work.impact_bytes(framework, core.rules_root, settings.proposals, query.get("proposal"), body,
                                     deadline)
        return await handle(request, "impact", ("proposal",), job, body=True)

    static = {"facts": work.facts_bytes(framework), "framework": work.framework_bytes(framework)}
    from engine import case_schema
    static["schema"] = (json_text(case_schema(framework)) + "\n").encode("utf-8")  # as `kader schema case` prints it

    def read_route(path: str, model, summary: str, key: str):
        @app.get(path, summary=summary, responses={200: {"model": model, "description": summary},
                                                   **{c: problems[c] for c in (401, 403)}})
        async def endpoint(request: Request) -> Response:
            try:
                _authorise(request, settings.tokens, "read")
                _query(request, ())
            except Refusal as exc:
                return problem(request, exc.status, exc.kind, exc.title, exc.detail, exc.diagnostics, exc.headers)
            except RuleEngineError as exc:
                return _from_engine_error(request, exc)
            return _ok(static[key])
        return endpoint

    read_route("/facts", contracts.FactsOut, "De feiten die een casus kan geven", "facts")
    read_route("/framework", contracts.FrameworkOut, "Het kader: versie, hash, gemeenten, perioden", "framework")
    read_route("/schema/case", dict, "JSON Schema van de casus (casusmodel plus de feiten van het kader)", "schema")

    @app.get("/audit", summary="Controleer het register (als kader audit --format json)",
             responses={200: {"description": "het auditrapport"}, **problems},
             openapi_extra={"parameters": [
                 {"name": "since", "in": "query", "required": False, "schema": {"type": "string", "format": "date"}},
                 {"name": "gemeente", "in": "query", "required": False,
                  "schema": {"type": "string", "enum": sorted(framework.profiles)}}]})
    async def audit(request: Request) -> Response:
        def job(query, _body):
            return work.audit_bytes(settings.register, work.query_date("since", query.get("since")),
                                    work.query_gemeente(framework, query.get("gemeente")))
        return await handle(request, "audit", ("since", "gemeente"), job, body=False)

    health = (json_text({"status": "ok", "framework": framework.hash, "engine_version": engine.__version__})
              + "\n").encode("utf-8")

    @app.get("/health", summary="Leeft de dienst, en met welke regels", responses={200: {"model": contracts.HealthOut}})
    async def healthcheck() -> Response:
        return _ok(health)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "niet gevonden", 405: "methode niet toegestaan"}
        return problem(request, exc.status_code, "not-found" if exc.status_code == 404 else "http-error",
                       titles.get(exc.status_code, "verzoek geweigerd"), str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return problem(request, 422, "invalid-request", "het verzoek klopt niet", "ongeldig verzoek")

    @app.exception_handler(Exception)
    async def any_error(request: Request, exc: Exception) -> Response:
        return _internal(request, exc)

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            components = document.setdefault("components", {}).setdefault("schemas", {})
            case = contracts_case_schema(ref_template="#/components/schemas/{model}")
            components.update(case.pop("$defs", {}))
            components["CaseIn"] = case
            for operations in document["paths"].values():
                for operation in operations.values():
                    for code, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if code.isdigit() and int(code) >= 400 and "application/json" in content:
                            content[PROBLEM] = content.pop("application/json")  # problems are application/problem+json
            document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            document["security"] = [{"bearer": []}]
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi
    from .fast import FastAssess
    return FastAssess(app, settings=settings, core=core, job=assess_job, allowed=ASSESS_QUERY)


def contracts_case_schema(ref_template: str = "#/$defs/{model}") -> dict:
    """The JSON Schema of a case, from the engine's own case model (`engine.evaluation.case.CaseIn`)."""
    from engine import CaseIn
    return CaseIn.model_json_schema(ref_template=ref_template)


def json_text(data: Any) -> str:
    from engine import dumps
    return dumps(data)


def app_factory():
    """For uvicorn's `--factory` in every worker process: settings from the environment."""
    return create_app()


__all__ = ["EngineThread", "Settings", "app_factory", "create_app"]
