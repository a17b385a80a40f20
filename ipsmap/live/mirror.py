"""A joined laptop's mirror project: the shared maps in a local project file.

The window opens this project like any other, so editing, the canvas, the panels and undo
work as usual. The bridge is the host's (``HostSession``, session.py), turned around:

- **local edits** (the window, undo) are committed by ``Project.apply`` as always; the
  bridge writes the records they touched into the document with the local origin, keeps
  the update in ``live_updates`` and hands it to the connection to send;
- **remote updates** are applied to the document, and the difference with the mirror
  becomes ops through ``Project.apply`` credited to whoever the records name
  (``modified_by``, else ``created_by``: the host stamped the authenticated participant),
  from the device ``"host"``, not undoable here (only their author undoes them, on their
  own laptop), with the update appended to ``live_updates`` in the same transaction. They
  are in the mirror's audit log, so undoing one's own step that someone changed since says
  who and leaves their value (``Project.undo``).

Participants come from the document (public names only). A restarted laptop replays
``live_updates`` and resumes that document, never re-seeding it; anything the mirror holds
that the document lacks (an edit committed just before a crash) is put back into it, and
the host's first sync step asks for whatever it lacks: offline edits merge.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ipsmap.live import host_updates
from ipsmap.live.doc_diff import held_back, new_map_ops, ops_towards, with_held
from ipsmap.live.session import HostSession
from ipsmap.live.shared_doc import RECORD_TABLES, SharedDoc
from ipsmap.model import ops as op
from ipsmap.model.author import Author
from ipsmap.model.changes import Change
from ipsmap.model.errors import IpsmapError
from ipsmap.model.ops import Op
from ipsmap.model.project import Project

LOCAL_ORIGIN = "ipsmap-local"
# The device a remote edit is recorded as coming from, in the mirror's audit log.
HOST_DEVICE = "host"
MIRROR_NAME = "session.ipsmap"
PUBLIC_PERSON_FIELDS = ("pseudonym", "stakeholder_group", "site")


def mirror_folder(fingerprint: str, data_home: Path | None = None) -> Path:
    """Where a session's mirror lives: ``$XDG_DATA_HOME/ipsmap/joined/<fingerprint[:16]>``
    (``~/.local/share`` without XDG_DATA_HOME): one folder per host certificate."""
    if data_home is None:
        xdg = os.environ.get("XDG_DATA_HOME", "").strip()
        data_home = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return data_home / "ipsmap" / "joined" / fingerprint.lower()[:16]


class MirrorProject(Project):
    """A session's mirror: a project like any other, except that while its person only
    watches (joined with a viewer code) the window must treat it as read-only, and the
    bridge still writes everyone else's edits into it."""

    watching = False

    @property
    def read_only(self) -> bool:
        return self.watching or self.store.read_only

    @property
    def read_only_reason(self) -> str:
        if self.watching and not self.store.read_only:
            return "joined with a viewer code: watching only"
        return self.store.read_only_reason

    def _check_writable(self) -> None:
        # Only the file's own state stops a write: "watching" is for the window (it offers
        # no editing), not for the bridge writing what arrives from the host.
        if self.store.read_only:
            super()._check_writable()


def open_mirror(folder: Path, title: str) -> MirrorProject:
    """The mirror project in ``folder``: opened as left, or made new (``title``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MIRROR_NAME
    opened = (
        MirrorProject.open(path)
        if path.exists()
        else MirrorProject.create(path, title or "Live session")
    )
    assert isinstance(opened, MirrorProject)  # Project's constructors build their class
    return opened


class MirrorSession(HostSession):
    """The bridge between a joined laptop's document and its mirror project."""

    origin = LOCAL_ORIGIN
    shares_people = False

    def __init__(self, project: Project) -> None:
        self.notices_heard: Callable[[str], None] | None = None
        # Per map, what the document holds and the mirror cannot yet (a link or membership
        # whose factor has not arrived: relayed ahead of the step 2 that brings it).
        self._held: dict[str, dict[str, set[str]]] = {}
        super().__init__(project, [])

    # -- start: resume, never re-seed -------------------------------------------------------

    def _resume(self, map_ids: list[str]) -> None:
        for update in host_updates.stored_updates(self.project.store):
            self.shared.doc.apply_update(update)
        known = {m.id for m in self.project.maps()}
        # An edit committed here just before a crash, before its update was kept.
        with self._own_transaction() as made:
            for map_id in self.shared.map_ids():
                if map_id in known:
                    state = self.project.document(map_id).state
                    self._held[map_id] = held = held_back(self.shared, state)
                    self.shared.put_map(self.project.map_data(map_id), keep=held)
        self._touched.take()
        for update in made:
            host_updates.append_alone(self.project.store, update)

    # -- local edits: a map made here joins the session -------------------------------------

    def _on_project_change(self, change: Change) -> None:
        """A map added in the joined window (new, imported, duplicated) is shared: everyone
        in the session gets it, and the host makes it in the project (session.py)."""
        new = [
            key
            for key in change.added.get("maps", ())
            if not self._applying_remote and not self.shared.has_map(key)
        ]
        if not new:
            super()._on_project_change(change)
            return
        with self._own_transaction() as made:
            for map_id in new:
                self.shared.put_map(self.project.map_data(map_id))
        self._touched.take()
        for update in made:
            host_updates.append_alone(self.project.store, update)
            if self.on_local_update is not None:
                self.on_local_update(update)

    # -- remote updates ---------------------------------------------------------------------

    def take_remote(self, update: bytes) -> list[str]:
        """Take in an update from the host: document, mirror, audit log, kept update.
        Returns notices (one line each) about anything the mirror could not take."""
        self._captured.clear()
        self._touched.take()
        self.shared.doc.apply_update(update)
        received = list(self._captured)
        touched = self._touched.take()
        if not received:
            return []
        notices: list[str] = []
        batches: list[tuple[str | None, str | None, list[Op]]] = []
        people = _people_ops(self.shared, self.project)
        if people:
            batches.append((None, None, people))
        known = {m.id for m in self.project.maps()}
        for map_id, tables in touched.items():
            if not self.shared.has_map(map_id):
                continue  # the host stopped sharing it: the mirror keeps its last copy
            if map_id in known:
                state = self.project.document(map_id).state
                # Records held back before are looked at again (their factor may be here).
                held = self._held.pop(map_id, {})
                diff = ops_towards(self.shared, state, with_held(tables, held))
                ops, self._held[map_id] = diff.ops, diff.held
            else:
                ops = new_map_ops(self.shared, map_id)
            people_ids = set(self.project.participants) | {o.key for o in people}
            batches += [
                (map_id, actor, run)
                for actor, run in _by_author(self.shared, map_id, ops, people_ids)
            ]
        kept = False
        for index, (batch_map, actor, batch) in enumerate(batches):
            last = index == len(batches) - 1
            try:
                self._write_remote_ops(batch, actor, batch_map, received if last else [])
                kept = kept or last
            except IpsmapError as exc:
                notices.append(f"could not take in an edit from the session: {exc}")
        if not kept:
            for one in received:
                host_updates.append_alone(self.project.store, one)
        if notices and self.notices_heard is not None:
            for notice in notices:
                self.notices_heard(notice)
        return notices

    def _write_remote_ops(
        self, ops: list[Op], actor: str | None, map_id: str | None, updates: list[bytes]
    ) -> None:
        # Credited to who the host stamped, from the host; not this laptop's to undo.
        author = Author(actor, HOST_DEVICE, self.project.session_id)
        self._write_remote(ops, author, map_id, updates, undoable=False)


def _people_ops(shared: SharedDoc, project: Project) -> list[Op]:
    """Participants the document names that the mirror lacks or holds otherwise."""
    result = []
    for person in shared.participants():
        mine = project.participants.get(person.id)
        row = person.to_row()
        if mine is None:
            result.append(op.insert("participants", row))
            continue
        now = mine.to_row()
        after = {k: row[k] for k in PUBLIC_PERSON_FIELDS if now.get(k) != row[k]}
        if after:
            result.append(op.update("participants", person.id, {k: now[k] for k in after}, after))
    return result


def _by_author(
    shared: SharedDoc, map_id: str, ops: list[Op], people: set[str]
) -> list[tuple[str | None, list[Op]]]:
    """Ops split into one batch per person credited, foreign keys holding at every step.

    ``ops_towards`` orders its ops so that every insert finds what it points at; ops of one
    kind on one table never depend on each other, so each such run is grouped by author,
    and neighbouring batches of the same author are joined (one remote edit: one batch)."""
    batches: list[tuple[str | None, list[Op]]] = []
    runs: list[list[Op]] = []
    for one in ops:
        if runs and (runs[-1][0].kind, runs[-1][0].table) == (one.kind, one.table):
            runs[-1].append(one)
        else:
            runs.append([one])
    for run in runs:
        grouped: dict[str | None, list[Op]] = {}
        for one in run:
            grouped.setdefault(_credited(shared, map_id, one, people), []).append(one)
        previous = batches[-1][0] if batches else None
        order = sorted(grouped, key=lambda actor: actor != previous)
        for actor in order:
            if batches and batches[-1][0] == actor:
                batches[-1][1].extend(grouped[actor])
            else:
                batches.append((actor, grouped[actor]))
    return batches


def _credited(shared: SharedDoc, map_id: str, one: Op, people: set[str]) -> str | None:
    """Who an op's record names as its last editor (None: a deletion, which the document
    does not attribute, or someone the mirror does not know)."""
    if one.kind == "delete" or one.table not in RECORD_TABLES:
        return None
    after = one.after or {}
    actor = after.get("modified_by") or after.get("created_by")
    if actor is None and one.kind == "update":
        # The same person edited it again: the field did not change, the record names them.
        record = shared.maps[map_id][one.table].get(one.key)
        actor = record.get("modified_by") or record.get("created_by") if record else None
    return actor if actor in people else None
