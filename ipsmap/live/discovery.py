"""Finding a live session on the room's network: zeroconf adverts of ``_ipsmap._tcp``.

The host advertises one session on one chosen interface address (``advertise`` or, inside an
event loop, ``advertise_async``); a joining laptop lists what it hears (``browse``, or a
``Browser`` that reports sessions as they come and go, for the Join dialog).

An advert is read by everyone on the Wi-Fi and can be sent by anyone on it, so everything read
from the network is checked here, at the boundary, before anything else sees it: text decoded
strictly and cut to a length, the fingerprint exactly 64 hex digits, the port in range, the
address parsed with ``ipaddress``. A malformed advert is dropped with a logged reason, never
an exception. The advert proves nothing about who sent it: the join code and the certificate
fingerprint (checked when connecting) do that.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import ifaddr
from zeroconf import (
    BadTypeInNameException,
    EventLoopBlocked,
    InterfaceChoice,
    IPVersion,
    NonUniqueNameException,
    ServiceInfo,
    ServiceStateChange,
    Zeroconf,
)
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from ipsmap import __version__
from ipsmap.live import security
from ipsmap.live.security import SecurityError

logger = logging.getLogger(__name__)

SERVICE_TYPE = "_ipsmap._tcp.local."
# The version of the live protocol a host speaks; the Join dialog greys out other versions.
PROTOCOL_VERSION = 1

MAX_TITLE_CHARS = 80
# A TXT string holds at most 255 bytes, "title=" included.
MAX_TITLE_BYTES = 240
MAX_NAME_CHARS = 63  # one DNS label
MAX_VERSION_CHARS = 32
MAX_PROTO = 9999
# A hostile network can advertise thousands of sessions; a room has a handful.
MAX_SESSIONS = 64
MAX_BROWSE_SECONDS = 60.0
RECORD_TTL_S = 120

_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_VERSION = re.compile(r"[0-9A-Za-z.+!_-]{1,32}")  # MAX_VERSION_CHARS
_PROTO = re.compile(r"[0-9]{1,4}")
# Bidirectional embeddings, overrides, isolates and marks: they can make a title read
# backwards or hide part of it ("Housing" shown, "gnisuoH" meant).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_NONCHARACTERS = frozenset("\ufffe\uffff\ufeff")


class DiscoveryError(Exception):
    """Advertising or browsing could not start; the message is one line for the user."""


class MalformedAdvert(ValueError):
    """An advert read from the network that is dropped; the message says why."""


@dataclass(frozen=True)
class FoundSession:
    """A session heard on the network, every field checked."""

    name: str  # the advert's instance name, for display (not the title)
    address: str  # an IPv4 or IPv6 address, as ipaddress prints it
    port: int
    title: str  # "" when the host keeps the project title out of the advert
    version: str  # the host's ipsmap version
    fingerprint: str  # SHA-256 of the host's TLS certificate, 64 lowercase hex digits
    proto: int

    @property
    def compatible(self) -> bool:
        """Whether this ipsmap speaks the host's live protocol."""
        return self.proto == PROTOCOL_VERSION

    @property
    def label(self) -> str:
        """What the Join dialog shows: the title (or the instance name) and the address."""
        return f"{self.title or self.name} — {self.host_port}"

    @property
    def host_port(self) -> str:
        """``address:port``, with an IPv6 address in brackets."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class InterfaceAddress:
    """One IPv4 address of this computer the host can offer a session on."""

    name: str  # the interface's name as the system shows it ("Wi-Fi", "eth0")
    address: str
    prefix: int

    @property
    def is_loopback(self) -> bool:
        return ipaddress.IPv4Address(self.address).is_loopback

    @property
    def label(self) -> str:
        return f"{self.name} ({self.address})"


# -- this computer's addresses --------------------------------------------------------------


def interface_addresses(include_loopback: bool = False) -> list[InterfaceAddress]:
    """This computer's IPv4 addresses, room-network addresses first, for the host to choose.

    Private addresses (a venue's Wi-Fi, a laptop's hotspot) come first, then the others, then
    link-local ones (169.254.x.x: no DHCP server answered); loopback only when asked (tests,
    a host and a joiner on one machine).
    """
    found: dict[str, InterfaceAddress] = {}
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not ip.is_IPv4 or not isinstance(ip.ip, str):
                continue
            try:
                parsed = ipaddress.IPv4Address(ip.ip)
            except ValueError:
                continue
            if parsed.is_loopback and not include_loopback:
                continue
            if parsed.is_unspecified or parsed.is_multicast:
                continue
            name = _one_line(str(adapter.nice_name or adapter.name))[:MAX_NAME_CHARS] or "network"
            found.setdefault(str(parsed), InterfaceAddress(name, str(parsed), ip.network_prefix))
    return sorted(found.values(), key=_interface_order)


def _interface_order(item: InterfaceAddress) -> tuple[int, tuple[int, ...]]:
    parsed = ipaddress.IPv4Address(item.address)
    if parsed.is_loopback:
        rank = 3
    elif parsed.is_link_local:
        rank = 2
    elif parsed.is_private:
        rank = 0
    else:
        rank = 1
    return rank, tuple(parsed.packed)


# -- what goes into an advert ----------------------------------------------------------------


def clean_title(text: str) -> str:
    """A project title fit for an advert and a list: one line, no controls, length-limited."""
    cleaned = _one_line(text)
    if len(cleaned) > MAX_TITLE_CHARS:
        cleaned = cleaned[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    while len(cleaned.encode("utf-8")) > MAX_TITLE_BYTES:
        cleaned = cleaned[:-2].rstrip() + "…"
    return cleaned


def _one_line(text: str) -> str:
    """``text`` with line breaks and tabs as spaces and invisible controls removed."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace():
            kept.append(" ")
        elif category in ("Cc", "Cs") or char in _BIDI_CONTROLS or char in _NONCHARACTERS:
            continue
        else:
            kept.append(char)
    return " ".join("".join(kept).split())


def normalise_fingerprint(value: str | bytes) -> str:
    """A certificate's SHA-256 fingerprint as 64 lowercase hex digits.

    Accepts the 32 digest bytes, 64 hex digits, or the colon-separated form browsers show.
    """
    if isinstance(value, bytes):
        if len(value) != 32:
            raise DiscoveryError(f"a SHA-256 fingerprint has 32 bytes, not {len(value)}")
        return value.hex()
    try:
        return security.normalise_fingerprint(value)  # the one rule for typed fingerprints
    except SecurityError as exc:
        raise DiscoveryError(str(exc)) from None


def advert_properties(
    title: str,
    fingerprint: str | bytes,
    *,
    advertise_title: bool = True,
    proto: int = PROTOCOL_VERSION,
) -> dict[str, str]:
    """The TXT record of an advert: title (unless kept out), version, fp, proto."""
    if isinstance(proto, bool) or not isinstance(proto, int) or not 1 <= proto <= MAX_PROTO:
        raise DiscoveryError(f"the protocol version must be a whole number from 1 to {MAX_PROTO}")
    properties = {}
    if advertise_title:
        properties["title"] = clean_title(title)
    properties["version"] = __version__
    properties["fp"] = normalise_fingerprint(fingerprint)
    properties["proto"] = str(proto)
    return properties


def _service_info(
    address: str,
    port: int,
    title: str,
    fingerprint: str | bytes,
    advertise_title: bool,
    proto: int,
) -> ServiceInfo:
    chosen = _check_own_address(address)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise DiscoveryError(f"the port must be a whole number from 1 to 65535, not {port!r}")
    properties = advert_properties(title, fingerprint, advertise_title=advertise_title, proto=proto)
    # A random instance and host name: the computer's own name ("Rowans-MacBook") and the
    # project title stay out of the records everyone on the Wi-Fi can read.
    label = f"ipsmap-{secrets.token_hex(4)}"
    return ServiceInfo(
        SERVICE_TYPE,
        f"{label}.{SERVICE_TYPE}",
        port=port,
        properties=properties,
        server=f"{label}.local.",
        addresses=[chosen.packed],
        # Two minutes for every record (zeroconf keeps the pointer and TXT 75 minutes): a
        # host whose laptop died without a goodbye leaves the Join lists within ~2 minutes.
        host_ttl=RECORD_TTL_S,
        other_ttl=RECORD_TTL_S,
    )


def _ipv4(address: str) -> ipaddress.IPv4Address:
    try:
        parsed = ipaddress.ip_address(str(address).strip())
    except ValueError:
        raise DiscoveryError(f"{address!r} is not an IP address") from None
    if not isinstance(parsed, ipaddress.IPv4Address):
        raise DiscoveryError(f"sessions are found on an IPv4 address, not {parsed}")
    return parsed


def _check_own_address(address: str) -> ipaddress.IPv4Address:
    parsed = _ipv4(address)
    own = {item.address for item in interface_addresses(include_loopback=True)}
    if str(parsed) not in own:
        raise DiscoveryError(f"{parsed} is not an address of this computer")
    return parsed


# -- advertising -----------------------------------------------------------------------------


class _AdvertFields:
    """What an advert says, for the host's panel and the tests."""

    info: ServiceInfo

    @property
    def name(self) -> str:
        """The instance name on the network (zeroconf may have renamed it on a clash)."""
        return self.info.name.removesuffix("." + SERVICE_TYPE)

    @property
    def address(self) -> str:
        return self.info.parsed_addresses()[0]

    @property
    def port(self) -> int:
        return int(self.info.port or 0)

    @property
    def properties(self) -> dict[str, str]:
        decoded = self.info.decoded_properties
        return {key: value or "" for key, value in decoded.items()}


class Advert(_AdvertFields):
    """A session being advertised (from ``advertise``); ``close`` withdraws it."""

    def __init__(self, zeroconf: Zeroconf, info: ServiceInfo) -> None:
        self._zeroconf = zeroconf
        self.info = info
        self.closed = False

    def close(self) -> None:
        """Say goodbye on the network (browsers drop the session at once) and stop."""
        if self.closed:
            return
        self.closed = True
        try:
            self._zeroconf.unregister_service(self.info)
        except (EventLoopBlocked, OSError) as error:
            logger.warning("the advert could not say goodbye: %s", error)
        finally:
            self._zeroconf.close()

    def __enter__(self) -> Advert:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAdvert(_AdvertFields):
    """A session being advertised from an event loop (from ``advertise_async``)."""

    def __init__(self, zeroconf: AsyncZeroconf, info: ServiceInfo) -> None:
        self._zeroconf = zeroconf
        self.info = info
        self.closed = False

    async def aclose(self) -> None:
        """Say goodbye on the network and stop."""
        if self.closed:
            return
        self.closed = True
        try:
            await (await self._zeroconf.async_unregister_service(self.info))
        except OSError as error:
            logger.warning("the advert could not say goodbye: %s", error)
        finally:
            await self._zeroconf.async_close()

    async def __aenter__(self) -> AsyncAdvert:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def advertise(
    address: str,
    port: int,
    title: str,
    fingerprint: str | bytes,
    *,
    advertise_title: bool = True,
    proto: int = PROTOCOL_VERSION,
) -> Advert:
    """Advertise a session on one of this computer's addresses; blocks ~2 s while it probes.

    Safe from any thread (zeroconf runs in a thread of its own); inside an event loop prefer
    ``await advertise_async(...)``, which does not block the loop.
    """
    info = _service_info(address, port, title, fingerprint, advertise_title, proto)
    zeroconf = _open(
        lambda: Zeroconf(interfaces=[str(info.parsed_addresses()[0])], use_asyncio=False)
    )
    try:
        zeroconf.register_service(info, allow_name_change=True)
    except (EventLoopBlocked, NonUniqueNameException, OSError) as error:
        zeroconf.close()
        raise DiscoveryError(f"could not advertise the session: {error}") from None
    return Advert(zeroconf, info)


async def advertise_async(
    address: str,
    port: int,
    title: str,
    fingerprint: str | bytes,
    *,
    advertise_title: bool = True,
    proto: int = PROTOCOL_VERSION,
) -> AsyncAdvert:
    """``advertise`` for code running in an asyncio event loop (qasync, anyio on asyncio)."""
    info = _service_info(address, port, title, fingerprint, advertise_title, proto)
    zeroconf = _open(lambda: AsyncZeroconf(interfaces=[info.parsed_addresses()[0]]))
    try:
        await (await zeroconf.async_register_service(info, allow_name_change=True))
    except (NonUniqueNameException, OSError) as error:
        await zeroconf.async_close()
        raise DiscoveryError(f"could not advertise the session: {error}") from None
    return AsyncAdvert(zeroconf, info)


def _open(make: Callable[[], Any]) -> Any:
    try:
        return make()
    except OSError as error:
        raise DiscoveryError(f"the network cannot be used for finding sessions: {error}") from None


# -- reading an advert -----------------------------------------------------------------------


def parse_advert(
    name: str,
    properties: Mapping[Any, Any],
    addresses: Iterable[Any],
    port: Any,
) -> FoundSession:
    """A ``FoundSession`` from an advert's raw parts; ``MalformedAdvert`` says what is wrong.

    ``properties`` is the TXT record as zeroconf hands it over (bytes keys and values, a value
    ``None`` for a key without "="), ``addresses`` the packed addresses.
    """
    instance = _instance_name(name)
    txt = _txt_fields(properties)
    fingerprint = txt.get("fp")
    if fingerprint is None:
        raise MalformedAdvert("no certificate fingerprint (fp)")
    if not _FINGERPRINT.fullmatch(fingerprint.lower()):
        raise MalformedAdvert("the fingerprint (fp) is not 64 hex digits")
    proto_text = txt.get("proto")
    if proto_text is None or not _PROTO.fullmatch(proto_text) or int(proto_text) < 1:
        raise MalformedAdvert(f"the protocol version (proto) is not 1 to {MAX_PROTO}")
    version = txt.get("version")
    if version is None or not _VERSION.fullmatch(version):
        raise MalformedAdvert("the ipsmap version (version) is missing or not a version")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise MalformedAdvert(f"the port {port!r} is not 1 to 65535")
    return FoundSession(
        name=instance,
        address=str(_usable_address(addresses)),
        port=port,
        title=clean_title(txt.get("title") or ""),
        version=version,
        fingerprint=fingerprint.lower(),
        proto=int(proto_text),
    )


def _instance_name(name: Any) -> str:
    suffix = "." + SERVICE_TYPE
    if not isinstance(name, str) or not name.endswith(suffix):
        raise MalformedAdvert("the name is not an ipsmap session's")
    instance = _one_line(name[: -len(suffix)])[:MAX_NAME_CHARS]
    if not instance:
        raise MalformedAdvert("the name is empty")
    return instance


def _txt_fields(properties: Mapping[Any, Any]) -> dict[str, str]:
    """The TXT keys we read, decoded strictly; RFC 6763: keys ignore case, the first wins."""
    fields: dict[str, str] = {}
    for raw_key, raw_value in properties.items():
        if not isinstance(raw_key, bytes):
            raise MalformedAdvert("a TXT key is not bytes")
        try:
            key = raw_key.decode("ascii").lower()
        except UnicodeDecodeError:
            continue  # a key that is not ASCII is not one of ours
        if key not in ("title", "version", "fp", "proto") or key in fields or raw_value is None:
            continue
        if not isinstance(raw_value, bytes):
            raise MalformedAdvert(f"the TXT value {key} is not bytes")
        try:
            fields[key] = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedAdvert(f"the TXT value {key} is not UTF-8 text") from None
    return fields


def _usable_address(addresses: Iterable[Any]) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The first address a joiner can connect to, IPv4 preferred."""
    usable: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for packed in addresses:
        if not isinstance(packed, bytes) or len(packed) not in (4, 16):
            continue
        parsed = ipaddress.ip_address(packed)
        if parsed.is_unspecified or parsed.is_multicast:
            continue
        if isinstance(parsed, ipaddress.IPv4Address) and parsed == ipaddress.IPv4Address(
            "255.255.255.255"
        ):
            continue
        # A link-local IPv6 address needs the interface it was heard on, which a URL lacks.
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.is_link_local:
            continue
        usable.append(parsed)
    if not usable:
        raise MalformedAdvert("no address a joiner could connect to")
    usable.sort(key=lambda a: a.version)
    return usable[0]


def session_from_info(info: ServiceInfo) -> FoundSession | None:
    """The session a resolved advert describes, or None (reason logged) when it is malformed."""
    try:
        return parse_advert(
            info.name, info.properties, info.addresses_by_version(IPVersion.All), info.port
        )
    except MalformedAdvert as error:
        _log_dropped(info.name, str(error))
        return None


_LOGGED: set[tuple[str, str]] = set()


def _log_dropped(name: object, reason: str) -> None:
    # A hostile or broken device repeats its advert every few seconds: say so once.
    key = (repr(name)[:120], reason)
    if key in _LOGGED:
        return
    if len(_LOGGED) > 256:
        _LOGGED.clear()
    _LOGGED.add(key)
    logger.warning("ignored a session advert %s: %s", key[0], reason)


# -- browsing --------------------------------------------------------------------------------

OnFound = Callable[[FoundSession], None]
OnLost = Callable[[FoundSession], None]


def _ignore(session: FoundSession) -> None:
    return None


class Browser:
    """Reports sessions as they appear, change and go, from inside a running event loop.

    ``on_found`` is called with each new or changed session, ``on_lost`` with one that said
    goodbye or turned malformed; both run in the event loop's thread (the Qt thread under
    qasync), so a dialog can update itself directly.
    """

    def __init__(self, interface: str | None = None, resolve_timeout_s: float = 3.0) -> None:
        """``interface``: listen on that IPv4 address only (None: on every interface)."""
        self._interface = None if interface is None else str(_ipv4(interface))
        self._resolve_timeout_ms = int(resolve_timeout_s * 1000)
        self._zeroconf: AsyncZeroconf | None = None
        self._browser: AsyncServiceBrowser | None = None
        self._found: dict[str, FoundSession] = {}
        self._resolving: dict[str, asyncio.Task[None]] = {}
        self._on_found: OnFound = _ignore
        self._on_lost: OnLost = _ignore

    @property
    def sessions(self) -> list[FoundSession]:
        """The sessions heard so far and not lost, by title then address."""
        return sorted(self._found.values(), key=lambda s: (s.title.casefold(), s.host_port))

    async def start(self, on_found: OnFound = _ignore, on_lost: OnLost = _ignore) -> None:
        """Start listening; call from the event loop that should run the callbacks."""
        if self._zeroconf is not None:
            raise DiscoveryError("this browser is already running")
        self._on_found, self._on_lost = on_found, on_lost
        interfaces = InterfaceChoice.All if self._interface is None else [self._interface]
        self._zeroconf = _open(
            lambda: AsyncZeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
        )
        self._browser = AsyncServiceBrowser(
            self._zeroconf.zeroconf, SERVICE_TYPE, handlers=[self._on_change]
        )

    async def stop(self) -> None:
        """Stop listening; no callback runs after this returns."""
        self._on_found = self._on_lost = _ignore
        for task in self._resolving.values():
            task.cancel()
        self._resolving.clear()
        if self._browser is not None:
            await self._browser.async_cancel()
            self._browser = None
        if self._zeroconf is not None:
            await self._zeroconf.async_close()
            self._zeroconf = None

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _on_change(
        self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Removed:
            pending = self._resolving.pop(name, None)
            if pending is not None:
                pending.cancel()
            self._lose(name)
            return
        if name not in self._found and len(self._found) + len(self._resolving) >= MAX_SESSIONS:
            _log_dropped(name, f"more than {MAX_SESSIONS} sessions on this network")
            return
        previous = self._resolving.pop(name, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.get_running_loop().create_task(self._resolve(name))
        self._resolving[name] = task
        task.add_done_callback(lambda done: self._forget_task(name, done))

    def _forget_task(self, name: str, task: asyncio.Task[None]) -> None:
        if self._resolving.get(name) is task:
            del self._resolving[name]

    async def _resolve(self, name: str) -> None:
        if self._zeroconf is None:
            return
        try:
            info = AsyncServiceInfo(SERVICE_TYPE, name)
        except BadTypeInNameException:
            _log_dropped(name, "the name is not an ipsmap session's")
            return
        if not await info.async_request(self._zeroconf.zeroconf, self._resolve_timeout_ms):
            _log_dropped(name, "it did not answer with its address and details")
            return
        session = session_from_info(info)
        if session is None:
            self._lose(name)
        elif self._found.get(name) != session:
            self._found[name] = session
            _call(self._on_found, session)

    def _lose(self, name: str) -> None:
        session = self._found.pop(name, None)
        if session is not None:
            _call(self._on_lost, session)


def _call(callback: Callable[[FoundSession], None], session: FoundSession) -> None:
    # A failing callback (a closed dialog) must not stop the browser hearing other sessions.
    try:
        callback(session)
    except Exception:
        logger.exception("a session-list callback failed")


async def browse_async(timeout_s: float = 3.0, interface: str | None = None) -> list[FoundSession]:
    """The sessions heard within ``timeout_s`` seconds, by title then address."""
    _check_timeout(timeout_s)
    browser = Browser(interface, resolve_timeout_s=min(timeout_s, 3.0))
    await browser.start()
    try:
        await asyncio.sleep(timeout_s)
    finally:
        await browser.stop()
    return browser.sessions


def browse(timeout_s: float = 3.0, interface: str | None = None) -> list[FoundSession]:
    """``browse_async`` for code without an event loop (the CLI, tests); blocks ``timeout_s``.

    It runs in a thread of its own, so it also works from a thread whose loop is running.
    """
    _check_timeout(timeout_s)
    Browser(interface)  # refuses a bad interface here, in the caller's thread
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ipsmap-browse") as pool:
        return pool.submit(asyncio.run, browse_async(timeout_s, interface)).result()


def _check_timeout(timeout_s: float) -> None:
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float):
        raise DiscoveryError("the browsing time must be a number of seconds")
    if not 0 < timeout_s <= MAX_BROWSE_SECONDS:
        raise DiscoveryError(
            f"the browsing time must be above 0 and at most {MAX_BROWSE_SECONDS:g} s"
        )
