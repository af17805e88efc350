"""The FastAPI application factory: wire stores, knowledge, Rasa and the channels."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta
from functools import partial

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from rasa_sdk.executor import ActionExecutor
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.actions import build_actions
from bot.actions.api import router as actions_router
from cairn.db import Database, make_engine
from cairn.errors import CairnError
from cairn.logs import quiet_access_log
from cairn.settings import ROOT, Settings
from channels.background import Background, resume_forever
from channels.delivery import Delivery
from channels.identity import conversation_id
from channels.live import LocalHub, RedisHub
from channels.outbox import OutboxWorker, Sender
from channels.rasa_client import RasaClient
from channels.ratelimit import RateLimits
from channels.retention import purge
from channels.router import Router
from channels.telegram.api import router as telegram_router
from channels.telegram.client import TelegramSender, make_bot
from channels.twilio.api import router as twilio_router
from channels.twilio.client import TwilioSender
from channels.web.api import router as web_router
from escalation.assist_api import router as assist_router
from escalation.availability import waiting_message
from escalation.console import NotSignedIn
from escalation.console import router as console_router
from escalation.replies import OUTAGE_LINES
from escalation.risk_training import ensure_model
from followup.scheduler import FollowUpScheduler
from insight.dashboard import router as insight_router
from insight.notes_api import router as notes_router
from insight.relay import InsightRelay
from insight.themes import ThemeMapper
from knowledge.api import router as knowledge_router
from knowledge.embedding import RecentVectors
from knowledge.factory import open_directory, open_resolver, open_retriever
from knowledge.rephrase import Rephraser, load_model
from knowledge.scope import BEYOND_VECTORS, BeyondExamples
from knowledge.service import KnowledgeService

log = logging.getLogger("cairn")
MAX_BODY_BYTES = 64 * 1024
UNAVAILABLE = "Cairn is having trouble right now. Please try again in a minute."
# Every error a young person can meet carries the support lines (JSON `support` and `detail`).
SUPPORT = {"support": OUTAGE_LINES}
# Rasa posts the whole tracker and domain with every action call.
MAX_ACTION_BODY_BYTES = 8 * 1024 * 1024


def create_app(settings: Settings) -> FastAPI:
    """Build the app; stores and models load in the lifespan, once per process."""
    settings.check_secrets()
    quiet_access_log()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        insight_db = Database(settings.insight_database_url)
        retriever = await to_thread.run_sync(open_retriever, settings)
        await to_thread.run_sync(retriever.warm)
        rephraser = Rephraser(load_model(settings.llm_model)) if settings.llm_rephrase else None
        beyond = await to_thread.run_sync(
            lambda: BeyondExamples(retriever.embedder, cache=settings.models / BEYOND_VECTORS)
        )
        knowledge = KnowledgeService(
            retriever,
            rephraser,
            quick_min=settings.quick_answer_min_score,
            follow_up_min=settings.follow_up_min_score,
            beyond=beyond,
        )
        executor = ActionExecutor()
        resolver = open_resolver(settings)
        directory = open_directory(settings)
        vectors = RecentVectors()
        for action in build_actions(
            answerer=knowledge, resolver=resolver, directory=directory, vectors=vectors
        ):
            executor.register_action(action)
        rasa = RasaClient(settings.rasa_url, timeout_s=settings.rasa_timeout_s)
        app.state.redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        app.state.db, app.state.insight_db = db, insight_db
        app.state.resolver, app.state.directory = resolver, directory
        app.state.knowledge, app.state.action_executor, app.state.rasa = knowledge, executor, rasa
        opt_out_id = partial(_opt_out_id, settings.secret_key.get_secret_value())
        senders: dict[str, Sender] = {}
        if settings.twilio_enabled:
            senders["sms"] = TwilioSender(
                account_sid=settings.twilio_account_sid,
                auth_token=settings.twilio_auth_token.get_secret_value(),
                from_number=settings.twilio_from_number,
                base_url=settings.twilio_api_base_url,
            )
        app.state.telegram_bot = None
        if settings.telegram_enabled:
            app.state.telegram_bot = make_bot(
                settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url
            )
            senders["telegram"] = TelegramSender(app.state.telegram_bot)
        worker = OutboxWorker(db=db, senders=senders, opt_out_id=opt_out_id)
        app.state.delivery = Delivery(db=db, worker=worker)
        app.state.opt_out_id = opt_out_id
        worker_task = asyncio.create_task(worker.run()) if senders else None
        app.state.hub = RedisHub(app.state.redis) if app.state.redis is not None else LocalHub()
        tracker_engine = make_engine(settings.rasa_tracker_db_url)
        themes = await to_thread.run_sync(ThemeMapper, retriever.embedder)
        relay = InsightRelay(
            db=db,
            insight_db=insight_db,
            theme=themes.theme,
            min_conversations=settings.insight_phrase_min_conversations,
        )
        app.state.themes = themes
        relay_task = asyncio.create_task(relay.run())
        purge_task = asyncio.create_task(
            _purge_forever(db, tracker_engine, settings.retention_days)
        )
        app.state.router = Router(
            db=db,
            rasa=rasa,
            resolver=resolver,
            hub=app.state.hub,
            risk=await to_thread.run_sync(ensure_model, settings.models, retriever.embedder),
            tracker_engine=tracker_engine,
            waiting=partial(
                waiting_message,
                hours_spec=settings.adviser_hours,
                typical_wait_minutes=settings.adviser_typical_wait_minutes,
            ),
            secret=settings.secret_key.get_secret_value(),
            embedder=retriever.embedder,
            vectors=vectors,
            on_outbox=worker.notify,
            claim_lease=timedelta(seconds=settings.resume_after_s),
        )
        follow_ups = FollowUpScheduler(db=db, opt_out_id=opt_out_id, on_outbox=worker.notify)
        follow_ups.start()
        app.state.background = Background()
        conversation_router: Router = app.state.router
        app.state.limits = RateLimits(
            settings.rate_limit,
            settings.redis_url,
            assess=lambda text: to_thread.run_sync(conversation_router.assess, text),
        )
        resume_task = asyncio.create_task(
            resume_forever(
                app.state.router,
                after=timedelta(seconds=settings.resume_after_s),
                every_s=min(10.0, settings.resume_after_s),
            )
        )
        for channel, on in settings.channel_status().items():
            log.info("channel %s: %s", channel, "on" if on else "off (credentials unset)")
        log.info("knowledge: %d chunks loaded", retriever.size)
        yield
        follow_ups.shutdown()
        await app.state.background.close()
        for task in (purge_task, relay_task, resume_task):
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        tracker_engine.dispose()
        if worker_task is not None:
            worker_task.cancel()
            with suppress(asyncio.CancelledError):
                await worker_task
        await rasa.close()
        if app.state.redis is not None:
            await app.state.redis.aclose()
        db.dispose()
        insight_db.dispose()

    app = FastAPI(title="Cairn", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="cairn_console",
        max_age=8 * 3600,
        same_site="strict",
        https_only=settings.public_base_url.startswith("https://"),
    )
    app.add_middleware(SecurityHeaders, hsts=settings.public_base_url.startswith("https://"))
    app.include_router(web_router)
    app.include_router(knowledge_router)
    app.include_router(actions_router)
    app.include_router(twilio_router)
    app.include_router(telegram_router)
    app.include_router(console_router)
    app.include_router(assist_router)
    app.include_router(insight_router)
    app.include_router(notes_router)
    for prefix, folder in STATIC.items():
        app.mount(prefix, StaticFiles(directory=ROOT / folder), name=prefix.strip("/"))

    @app.get("/healthz", tags=["ops"])
    async def healthz(request: Request) -> JSONResponse:
        """200 only when the api, its stores and the Rasa server are ready."""
        state = request.app.state
        checks = {
            "database": await to_thread.run_sync(state.db.ping),
            "insight_database": await to_thread.run_sync(state.insight_db.ping),
            "knowledge": state.knowledge.retriever.size > 0,
            "rasa": await state.rasa.ready(),
        }
        if state.redis is not None:
            checks["redis"] = await _redis_ok(state.redis)
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503
        )

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _: NotSignedIn) -> Response:
        if request.method == "GET" and "text/event-stream" not in request.headers.get("accept", ""):
            return RedirectResponse("/adviser/login", status_code=303)
        return JSONResponse({"detail": "sign in first"}, status_code=401)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse({"detail": "internal error", **SUPPORT}, status_code=500)

    @app.exception_handler(OperationalError)
    @app.exception_handler(RedisError)
    async def store_down(_: Request, exc: Exception) -> JSONResponse:
        # A database or Redis outage refuses new work cleanly (a provider retries a webhook
        # that did not get 2xx) and the replica recovers by itself when the store is back.
        log.warning("a store is unavailable: %s", exc)
        return JSONResponse(
            {"detail": UNAVAILABLE, **SUPPORT},
            status_code=503,
            headers={"Retry-After": "30"},
        )

    @app.exception_handler(CairnError)
    async def cairn_error(_: Request, exc: CairnError) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    return app


PURGE_EVERY_S = 6 * 3600


async def _purge_forever(db: Database, tracker_engine: Engine, retention_days: int) -> None:
    """Delete expired conversations now and every few hours while the service runs."""
    while True:
        try:

            def run() -> int:
                with db.session() as session:
                    return purge(
                        session=session,
                        tracker_engine=tracker_engine,
                        now=datetime.now(UTC),
                        retention_days=retention_days,
                    )

            deleted = await to_thread.run_sync(run)
            if deleted:
                log.info("retention: deleted %d conversations", deleted)
        except Exception:  # a failed pass is retried at the next one
            log.exception("retention purge failed")
        await asyncio.sleep(PURGE_EVERY_S)


def _opt_out_id(secret: str, channel: str, address: str) -> str:
    """Opt-outs are kept by the same keyed hash as conversations, never by number."""
    return conversation_id(secret=secret, channel=channel, address=address)


async def _redis_ok(redis: Redis) -> bool:
    try:
        return bool(await redis.ping())
    except RedisError:
        return False


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


# Static files, the one kind of response a browser may cache.
STATIC = {
    "/console-static": "escalation/static",
    "/insight-static": "insight/static",
    "/static": "channels/web/static",
}
STATIC_PREFIXES = tuple(f"{prefix}/" for prefix in STATIC)


class SecurityHeaders:
    """CSP without unsafe-inline, no framing, no sniffing, no referrer; HSTS behind TLS.

    Everything but static files is `no-store`: transcripts and case pages must not stay in a
    shared computer's browser cache, nor come back with the back button after signing out.
    """

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        dynamic = not scope["path"].startswith(STATIC_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *self.headers]
                if dynamic and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413 before anything reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_ACTION_BODY_BYTES if scope["path"] == "/actions/webhook" else self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b'{"detail":"request body too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
