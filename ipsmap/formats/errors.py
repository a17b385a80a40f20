"""The one error a reader raises for a bad file: which file, where in it, what is wrong."""

from __future__ import annotations

from pathlib import Path

from ipsmap.model.errors import IpsmapError


class FormatError(IpsmapError):
    """A file that cannot be read as a map; nothing has been imported."""

    def __init__(self, path: str | Path | None, place: str, problem: str) -> None:
        self.path = Path(path) if path is not None else None
        # A hostile file can put megabytes into a value a message quotes: keep it one line.
        self.place = _short(place)
        self.problem = _short(problem)
        place, problem = self.place, self.problem
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


def _short(text: str, most: int = 1000) -> str:
    text = " ".join(text.split("\n")) if "\n" in text else text
    return text if len(text) <= most else text[: most - 1] + "…"
