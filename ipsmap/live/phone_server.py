"""The phone page and its small JSON API, served over HTTPS by the host (issue 15).

aiohttp's server (a maintained HTTP/1.1 implementation, already asyncio: it runs on the
host's own loop, which the window drives under qasync, with no thread and no signal
handlers of its own) on a second port, with the session's own certificate. Everything is
under ``/p/KEY/`` (phones.phone_key); any other path gets a 404 page saying to scan the QR
code again. Every response carries strict headers: a Content-Security-Policy allowing only
this host's own scripts, styles and requests, no framing, no caching, no sniffing, no
referrer. The page, its script and style ship in ``resources/phone/``; vis-network comes
from the pyvis package, as the HTML export reads it. Nothing comes from anywhere else.

The API (JSON in and out; a refusal is ``{"error": "one line"}`` with a 4xx status):

- ``GET  api/welcome``: title, groups, shared maps, and who this phone is (if joined);
- ``POST api/join``: ``{"nickname", "group", "consent"}`` → sets the phone's token cookie;
- ``GET  api/ideas`` / ``POST api/ideas`` ``{"map", "label", "note"}``: the phone's ideas;
- ``POST api/comments`` ``{"map", "on", "item", "text"}``: a comment on a factor or link
  (``on`` "factor" or "link"), kept as an idea; answers the phone's ideas;
- ``GET  api/map?map=ID&since=V``: a shared map's factors and links (public names only),
  or ``{"unchanged": true}`` if nothing changed since version V (the page polls);
- ``GET  api/marks?map=ID`` / ``POST api/marks`` ``{"map", "factor", "kind", "value"}``: the
  phone's own marks and votes on a shared map (the records "Collect marks…" keeps);
- ``GET  api/switches``: what phones may do now (the page polls it; phone_switches.py);
- ``POST api/forget``: expires the token cookie (HttpOnly: the page's script cannot), so a
  removed phone can join again as someone new.

A refusal the page acts on carries ``"reason"``: ``"removed"`` or ``"off"`` (a switch).

A request that changes anything must be ``application/json`` and carry the token cookie
(``HttpOnly; Secure; SameSite=Strict``, path ``/p/KEY/``), so another site cannot make a
phone's browser send one. Bodies are limited to ``MAX_BODY`` bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hmac
import json
import ssl
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from aiohttp import web

from ipsmap.live.phones import Phone, PhoneDesk, PhoneError

MAX_BODY = 16 * 1024  # a 2,000-character note in UTF-8 and JSON escapes fits with room
COOKIE = "ipsmap_phone"
COOKIE_DAYS = 1
VIS_DIR = "vis-9.1.2"  # the vis-network build pyvis ships (export/html_map.py reads it too)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
NOT_HERE = (
    "<!doctype html><html lang=en><meta charset=utf-8>"
    "<meta name=viewport content='width=device-width, initial-scale=1'>"
    "<title>ipsmap</title><h1>This page is not here</h1>"
    "<p>Scan the QR code on the facilitator's screen again, or type the address it shows."
)
_STATIC = {
    "": ("index.html", "text/html"),
    "phone.js": ("phone.js", "text/javascript"),
    "phone.css": ("phone.css", "text/css"),
}


def _page_file(name: str) -> bytes:
    return (resources.files("ipsmap.resources") / "phone" / name).read_bytes()


def _vis_file(name: str) -> bytes:
    return (resources.files("pyvis") / "lib" / VIS_DIR / name).read_bytes()


class PhoneServer:
    """The HTTPS server for phones; ``start`` on the host's loop, ``stop`` with the host."""

    def __init__(
        self,
        desk: PhoneDesk,
        key: str,
        *,
        certificate_context: ssl.SSLContext,
        interface: str,
        port: int = 0,
    ) -> None:
        self.desk = desk
        self.key = key
        self.interface = interface
        self.port = port
        self._context = certificate_context
        self._runner: web.AppRunner | None = None
        self._files: dict[str, tuple[bytes, str]] = {}
        self._compressed: dict[str, bytes] = {}
        self.closed = False

    @property
    def prefix(self) -> str:
        return f"/p/{self.key}/"

    def url(self, host: str | None = None) -> str:
        """The phone page's address (the URL the QR code holds)."""
        host = host or self.interface
        host = f"[{host}]" if ":" in host else host
        return f"https://{host}:{self.port}{self.prefix}"

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._guard])
        app.router.add_route("*", "/{tail:.*}", self._route)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.interface, self.port, ssl_context=self._context)
        try:
            await site.start()
        except BaseException:  # e.g. the port is taken: nothing left half-started
            runner, self._runner = self._runner, None
            await runner.cleanup()
            raise
        self.port = self._runner.addresses[0][1]  # the port chosen when 0 was asked for

    def close(self) -> None:
        """Answer no more requests, at once (the project is being let go); the sockets
        close when the loop gets to it (``stop`` waits for them)."""
        if not self.closed:
            self.desk.close()
        self.closed = True
        if self._runner is not None:
            with contextlib.suppress(RuntimeError):  # no running loop: stop() does it
                asyncio.get_running_loop().create_task(self.stop())

    async def stop(self) -> None:
        if not self.closed:
            self.desk.close()
        self.closed = True
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # -- every request -----------------------------------------------------------------

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            response = await handler(request)
        except PhoneError as exc:
            answer = {"error": str(exc)}
            if exc.reason:
                answer["reason"] = exc.reason
            response = web.json_response(answer, status=exc.status)
        except web.HTTPRequestEntityTooLarge:
            response = web.json_response(
                {"error": "That is too long to send: make it shorter."}, status=413
            )
        except web.HTTPException as exc:
            response = web.Response(status=exc.status, text=exc.reason)
        response.headers.update(SECURITY_HEADERS)
        response.headers["Server"] = "ipsmap"  # not which server library, nor its version
        return response

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if self.closed:
            return web.Response(status=503, text="The session has ended.\n")
        if not self._has_key(path):
            return web.Response(status=404, text=NOT_HERE, content_type="text/html")
        rest = path[len(self.prefix) :]
        if rest in _STATIC or rest in ("vis-network.min.js", "vis-network.css"):
            if request.method != "GET":
                raise web.HTTPMethodNotAllowed(request.method, ["GET"])
            body, kind = self._file(rest)
            response = web.Response(content_type=kind, charset="utf-8")
            # Compressed once, kept: vis-network is 690 KB plain, about a fifth gzipped,
            # which is most of what a phone waits for on a busy room's Wi-Fi.
            if "gzip" in request.headers.get("Accept-Encoding", ""):
                response.body = self._gzipped(rest, body)
                response.headers["Content-Encoding"] = "gzip"
            else:
                response.body = body
            response.headers["Vary"] = "Accept-Encoding"
            return response
        api = {
            ("GET", "api/welcome"): self._welcome,
            ("POST", "api/join"): self._join,
            ("GET", "api/ideas"): self._ideas,
            ("POST", "api/ideas"): self._suggest,
            ("POST", "api/comments"): self._comment,
            ("GET", "api/map"): self._map,
            ("GET", "api/marks"): self._marks,
            ("POST", "api/marks"): self._mark,
            ("GET", "api/switches"): self._switches,
            ("POST", "api/forget"): self._forget,
        }.get((request.method, rest))
        if api is None:
            raise PhoneError("There is nothing here.", 404)
        return await api(request)

    def _has_key(self, path: str) -> bool:
        if not path.startswith("/p/"):
            return False
        given = path[3:].split("/", 1)[0]
        return hmac.compare_digest(given.encode(), self.key.encode()) and path.startswith(
            self.prefix
        )

    def _file(self, name: str) -> tuple[bytes, str]:
        if name not in self._files:
            if name.startswith("vis-network"):
                kind = "text/javascript" if name.endswith(".js") else "text/css"
                self._files[name] = (_vis_file(name), kind)
            else:
                file_name, kind = _STATIC[name]
                self._files[name] = (_page_file(file_name), kind)
        return self._files[name]

    def _gzipped(self, name: str, body: bytes) -> bytes:
        if name not in self._compressed:
            self._compressed[name] = gzip.compress(body, compresslevel=6, mtime=0)
        return self._compressed[name]

    # -- the API -----------------------------------------------------------------------

    def _phone(self, request: web.Request) -> Phone:
        phone = self.desk.phone_for(request.cookies.get(COOKIE))
        if phone is None:
            raise PhoneError("Join first: reload the page.", 401)
        return phone

    async def _body(self, request: web.Request) -> Any:
        if request.content_type != "application/json":
            raise PhoneError("The page sent something unreadable: reload it.", 415)
        try:
            return json.loads(await request.text())
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise PhoneError("The page sent something unreadable: reload it.") from None

    async def _welcome(self, request: web.Request) -> web.StreamResponse:
        phone = self.desk.phone_for(request.cookies.get(COOKIE))
        return web.json_response(self.desk.welcome(phone))

    async def _join(self, request: web.Request) -> web.StreamResponse:
        token, welcome = self.desk.join(await self._body(request))
        response = web.json_response(welcome)
        self._set_token(response, token, max_age=COOKIE_DAYS * 86400)
        return response

    def _set_token(self, response: web.StreamResponse, token: str, **lifetime: Any) -> None:
        """The token cookie, for this page's path only, never readable by script."""
        response.set_cookie(
            COOKIE, token, path=self.prefix, secure=True, httponly=True, samesite="Strict",
            **lifetime,
        )  # fmt: skip

    async def _ideas(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"ideas": self.desk.my_ideas(self._phone(request))})

    async def _suggest(self, request: web.Request) -> web.StreamResponse:
        phone = self._phone(request)
        return web.json_response(self.desk.suggest(phone, await self._body(request)))

    async def _comment(self, request: web.Request) -> web.StreamResponse:
        phone = self._phone(request)
        return web.json_response(self.desk.comment(phone, await self._body(request)))

    async def _map(self, request: web.Request) -> web.StreamResponse:
        self._phone(request)
        query = request.query
        return web.json_response(self.desk.map_view(query.get("map"), query.get("since")))

    async def _marks(self, request: web.Request) -> web.StreamResponse:
        phone = self._phone(request)
        return web.json_response(self.desk.my_marks(phone, request.query.get("map")))

    async def _mark(self, request: web.Request) -> web.StreamResponse:
        phone = self._phone(request)
        return web.json_response(self.desk.mark(phone, await self._body(request)))

    # -- what phones may do; a removed phone starting afresh -------------------------------

    async def _switches(self, request: web.Request) -> web.StreamResponse:
        self._phone(request)  # also what tells the facilitator this phone is still here
        return web.json_response(self.desk.switches_view())

    async def _forget(self, request: web.Request) -> web.StreamResponse:
        """Expire this phone's token cookie (JSON only, as every request that changes
        anything): what the page offers after "removed", to join as someone new."""
        await self._body(request)
        response = web.json_response({"forgotten": True})
        self._set_token(response, "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT")
        return response
