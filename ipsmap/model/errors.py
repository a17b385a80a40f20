"""Errors a user can cause and must be told about in plain words."""

from __future__ import annotations

from pathlib import Path


class IpsmapError(Exception):
    """Base for errors shown to the user as one clear message."""


class ProjectFileError(IpsmapError):
    """A project file cannot be opened; the file is left untouched."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class NotAProjectError(ProjectFileError):
    """The file is not an ipsmap project."""


class DamagedProjectError(ProjectFileError):
    """The file is an ipsmap project but its contents are damaged."""


class NewerProjectError(ProjectFileError):
    """The file was written by a newer ipsmap."""


class ProjectInUseError(ProjectFileError):
    """Another ipsmap process has the project open for writing."""


class ReadOnlyError(IpsmapError):
    """An edit was attempted on a project opened read-only."""


class CommandError(IpsmapError):
    """An edit that cannot be made (unknown factor, invalid value...)."""


class NotFoundError(IpsmapError):
    """A map, factor or snapshot named by the user does not exist (or is ambiguous)."""


class ConflictError(CommandError):
    """A change expected a value that is no longer there (someone else changed it first).

    The whole change is refused and nothing is written.
    """

    def __init__(self, table: str, key: str, field: str | None, message: str) -> None:
        self.table = table
        self.key = key
        self.field = field
        super().__init__(message)


class ForeignSchemaError(NotAProjectError):
    """The file claims to be an ipsmap project but its schema is not ipsmap's."""
