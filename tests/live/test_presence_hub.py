"""The host's presence hub on its own (no sockets): rate limit, colours, withdrawal, the
host window's own presence, and the strict reading of messages."""

from __future__ import annotations

import asyncio
import json

import pytest

from ipsmap.live.presence import (
    HOST_KEY,
    MAX_SELECTED,
    MIN_INTERVAL_S,
    PALETTE,
    PresenceError,
    PresenceHub,
    claim_message,
    parse_claim,
    parse_from_host,
)
from ipsmap.model.entities import Participant

IDS = {f"f{i}" for i in range(300)}
PEOPLE = {
    "p1": Participant(id="p1", pseudonym="Rowan", stakeholder_group="parent"),
    "p2": Participant(id="p2", pseudonym="Eilidh", stakeholder_group="practitioner"),
    # No consent to be named: shown as the group, as in every export.
    "p3": Participant(id="p3", pseudonym="Secret", stakeholder_group="parent", consent=False),
}


def make_hub(sent: list) -> PresenceHub:
    return PresenceHub(
        lambda: PEOPLE,
        lambda map_id: IDS if map_id == "m1" else None,
        lambda message, but: sent.append((json.loads(message), but)),
        lambda line: sent.append(("said", line)),
    )


def test_a_device_publishing_faster_than_20_a_second_is_coalesced_and_its_last_state_sent():
    sent: list = []

    async def burst() -> None:
        hub = make_hub(sent)
        hub.join("laptop", "p1", "editor", "Rowan")
        for i in range(100):  # 100 selections in one go
            hub.receive("laptop", claim_message("m1", [f"f{i}"]))
        assert len(sent) == 1  # the first at once, the rest held back
        await asyncio.sleep(MIN_INTERVAL_S * 3)
        # Then 2 s at 100 a second: about 20 a second get through.
        start = asyncio.get_running_loop().time()
        for i in range(200):
            hub.receive("laptop", claim_message("m1", [f"f{i % 50}", "f99"]))
            await asyncio.sleep(0.01)
        elapsed.append(asyncio.get_running_loop().time() - start)
        await asyncio.sleep(MIN_INTERVAL_S * 3)

    elapsed: list[float] = []
    asyncio.run(burst())
    selections = [message["selected"] for message, _ in sent]
    assert selections[:2] == [["f0"], ["f99"]]  # the burst: first and last
    # About one per interval (a busy machine's slower sleeps make fewer, never more).
    assert elapsed[0] / MIN_INTERVAL_S / 2 <= len(selections) - 2 <= elapsed[0] / MIN_INTERVAL_S + 2
    assert selections[-1] == ["f49", "f99"]  # the latest state always arrives
    assert all(but == "laptop" for _, but in sent)  # never echoed to the sender


def test_colours_are_distinct_kept_per_person_and_names_follow_consent():
    sent: list = []
    hub = make_hub(sent)
    first = {who: hub.join(who, who, "editor", "x") for who in ("p1", "p2", "p3")}
    assert first["p1"] == []  # nobody had said anything yet
    colours = [hub.colour_for(p) for p in ("p1", "p2", "p3")]
    assert colours == list(PALETTE[:3])
    hub.receive("p3", claim_message("m1", ["f1"]))
    assert sent[-1][0]["name"] == "Parent/carer"
    hub.leave("p1")
    hub.join("p1-again", "p1", "editor", "Rowan")  # back on another connection
    assert hub.colour_for("p1") == PALETTE[0]
    assert hub.join("late", "p2", "viewer", "Eilidh")[0] == json.dumps(sent[-1][0])


def test_leaving_withdraws_and_a_viewer_is_shown_but_never_editing():
    sent: list = []
    hub = make_hub(sent)
    changes: list = []
    hub.on_change = changes.append
    hub.join("viewer", "p2", "viewer", "Eilidh")
    hub.receive("viewer", claim_message("m1", ["f1", "f2"], editing="f1"))
    stamped = sent[-1][0]
    assert stamped["role"] == "viewer" and stamped["selected"] == ["f1", "f2"]
    assert stamped["editing"] is None
    hub.leave("viewer")
    assert sent[-1] == ({"type": "presence-gone", "key": stamped["key"]}, "viewer")
    assert changes[-1] == {}
    hub.leave("viewer")  # twice: nothing more
    assert len(sent) == 2


def test_the_host_window_s_own_presence_goes_to_everyone_and_is_not_among_the_others():
    sent: list = []
    hub = make_hub(sent)
    hub.publish_own("", "m1", ["f3"], editing="f3")
    message, but = sent[-1]
    assert but == HOST_KEY and message["key"] == HOST_KEY
    assert message["name"] == "Facilitator" and message["role"] == "host"
    assert hub.others() == {} and set(hub.everyone()) == {HOST_KEY}
    hub.publish_own("p1", "m1", ["f3"])  # now editing as Rowan: withdrawn, then as Rowan
    assert [m["type"] for m, _ in sent[-2:]] == ["presence-gone", "presence"]
    assert sent[-1][0]["name"] == "Rowan"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("[]", "not a JSON object"),
        ('{"type": "other"}', "not a presence message"),
        ('{"type": "presence", "map": 3}', "the map is not an id"),
        ('{"type": "presence", "map": "m1", "selected": ["a b"]}', "a selected item is not"),
        ('{"type": "presence", "map": "m1", "selected": ["' + "x" * 65 + '"]}', "is not an id"),
        ('{"type": "presence", "map": null, "editing": "f1"}', "a selection without a map"),
        (json.dumps({"type": "presence", "map": "m1", "selected": ["f"] * 201}), "201 ids"),
        ("x" * 30_000, "30000 characters"),
        ("[" * 5000, "not JSON"),
    ],
)
def test_a_claim_is_read_strictly(text, reason):
    with pytest.raises(PresenceError, match=reason):
        parse_claim(text)


def test_a_claim_keeps_order_drops_repeats_and_ignores_what_it_says_of_itself():
    text = json.dumps({"type": "presence", "map": "m1", "selected": ["b", "a", "b"], "name": "Sam"})
    claim = parse_claim(text)
    assert claim.selected == ("b", "a") and claim.editing is None
    assert len(json.loads(claim_message("m1", [f"{i}" for i in range(500)]))["selected"]) == (
        MAX_SELECTED
    )


def test_what_the_host_relays_is_checked_too():
    good = {
        "type": "presence",
        "key": "d1",
        "participant": "p1",
        "name": "Rowan",
        "role": "editor",
        "colour": "#0072b2",
        "map": "m1",
        "selected": ["f1"],
        "editing": None,
    }
    assert parse_from_host(json.dumps(good)).name == "Rowan"
    assert parse_from_host(json.dumps({"type": "presence-gone", "key": "d1"})) == "d1"
    for field, value in [("colour", "red; url(x)"), ("role", "admin"), ("name", "")]:
        with pytest.raises(PresenceError):
            parse_from_host(json.dumps({**good, field: value}))
