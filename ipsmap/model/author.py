"""Who makes a change: a participant, on a device, in a workshop session."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Author:
    """The provenance every audit event records.

    ``actor``: the participant credited (None only in files made before participants);
    ``origin``: the device id the edit came from (this device's id is kept in the project;
    in a live session, the id of the laptop or phone that sent it); ``session_id``: the
    workshop session it was made in, if any.
    """

    actor: str | None
    origin: str | None = None
    session_id: str | None = None
