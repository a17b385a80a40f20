"""Snapshots: a map frozen at a moment (canonical JSON + sha256), never changed afterwards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ipsmap.model.canonical import canonical_json, from_document, sha256_of
from ipsmap.model.entities import new_id, now_iso
from ipsmap.model.errors import CommandError, NotFoundError
from ipsmap.model.mapdata import MapData
from ipsmap.model.ops import insert

if TYPE_CHECKING:
    from ipsmap.model.project import Project


@dataclass(frozen=True)
class Snapshot:
    """One frozen map (its content is loaded on demand)."""

    id: str
    map_id: str
    map_name: str
    label: str
    note: str
    taken_at: str
    taken_by: str | None
    sha256: str
    # Hashes it had before a participant was forgotten (each {"sha256", "at", "event"}).
    superseded: tuple[dict[str, Any], ...] = ()


def take_snapshot(project: Project, map_id: str, label: str, note: str = "") -> Snapshot:
    """Freeze a map as it is now; the audit log records who took it and when."""
    if not label.strip():
        raise CommandError("A snapshot needs a label (e.g. 'Adaptation point 2, Glasgow')")
    data = project.map_data(map_id)
    content = canonical_json(data)
    row = {
        "id": new_id(),
        "map_id": map_id,
        "map_name": data.info.name,
        "label": label.strip(),
        "note": note,
        "taken_at": now_iso(),
        "taken_by": project.actor_id,
        "sha256": sha256_of(content),
        "content": content,
    }
    # Not undoable: a snapshot is a record of the evaluation, not an edit.
    project.apply(
        [insert("snapshots", row)],
        name="Take snapshot",
        map_id=map_id,
        undoable=False,
        summary=f"snapshot {label!r}",
    )
    return _snapshot(row)


def list_snapshots(project: Project, map_id: str | None = None) -> list[Snapshot]:
    where, params = ("WHERE map_id = ?", [map_id]) if map_id else ("", [])
    sql = f"SELECT * FROM snapshots {where} ORDER BY taken_at, rowid"
    return [_snapshot(row) for row in project.store.db.query(sql, params)]


def find_snapshot(project: Project, snapshot_id: str) -> Snapshot | None:
    rows = list(project.store.db.query("SELECT * FROM snapshots WHERE id = ?", [snapshot_id]))
    return _snapshot(rows[0]) if rows else None


def snapshot_document(project: Project, snapshot_id: str) -> dict[str, Any]:
    """The frozen map document, checked against its sha256."""
    rows = list(
        project.store.db.query("SELECT content, sha256 FROM snapshots WHERE id = ?", [snapshot_id])
    )
    if not rows:
        raise NotFoundError(f"There is no snapshot with id {snapshot_id}")
    content, digest = rows[0]["content"], rows[0]["sha256"]
    if sha256_of(content) != digest:
        raise CommandError(f"Snapshot {snapshot_id} does not match its sha256: it was altered")
    document: dict[str, Any] = json.loads(content)
    return document


def snapshot_map(project: Project, snapshot_id: str) -> MapData:
    """The snapshot as a map, naming people as the project knows them *now*.

    The frozen document keeps the names it was taken with; if someone has since withdrawn
    consent to attribution, their current record (group alias only) must win on the way out.
    """
    data = from_document(snapshot_document(project, snapshot_id))
    data.participants = [project.participants.get(p.id, p) for p in data.participants]
    return data


def restore_snapshot(project: Project, snapshot_id: str, name: str | None = None) -> str:
    """Make a new map from a snapshot (never overwriting the live map); return its id."""
    snapshot = find_snapshot(project, snapshot_id)
    if snapshot is None:
        raise NotFoundError(f"There is no snapshot with id {snapshot_id}")
    data = snapshot_map(project, snapshot_id).with_fresh_ids()
    return project.import_map(data, name or f"{snapshot.map_name} ({snapshot.label})")


def _snapshot(row: dict[str, Any]) -> Snapshot:
    fields = {k: row[k] for k in Snapshot.__dataclass_fields__ if k != "superseded"}
    # An older file opened read-only (not migrated) has no superseded column.
    superseded = tuple(json.loads(row.get("superseded") or "[]"))
    return Snapshot(**fields, superseded=superseded)
