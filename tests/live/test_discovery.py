"""Finding a session on the network: adverts checked at the boundary, real zeroconf on loopback.

Multicast works in this sandbox on loopback and on eth0, so the network tests advertise and
browse for real (zeroconf bound to 127.0.0.1; one test also on this machine's first other
address). Each test's session is told apart from anything else on the network by a random
fingerprint.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
import subprocess
import sys
import time

import pytest
from zeroconf import ServiceInfo, Zeroconf
from zeroconf.asyncio import AsyncZeroconf
from zeroconf.const import _CLASS_IN, _TYPE_PTR, _TYPE_TXT

from ipsmap import __version__
from ipsmap.live import discovery
from ipsmap.live.discovery import (
    MAX_TITLE_BYTES,
    MAX_TITLE_CHARS,
    PROTOCOL_VERSION,
    SERVICE_TYPE,
    Browser,
    DiscoveryError,
    FoundSession,
    MalformedAdvert,
    advert_properties,
    advertise,
    advertise_async,
    browse,
    clean_title,
    interface_addresses,
    normalise_fingerprint,
    parse_advert,
    session_from_info,
)

LOOPBACK = "127.0.0.1"
FP = "0123456789abcdef" * 4
NAME = f"ipsmap-1a2b3c4d.{SERVICE_TYPE}"
GOOD_TXT = {b"title": b"Lambeth ToC", b"version": b"0.1.0", b"fp": FP.encode(), b"proto": b"1"}
LOCAL_V4 = ipaddress.IPv4Address("192.168.1.20").packed


def fresh_fingerprint() -> str:
    return secrets.token_hex(32)


def parse(txt=GOOD_TXT, addresses=(LOCAL_V4,), port=8765, name=NAME) -> FoundSession:
    return parse_advert(name, txt, addresses, port)


def with_txt(**changes: bytes | None) -> dict[bytes, bytes | None]:
    txt: dict[bytes, bytes | None] = dict(GOOD_TXT)
    for key, value in changes.items():
        if value is None:
            txt.pop(key.encode(), None)
        else:
            txt[key.encode()] = value
    return txt


# -- reading adverts: the boundary ----------------------------------------------------------


def test_a_good_advert_becomes_a_found_session():
    found = parse()
    assert found == FoundSession(
        name="ipsmap-1a2b3c4d",
        address="192.168.1.20",
        port=8765,
        title="Lambeth ToC",
        version="0.1.0",
        fingerprint=FP,
        proto=1,
    )
    assert found.compatible
    assert found.host_port == "192.168.1.20:8765"
    assert found.label == "Lambeth ToC — 192.168.1.20:8765"


@pytest.mark.parametrize(
    ("txt", "reason"),
    [
        (with_txt(fp=None), "no certificate fingerprint"),
        (with_txt(fp=b""), "64 hex"),
        (with_txt(fp=FP[:-1].encode()), "64 hex"),
        (with_txt(fp=(FP + "0").encode()), "64 hex"),
        (with_txt(fp=(FP[:-1] + "g").encode()), "64 hex"),
        (with_txt(fp=(FP[:-1] + "\n").encode()), "64 hex"),
        (with_txt(fp=("٠" * 64).encode()), "64 hex"),  # Arabic-Indic digits are digits too
        (with_txt(fp=b"\xff" * 64), "not UTF-8"),
        (with_txt(proto=None), "protocol version"),
        (with_txt(proto=b"0"), "protocol version"),
        (with_txt(proto=b"-1"), "protocol version"),
        (with_txt(proto=b"1e3"), "protocol version"),
        (with_txt(proto=b"99999"), "protocol version"),
        (with_txt(proto="１".encode()), "protocol version"),  # a fullwidth digit
        (with_txt(version=None), "version"),
        (with_txt(version=b"0.1.0; rm -rf"), "version"),
        (with_txt(version=b"1" * 33), "version"),
        (with_txt(title=b"Caf\xe9"), "not UTF-8"),  # Latin-1, not UTF-8
    ],
)
def test_a_malformed_txt_record_is_refused_with_its_reason(txt, reason):
    with pytest.raises(MalformedAdvert, match=reason):
        parse(txt)


@pytest.mark.parametrize("port", [0, -1, 65536, None, True, "8765", 8765.0])
def test_a_port_out_of_range_or_not_a_number_is_refused(port):
    with pytest.raises(MalformedAdvert, match="port"):
        parse(port=port)


@pytest.mark.parametrize(
    "addresses",
    [
        (),
        (b"\x01\x02\x03",),  # neither 4 nor 16 bytes
        (b"\x00" * 4,),  # 0.0.0.0
        (ipaddress.IPv4Address("224.0.0.251").packed,),  # multicast
        (b"\xff" * 4,),  # broadcast
        (ipaddress.IPv6Address("fe80::1").packed,),  # link-local: no interface in a URL
        (ipaddress.IPv6Address("ff02::fb").packed,),
        ("192.168.1.20",),  # text where packed bytes belong
    ],
)
def test_an_advert_without_a_usable_address_is_refused(addresses):
    with pytest.raises(MalformedAdvert, match="no address"):
        parse(addresses=addresses)


def test_ipv4_is_preferred_and_a_routable_ipv6_address_is_kept():
    v6 = ipaddress.IPv6Address("fd00::20").packed
    assert parse(addresses=(v6, b"\x00" * 4, LOCAL_V4)).address == "192.168.1.20"
    only_v6 = parse(addresses=(ipaddress.IPv6Address("fe80::1").packed, v6))
    assert only_v6.address == "fd00::20"
    assert only_v6.host_port == "[fd00::20]:8765"


@pytest.mark.parametrize("name", ["ipsmap-1._http._tcp.local.", "", f".{SERVICE_TYPE}", 42])
def test_a_name_of_another_service_or_empty_is_refused(name):
    with pytest.raises(MalformedAdvert, match="name"):
        parse(name=name)


def test_hostile_text_is_made_one_clean_line_and_cut_to_length():
    hostile = "Housing\x1b[31m\r\nmap\u202e\u2066 \x00 \ud800end\t\ufeff"
    assert parse(with_txt(title=b"")).title == ""
    assert parse(with_txt(title="Housing\x1b\u202emap".encode())).title == "Housingmap"
    assert clean_title(hostile) == "Housing[31m map end"
    long_title = parse(with_txt(title=("x" * 240).encode())).title
    assert len(long_title) == MAX_TITLE_CHARS and long_title.endswith("…")
    wide = clean_title("𝕏" * 70)  # 4 bytes a character: the byte limit bites first
    assert len(wide.encode()) <= MAX_TITLE_BYTES and wide.endswith("…")
    name = parse(name=f"evil\x07\u202ename{'n' * 80}.{SERVICE_TYPE}").name
    assert name.startswith("evilname") and len(name) == 63
    # Scripts and emoji that need joiners keep them: only controls and bidi marks go.
    assert clean_title("خانه\u200cها 👩\u200d👩\u200d👧") == "خانه\u200cها 👩\u200d👩\u200d👧"


def test_txt_keys_ignore_case_first_wins_and_strangers_are_ignored():
    txt = {
        b"FP": FP.encode(),
        b"fp": b"not this one",
        b"Version": b"0.2.0",
        b"proto": b"2",
        b"title": None,  # a key without "=": no title
        b"\xff\xfe": b"junk",
        b"extra": b"\x00\x01",
    }
    found = parse(txt)
    assert (found.fingerprint, found.version, found.proto, found.title) == (FP, "0.2.0", 2, "")
    assert not found.compatible
    assert parse(with_txt(fp=FP.upper().encode())).fingerprint == FP


def test_a_txt_record_with_text_where_bytes_belong_is_refused():
    with pytest.raises(MalformedAdvert):
        parse({"fp": FP})  # type: ignore[dict-item]
    with pytest.raises(MalformedAdvert):
        parse({b"fp": FP, b"version": b"1", b"proto": b"1"})  # type: ignore[dict-item]


def test_a_resolved_service_info_that_is_malformed_is_dropped_and_logged(caplog):
    name = f"ipsmap-{secrets.token_hex(4)}.{SERVICE_TYPE}"
    info = ServiceInfo(
        SERVICE_TYPE,
        name,
        port=8765,
        properties={"title": "x", "version": "0.1.0", "fp": "1234", "proto": "1"},
        addresses=[LOCAL_V4],
    )
    with caplog.at_level(logging.WARNING, logger="ipsmap.live.discovery"):
        assert session_from_info(info) is None
    assert "64 hex digits" in caplog.text and name.split(".")[0] in caplog.text


# -- what goes into an advert ----------------------------------------------------------------


def test_advert_properties_hold_title_version_fingerprint_and_protocol():
    props = advert_properties("Lambeth\nToC", bytes.fromhex(FP))
    assert props == {"title": "Lambeth ToC", "version": __version__, "fp": FP, "proto": "1"}
    assert "title" not in advert_properties("Secret title", FP, advertise_title=False)


def test_fingerprints_are_normalised_or_refused_in_one_line():
    colons = ":".join(FP[i : i + 2] for i in range(0, 64, 2)).upper()
    assert normalise_fingerprint(colons) == FP
    assert normalise_fingerprint(bytes.fromhex(FP)) == FP
    for bad in ["", FP[:-2], FP + "00", "z" * 64, b"\x00" * 31]:
        with pytest.raises(DiscoveryError) as caught:
            normalise_fingerprint(bad)
        assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("address", "port", "message"),
    [
        ("not an address", 8765, "not an IP address"),
        ("::1", 8765, "IPv4 address"),
        ("203.0.113.77", 8765, "not an address of this computer"),
        (LOOPBACK, 0, "port"),
        (LOOPBACK, 65536, "port"),
        (LOOPBACK, True, "port"),
    ],
)
def test_advertise_refuses_bad_input_before_touching_the_network(address, port, message):
    with pytest.raises(DiscoveryError, match=message):
        advertise(address, port, "t", FP)


def test_advertise_refuses_a_bad_fingerprint_or_protocol():
    with pytest.raises(DiscoveryError, match="64 hex"):
        advertise(LOOPBACK, 8765, "t", "abc")
    with pytest.raises(DiscoveryError, match="protocol"):
        advertise(LOOPBACK, 8765, "t", FP, proto=0)


@pytest.mark.parametrize(
    ("interface", "message"),
    [("nonsense", "not an IP address"), ("::1", "IPv4"), ("203.0.113.9", "cannot be used")],
)
def test_browse_refuses_an_interface_it_cannot_listen_on(interface, message):
    with pytest.raises(DiscoveryError, match=message):
        browse(0.5, interface)


@pytest.mark.parametrize("timeout", [0, -1, 61, True, "3"])
def test_browse_refuses_a_silly_timeout(timeout):
    with pytest.raises(DiscoveryError, match="browsing time"):
        browse(timeout)


def test_interface_addresses_lists_ipv4_and_keeps_loopback_out_unless_asked():
    everything = interface_addresses(include_loopback=True)
    assert LOOPBACK in [item.address for item in everything]
    room = interface_addresses()
    assert all(not item.is_loopback for item in room)
    assert {item.address for item in room} <= {item.address for item in everything}
    for item in everything:
        assert isinstance(ipaddress.ip_address(item.address), ipaddress.IPv4Address)
        assert item.name and item.address in item.label
    assert everything[-1].address == LOOPBACK  # loopback last, room networks first


# -- advertising and browsing for real -------------------------------------------------------


def mine(sessions: list[FoundSession], fingerprint: str) -> list[FoundSession]:
    return [s for s in sessions if s.fingerprint == fingerprint]


def test_an_advert_on_loopback_is_found_by_browse_with_its_details():
    fingerprint = fresh_fingerprint()
    with advertise(LOOPBACK, 8765, "Glasgow\x00 site\u202e", fingerprint) as advert:
        assert advert.address == LOOPBACK and advert.port == 8765
        assert advert.name.startswith("ipsmap-")
        found = mine(browse(2.5, LOOPBACK), fingerprint)
    assert advert.closed
    assert found == [
        FoundSession(advert.name, LOOPBACK, 8765, "Glasgow site", __version__, fingerprint, 1)
    ]


def test_a_session_advertised_without_its_title_shows_none_on_the_network():
    fingerprint = fresh_fingerprint()
    with advertise(LOOPBACK, 8766, "Families in Lambeth", fingerprint, advertise_title=False) as a:
        assert set(a.properties) == {"version", "fp", "proto"}
        with Zeroconf(interfaces=[LOOPBACK]) as listener:
            info = listener.get_service_info(SERVICE_TYPE, a.info.name, timeout=3000)
        assert info is not None
        raw = b"".join(k + (v or b"") for k, v in info.properties.items())
        assert b"Lambeth" not in raw and b"Families" not in raw
        assert b"Lambeth" not in info.name.encode() and b"Lambeth" not in info.server.encode()
        # Every record it sent lives two minutes, so a host that died leaves lists soon.
        records = [
            *listener.cache.get_all_by_details(SERVICE_TYPE, _TYPE_PTR, _CLASS_IN),
            *listener.cache.get_all_by_details(info.name, _TYPE_TXT, _CLASS_IN),
        ]
        assert records and all(r.ttl <= 120 for r in records)
        found = mine(browse(2.5, LOOPBACK), fingerprint)
    assert [s.title for s in found] == [""]


def test_hostile_adverts_on_the_network_are_dropped_and_the_good_one_kept(caplog):
    good_fp, bad_name = fresh_fingerprint(), f"ipsmap-bad{secrets.token_hex(3)}"
    hostile = ServiceInfo(
        SERVICE_TYPE,
        f"{bad_name}.{SERVICE_TYPE}",
        port=9999,
        properties={b"title": b"\xff\xfe", b"version": b"0.1.0", b"fp": good_fp.encode()},
        server=f"{bad_name}.local.",
        addresses=[ipaddress.IPv4Address(LOOPBACK).packed],
    )
    with Zeroconf(interfaces=[LOOPBACK]) as rogue:
        rogue.register_service(hostile)
        with (
            caplog.at_level(logging.WARNING, logger="ipsmap.live.discovery"),
            advertise(LOOPBACK, 8767, "Good", good_fp) as advert,
        ):
            found = mine(browse(2.5, LOOPBACK), good_fp)
        rogue.unregister_service(hostile)
    assert [s.name for s in found] == [advert.name]
    assert bad_name in caplog.text and "not UTF-8" in caplog.text


ADVERTISING_CHILD = """
import sys
from ipsmap.live.discovery import advertise
with advertise("127.0.0.1", int(sys.argv[1]), "From another process", sys.argv[2]) as advert:
    print(advert.name, flush=True)
    sys.stdin.read()  # until the test closes our input
"""


async def wait_for(condition, timeout_s: float = 8.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def test_a_browser_in_an_event_loop_sees_another_process_come_and_go():
    fingerprint = fresh_fingerprint()
    found: list[FoundSession] = []
    lost: list[FoundSession] = []

    async def scenario() -> str:
        async with Browser(LOOPBACK) as browser:
            await browser.start(
                lambda s: found.append(s) if s.fingerprint == fingerprint else None,
                lambda s: lost.append(s) if s.fingerprint == fingerprint else None,
            )
            child = subprocess.Popen(
                [sys.executable, "-c", ADVERTISING_CHILD, "8768", fingerprint],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                await wait_for(lambda: found)
                assert browser.sessions and found[0] in browser.sessions
                child.stdin.close()  # the child withdraws its advert and exits
                await wait_for(lambda: lost)
                assert found[0] not in browser.sessions
                return child.stdout.readline().strip()
            finally:
                child.stdin.close()
                assert child.wait(timeout=10) == 0

    name = asyncio.run(scenario())
    assert [s.name for s in found] == [name] and lost == found
    assert (found[0].title, found[0].port, found[0].address) == (
        "From another process",
        8768,
        LOOPBACK,
    )


def test_advertise_async_does_not_block_the_loop_and_is_found():
    fingerprint = fresh_fingerprint()
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.05)

    async def scenario() -> list[FoundSession]:
        beat = asyncio.create_task(ticker())
        async with await advertise_async(LOOPBACK, 8769, "Async host", fingerprint):
            # ~1.5 s of probing and announcing ran while the loop kept ticking.
            assert ticks >= 10
            sessions = mine(await discovery.browse_async(2.0, LOOPBACK), fingerprint)
        beat.cancel()
        return sessions

    sessions = asyncio.run(scenario())
    assert [(s.title, s.port, s.proto) for s in sessions] == [
        ("Async host", 8769, PROTOCOL_VERSION)
    ]


def test_an_advert_on_this_machines_room_address_is_found():
    room = interface_addresses()
    if not room:
        pytest.skip("this machine has no non-loopback IPv4 address")
    fingerprint = fresh_fingerprint()
    with advertise(room[0].address, 8770, "On the room's network", fingerprint):
        found = mine(browse(2.5, room[0].address), fingerprint)
    assert [s.address for s in found] == [room[0].address]


def raw_info(label: str, port: int, properties: dict[str, str]) -> ServiceInfo:
    """An advert made with zeroconf directly: what any device on the Wi-Fi can send."""
    return ServiceInfo(
        SERVICE_TYPE,
        f"{label}.{SERVICE_TYPE}",
        port=port,
        properties=properties,
        server=f"{label}.local.",
        addresses=[ipaddress.IPv4Address(LOOPBACK).packed],
    )


def test_a_changed_advert_is_reported_again_and_one_turned_malformed_is_lost():
    fingerprint, label = fresh_fingerprint(), f"ipsmap-{secrets.token_hex(4)}"
    txt = {"title": "Before", "version": "0.1.0", "fp": fingerprint, "proto": "1"}
    found: list[FoundSession] = []
    lost: list[FoundSession] = []

    async def scenario() -> None:
        async with AsyncZeroconf(interfaces=[LOOPBACK]) as other, Browser(LOOPBACK) as browser:
            # Only this test's advert is lost: others on the machine (another test's, a
            # session being hosted) come and go on the same network.
            await browser.start(
                found.append,
                lambda s: lost.append(s) if s.fingerprint == fingerprint else None,
            )
            info = raw_info(label, 8771, txt)
            await (await other.async_register_service(info))
            await wait_for(lambda: [s for s in found if s.fingerprint == fingerprint])
            await (
                await other.async_update_service(raw_info(label, 8771, {**txt, "title": "After"}))
            )
            await wait_for(lambda: any(s.title == "After" for s in found))
            await (await other.async_update_service(raw_info(label, 8771, {**txt, "fp": "0"})))
            await wait_for(lambda: lost)
            assert browser.sessions == [] or all(
                s.fingerprint != fingerprint for s in browser.sessions
            )

    asyncio.run(scenario())
    mine_found = [s.title for s in found if s.fingerprint == fingerprint]
    assert mine_found == ["Before", "After"]
    assert [s.title for s in lost] == ["After"]


def test_a_flood_of_adverts_is_capped(caplog):
    fingerprint, prefix = fresh_fingerprint(), f"flood{secrets.token_hex(3)}"
    count = discovery.MAX_SESSIONS + 16
    found: list[FoundSession] = []

    async def scenario() -> int:
        async with AsyncZeroconf(interfaces=[LOOPBACK]) as flooder:
            waits = await asyncio.gather(
                *(
                    flooder.async_register_service(
                        raw_info(
                            f"{prefix}-{i}",
                            9000 + i,
                            {"version": "0.1.0", "fp": fingerprint, "proto": "1"},
                        )
                    )
                    for i in range(count)
                )
            )
            await asyncio.gather(*waits)
            async with Browser(LOOPBACK) as browser:
                await browser.start(found.append)
                await asyncio.sleep(4.0)
                return len(browser.sessions)

    with caplog.at_level(logging.WARNING, logger="ipsmap.live.discovery"):
        heard = asyncio.run(scenario())
    assert heard <= discovery.MAX_SESSIONS
    assert len([s for s in found if s.fingerprint == fingerprint]) >= discovery.MAX_SESSIONS // 2
    assert f"more than {discovery.MAX_SESSIONS} sessions" in caplog.text


def test_the_browser_and_an_async_advert_run_in_qts_event_loop_under_qasync(qapp):
    """The window's Join dialog runs the Browser in Qt's own loop (qasync, the core's pin)."""
    qasync = pytest.importorskip("qasync")
    fingerprint = fresh_fingerprint()
    found: list[FoundSession] = []
    lost: list[FoundSession] = []

    async def scenario() -> None:
        async with Browser(LOOPBACK) as browser:
            await browser.start(
                lambda s: found.append(s) if s.fingerprint == fingerprint else None,
                lambda s: lost.append(s) if s.fingerprint == fingerprint else None,
            )
            async with await advertise_async(LOOPBACK, 8772, "Under qasync", fingerprint):
                await wait_for(lambda: found)
            await wait_for(lambda: lost)

    loop = qasync.QEventLoop(qapp, already_running=False)
    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 20))
    finally:
        loop.close()
    assert [s.title for s in found] == [s.title for s in lost] == ["Under qasync"]
