"""Whatever a phone sends, the desk answers it or refuses it in one line: generated request
bodies (any JSON: wrong types, unknown fields, huge or odd numbers, nested values, hostile
text) against every request a joined phone can make. Never another exception, never an
answer that is not JSON, and a refused request leaves the project as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ipsmap.live.phones import PhoneDesk, PhoneError
from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

pytestmark = pytest.mark.timeout(120)

FIELDS = ["map", "kind", "label", "note", "source", "target", "polarity", "why", "factor",
          "value", "on", "item", "text", "nickname", "group", "consent"]  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["<script>x</script>", "\u202e", "\ud800", "x" * 3000, "", " ", "\x00"]),
)


def _values(ids: list[str]) -> st.SearchStrategy:
    leaf = st.one_of(
        st.none(), st.booleans(), st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True), TEXT, st.sampled_from(ids),
    )  # fmt: skip
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=6,
    )


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("fuzz") / "w.ipsmap"
    with Project.create(path, "Fuzz") as project:
        shared, private = AddMap("Shared"), AddMap("Private")
        project.execute(shared)
        project.execute(private)
        a, b = AddFactor("Rent"), AddFactor("Stress")
        project.execute(a, map_id=shared.id)
        project.execute(b, map_id=shared.id)
        link = AddLink(a.id, b.id, polarity="+")
        project.execute(link, map_id=shared.id)
        hidden = AddFactor("Hidden")
        project.execute(hidden, map_id=private.id)
        now = [0.0]

        def clock() -> float:
            now[0] += 61.0  # every request in a minute of its own: no rate limit in the way
            return now[0]

        desk = PhoneDesk(
            project, lambda: [shared.id], session_id=lambda: None, say=lambda _: None,
            clock=clock,
        )  # fmt: skip
        token, _ = desk.join({"nickname": "Fuzzy", "group": "parent", "consent": True})
        ids = [shared.id, private.id, a.id, b.id, link.id, hidden.id, "factor", "link", "votes"]
        yield {"desk": desk, "phone": desk.phone_for(token), "project": project, "ids": ids,
               "map": shared.id, "a": a.id, "b": b.id, "link": link.id}  # fmt: skip


def _snapshot(project: Project) -> str:
    return json.dumps(
        [
            sorted((i.id, i.kind, i.label, i.note, i.status) for i in project.ideas.values()),
            sorted((m.target, m.kind, m.value) for m in project.marks.values()),
            sorted(p.pseudonym for p in project.participants.values()),
        ]
    )


REQUESTS = ["suggest", "comment", "mark", "map_view", "my_marks", "join"]


def _good(room: dict, request: str, text: str, number: int) -> object:
    """A request the desk takes, for ``request``."""
    map_id, a, b = room["map"], room["a"], room["b"]
    return {
        "suggest": {"map": map_id, "label": text or "x", "note": text},
        "comment": {"map": map_id, "on": "link", "item": room["link"], "text": text or "x"},
        "mark": {"map": map_id, "factor": a if number % 2 else b,
                 "kind": ("important", "votes")[number % 2], "value": number % 3},
        "map_view": map_id,
        "my_marks": map_id,
        "join": {"nickname": f"{text[:20]}{number}", "group": "parent", "consent": True},
    }[request]  # fmt: skip


@st.composite
def _near_good(draw, room: dict, request: str, values: st.SearchStrategy) -> object:
    body = _good(room, request, draw(TEXT), draw(st.integers(0, 10**6)))
    if isinstance(body, dict):
        body = dict(body)
        for _ in range(draw(st.integers(0, 2))):
            body[draw(st.sampled_from(FIELDS))] = draw(values)
    return body


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_body_is_answered_or_refused_in_one_line(room, data):
    desk, phone, project = room["desk"], room["phone"], room["project"]
    values = _values(room["ids"])
    request = data.draw(st.sampled_from(REQUESTS))
    # Mostly a good request with a field or two changed (so the checks past the first are
    # reached too), sometimes anything at all.
    body = data.draw(
        st.one_of(
            _near_good(room, request, values),
            values,
            st.dictionaries(st.sampled_from(FIELDS), values, max_size=6),
        )
    )
    before = _snapshot(project)
    try:
        if request == "suggest":
            answer = desk.suggest(phone, body)
        elif request == "comment":
            answer = desk.comment(phone, body)
        elif request == "mark":
            answer = desk.mark(phone, body)
        elif request == "map_view":
            answer = desk.map_view(body, data.draw(values))
        elif request == "my_marks":
            answer = desk.my_marks(phone, body)
        else:
            answer = desk.join(body)[1]
    except PhoneError as refused:
        event(f"{request}: refused {refused.status}")
        line = str(refused)
        assert line and "\n" not in line and "Traceback" not in line
        assert 400 <= refused.status < 500
        assert _snapshot(project) == before  # nothing half-written
        return
    event(f"{request}: answered")
    json.dumps(answer)  # what the server sends must be JSON
    if request == "map_view":
        # Only the shared map, never the private one's factor.
        assert "Hidden" not in json.dumps(answer)
