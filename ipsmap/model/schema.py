"""The project file's schema and its forward migrations.

``PRAGMA user_version`` holds the schema version; ``PRAGMA application_id`` marks the file
as an ipsmap project so that any other SQLite file is recognised and refused.
Migration N takes a file from version N-1 to N and runs inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from ipsmap.model.entities import new_id, now_iso
from ipsmap.model.sqlite import sqlite_utils

# "IPSM" in ASCII.
APPLICATION_ID = 0x4950534D

_V1 = """
CREATE TABLE project (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    pseudonym TEXT NOT NULL,
    stakeholder_group TEXT NOT NULL DEFAULT 'other',
    site TEXT NOT NULL DEFAULT '',
    consent INTEGER NOT NULL DEFAULT 1,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE maps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('system', 'toc')),
    site TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    attributes TEXT NOT NULL DEFAULT '{}',
    position INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES participants(id)
);
CREATE TABLE styles (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL REFERENCES maps(id),
    kind TEXT NOT NULL CHECK (kind IN ('factor', 'link')),
    name TEXT NOT NULL,
    color TEXT NOT NULL DEFAULT '#ffffff',
    border_color TEXT NOT NULL DEFAULT '#333333',
    shape TEXT NOT NULL DEFAULT 'box',
    dashes INTEGER NOT NULL DEFAULT 0,
    level INTEGER,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX styles_map ON styles(map_id);
CREATE TABLE factors (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL REFERENCES maps(id),
    label TEXT NOT NULL,
    type TEXT REFERENCES styles(id),
    x REAL NOT NULL DEFAULT 0,
    y REAL NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    attributes TEXT NOT NULL DEFAULT '{}',
    seq INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES participants(id),
    modified_at TEXT NOT NULL DEFAULT '',
    modified_by TEXT REFERENCES participants(id)
);
CREATE INDEX factors_map ON factors(map_id, seq);
CREATE TABLE links (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL REFERENCES maps(id),
    source TEXT NOT NULL REFERENCES factors(id),
    target TEXT NOT NULL REFERENCES factors(id),
    polarity TEXT NOT NULL CHECK (polarity IN ('+', '-', '?')),
    strength REAL NOT NULL CHECK (strength >= 0 AND strength <= 1),
    confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
    type TEXT REFERENCES styles(id),
    rationale TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    provenance TEXT NOT NULL DEFAULT '',
    attributes TEXT NOT NULL DEFAULT '{}',
    seq INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES participants(id),
    modified_at TEXT NOT NULL DEFAULT '',
    modified_by TEXT REFERENCES participants(id)
);
CREATE INDEX links_map ON links(map_id, seq);
CREATE INDEX links_source ON links(source);
CREATE INDEX links_target ON links(target);
CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL REFERENCES maps(id),
    name TEXT NOT NULL,
    color TEXT NOT NULL DEFAULT '#dddddd',
    notes TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX groups_map ON groups(map_id);
CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups(id),
    factor_id TEXT NOT NULL REFERENCES factors(id),
    PRIMARY KEY (group_id, factor_id)
);
CREATE INDEX group_members_factor ON group_members(factor_id);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT,
    map_id TEXT,
    action TEXT NOT NULL CHECK (action IN ('do', 'undo', 'redo')),
    command TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    ops TEXT NOT NULL
);
CREATE INDEX events_map ON events(map_id, seq);
-- The audit log is append-only: the database itself refuses to change or drop history.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def _migrate_to_1(db: sqlite_utils.Database) -> None:
    for statement in _split(_V1):
        db.execute(statement)


def _migrate_to_2(db: sqlite_utils.Database) -> None:
    # Workshops: the audit log can say in which session an edit was made.
    db.table("sessions").create(
        {
            "id": str,
            "title": str,
            "date": str,
            "site": str,
            "facilitator": str,
            "attendees": str,
            "notes": str,
        },
        pk="id",
        not_null={"title", "date"},
        defaults={"site": "", "facilitator": "", "attendees": "[]", "notes": ""},
    )
    db.execute("ALTER TABLE events ADD COLUMN session_id TEXT")


_V3 = """
CREATE TABLE snapshots (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL,
    map_name TEXT NOT NULL,
    label TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    taken_at TEXT NOT NULL,
    taken_by TEXT,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL
);
CREATE INDEX snapshots_map ON snapshots(map_id, taken_at);
-- A snapshot is a frozen record for the evaluation: it can be neither changed nor deleted.
CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON snapshots
BEGIN SELECT RAISE(ABORT, 'snapshots cannot be changed'); END;
CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots
BEGIN SELECT RAISE(ABORT, 'snapshots cannot be deleted'); END;
"""


def _migrate_to_3(db: sqlite_utils.Database) -> None:
    # Frozen, dated copies of maps (the trial's adaptation points).
    for statement in _split(_V3):
        db.execute(statement)


def _split(script: str) -> list[str]:
    """Split a DDL script into statements (triggers hold inner semicolons)."""
    statements: list[str] = []
    buffer: list[str] = []
    for line in script.strip().splitlines():
        if line.startswith("--"):
            continue
        buffer.append(line)
        text = "\n".join(buffer).strip()
        inside_trigger = text.upper().startswith("CREATE TRIGGER") and not text.upper().endswith(
            "END;"
        )
        if text.endswith(";") and not inside_trigger:
            statements.append(text)
            buffer = []
    return statements


_V4 = """
CREATE TABLE cmos (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    context TEXT NOT NULL DEFAULT '',
    intervention TEXT NOT NULL DEFAULT '',
    mechanism_resource TEXT NOT NULL DEFAULT '',
    mechanism_reasoning TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    for_whom TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'initial'
        CHECK (status IN ('initial', 'supported', 'refined', 'refuted')),
    confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
    evidence TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    explains TEXT NOT NULL DEFAULT '[]',
    leads_to TEXT NOT NULL DEFAULT '[]',
    position INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES participants(id),
    modified_at TEXT NOT NULL DEFAULT '',
    modified_by TEXT REFERENCES participants(id)
);
CREATE TABLE marks (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL REFERENCES maps(id),
    target TEXT NOT NULL,
    participant TEXT NOT NULL REFERENCES participants(id),
    kind TEXT NOT NULL
        CHECK (kind IN ('important', 'controllable', 'vulnerable', 'confidence', 'votes')),
    value REAL NOT NULL,
    session_id TEXT REFERENCES sessions(id),
    created_at TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES participants(id)
);
CREATE UNIQUE INDEX marks_one_per_person ON marks(target, participant, kind);
CREATE INDEX marks_map ON marks(map_id);
"""


def _migrate_to_4(db: sqlite_utils.Database) -> None:
    # The evaluation's CMO configurations and the participants' marks.
    for statement in _split(_V4):
        db.execute(statement)


_V5 = """
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'local' CHECK (kind IN ('local', 'remote')),
    first_seen TEXT NOT NULL DEFAULT ''
);
ALTER TABLE events ADD COLUMN origin TEXT REFERENCES devices(id);
ALTER TABLE events ADD COLUMN undoes INTEGER;
CREATE INDEX events_actor ON events(actor, seq);
"""


def _migrate_to_5(db: sqlite_utils.Database) -> None:
    # Where each edit came from: this device, or (in a live session) another one. The
    # project's own device gets a stable id, and the edits logged before are credited to it.
    for statement in _split(_V5):
        db.execute(statement)
    device = new_id()
    db.execute(
        "INSERT INTO devices (id, name, kind, first_seen) VALUES (?, 'this computer', 'local', ?)",
        [device, now_iso()],
    )
    db.execute(
        "INSERT INTO project (key, value) VALUES ('device_id', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [device],
    )
    # The append-only guard is lifted for this one backfill inside the migration's
    # transaction (the file was backed up first), then put back as it was.
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET origin = ?", [device])
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


def _migrate_to_6(db: sqlite_utils.Database) -> None:
    # A style's label colour (PRSM's white text on dark boxes); NULL: the theme's colour.
    db.execute("ALTER TABLE styles ADD COLUMN font_color TEXT")


def _migrate_to_7(db: sqlite_utils.Database) -> None:
    # Forgetting a person rewrites the snapshots that named them; each keeps the sha256s it
    # had before (a JSON list of {"sha256", "at", "event"}), so a figure exported earlier
    # can still be traced to the snapshot it came from.
    db.execute("ALTER TABLE snapshots ADD COLUMN superseded TEXT NOT NULL DEFAULT '[]'")


_V8 = """
CREATE TABLE live_updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    event INTEGER REFERENCES events(seq),
    data BLOB NOT NULL
);
"""


def _migrate_to_8(db: sqlite_utils.Database) -> None:
    # A live session's shared document (ipsmap/live): each incremental update is appended
    # here in the same transaction as the ops it produced (``event``; NULL for an update
    # that changed no row), so a host that crashes resumes the document itself instead of
    # re-seeding it from the tables (which would lose participants' offline edits).
    for statement in _split(_V8):
        db.execute(statement)


_V9 = """
CREATE TABLE ideas (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL REFERENCES maps(id),
    kind TEXT NOT NULL CHECK (kind IN ('factor', 'link')),
    label TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    source TEXT,
    target TEXT,
    polarity TEXT NOT NULL DEFAULT '?',
    why TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'placed', 'dismissed')),
    created_by TEXT REFERENCES participants(id),
    created_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ideas_map ON ideas(map_id);
"""


def _migrate_to_9(db: sqlite_utils.Database) -> None:
    # Ideas: factors and links participants suggest from their phones in a live session
    # (issue 15), kept for the facilitator to place on the map or dismiss.
    for statement in _split(_V9):
        db.execute(statement)


_V10 = """
CREATE TABLE ideas_new (
    id TEXT PRIMARY KEY,
    map_id TEXT NOT NULL REFERENCES maps(id),
    kind TEXT NOT NULL CHECK (kind IN ('factor', 'link', 'comment')),
    label TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    source TEXT,
    target TEXT,
    polarity TEXT NOT NULL DEFAULT '?',
    why TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'placed', 'dismissed')),
    created_by TEXT REFERENCES participants(id),
    created_at TEXT NOT NULL DEFAULT '',
    about_kind TEXT CHECK (about_kind IS NULL OR about_kind IN ('factor', 'link')),
    about TEXT
);
INSERT INTO ideas_new (id, map_id, kind, label, note, source, target, polarity, why, status,
    created_by, created_at)
SELECT id, map_id, kind, label, note, source, target, polarity, why, status, created_by,
    created_at FROM ideas;
DROP TABLE ideas;
ALTER TABLE ideas_new RENAME TO ideas;
CREATE INDEX ideas_map ON ideas(map_id);
"""


def _migrate_to_10(db: sqlite_utils.Database) -> None:
    # Comments: a third kind of idea, about a factor or link already on the map
    # (``about_kind``, ``about``; the text in ``note``). SQLite cannot change a CHECK in
    # place, so the table is rebuilt the way SQLite documents (create the new one, copy,
    # drop the old, rename), all inside the migration's transaction; nothing refers to
    # ideas, so no foreign key is disturbed.
    for statement in _split(_V10):
        db.execute(statement)


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    1: _migrate_to_1,
    2: _migrate_to_2,
    3: _migrate_to_3,
    4: _migrate_to_4,
    5: _migrate_to_5,
    6: _migrate_to_6,
    7: _migrate_to_7,
    8: _migrate_to_8,
    9: _migrate_to_9,
    10: _migrate_to_10,
}
SCHEMA_VERSION = max(MIGRATIONS)
