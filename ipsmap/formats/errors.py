"""The one error a reader raises for a bad file: which file, where in it, what is wrong."""

from __future__ import annotations

from pathlib import Path

from ipsmap.model.errors import IpsmapError


class FormatError(IpsmapError):
    """A file that cannot be read as a map; nothing has been imported."""

    def __init__(self, path: str | Path | None, place: str, problem: str) -> None:
        self.path = Path(path) if path is not None else None
        self.place = place
        self.problem = problem
        where = f"{self.path}" if self.path is not None else "input"
        if place:
            where += f", {place}"
        super().__init__(f"{where}: {problem}")


class ExportWarning(UserWarning):
    """Something a writer could not hold in the file (the file is still written)."""


class WriteError(IpsmapError):
    """A file could not be written (refused target, full disk…); nothing was left behind."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"could not write {self.path}: {problem}")
