"""Child process for tests/test_crash_safety.py (run as a script, never imported by pytest).

Usage:
    crash_child.py edit PROJECT TAG LIMIT
        Open PROJECT for writing, take its one map and make up to LIMIT edits, printing one
        ``ack ...`` line (flushed) after each ``document.execute`` has returned, then
        ``done``. The parent kills it long before LIMIT is reached.

    crash_child.py hold PROJECT
        Open PROJECT for writing, add a map "held map" with one factor, print
        ``ready MAP_ID FACTOR_ID`` and keep the project open until a line arrives on stdin
        (or stdin closes); then close it and print ``closed``.

The edit plan repeats every 5 steps so that no factor is changed twice by the same kind of
edit; the state of every acknowledged edit is therefore fully known to the parent even if
one more (unacknowledged) edit committed just before the kill:
    step % 5 == 0, 1: AddFactor (label ``TAG-f<step>``, a known id)
    step % 5 == 2:    MoveFactors on the factor added at step-1
    step % 5 == 3:    AddLink from the factor added at step-3 to the one added at step-2
    step % 5 == 4:    EditFactor (notes) on the factor added at step-4
"""

from __future__ import annotations

import sys
import uuid


def edit(path: str, tag: str, limit: int) -> None:
    from ipsmap.model.commands import AddFactor, AddLink, EditFactor, MoveFactors
    from ipsmap.model.project import Project

    out = sys.stdout
    project = Project.open(path)
    [info] = project.maps()
    document = project.document(info.id)
    added: list[str] = []
    step = 0
    while step < limit:
        kind = step % 5
        if kind in (0, 1):
            factor_id = str(uuid.uuid4())
            label = f"{tag}-f{step}"
            document.execute(AddFactor(label, x=float(step), y=1.5, id=factor_id))
            added.append(factor_id)
            line = f"ack {step} add {factor_id} {label}"
        elif kind == 2:
            factor_id = added[-1]
            x, y = step * 10.25, -step / 4
            document.execute(MoveFactors({factor_id: (x, y)}))
            line = f"ack {step} move {factor_id} {x!r} {y!r}"
        elif kind == 3:
            link_id = str(uuid.uuid4())
            source, target = added[-2], added[-1]
            document.execute(AddLink(source, target, polarity="-", strength=0.75, id=link_id))
            line = f"ack {step} link {link_id} {source} {target}"
        else:
            factor_id = added[-2]
            notes = f"{tag}-note-{step}"
            document.execute(EditFactor(factor_id, {"notes": notes}))
            line = f"ack {step} edit {factor_id} {notes}"
        out.write(line + "\n")
        out.flush()
        step += 1
    out.write("done\n")
    out.flush()
    project.close()


def hold(path: str) -> None:
    from ipsmap.model.commands import AddFactor
    from ipsmap.model.project import Project
    from ipsmap.model.project_commands import AddMap

    project = Project.open(path)
    command = AddMap("held map", "system", "Lambeth")
    project.execute(command)
    factor = AddFactor("committed while held", x=3.0, y=4.0)
    project.document(command.id).execute(factor)
    print(f"ready {command.id} {factor.id}", flush=True)
    sys.stdin.readline()
    project.close()
    print("closed", flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "edit":
        edit(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "hold":
        hold(sys.argv[2])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
