"""Wrong join codes limited per source address.

Each wrong code already costs its sender half a second, but many attempts in parallel from
one address would not be slowed by that. So an address that sends ``limit`` wrong codes
within ``window_s`` is refused outright, without checking anything it sends, for
``block_s``. Only wrong codes count: a right code from an address that has not been
blocked is never slowed. The clock is passed in so tests can move time on.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WRONG_CODES_LIMIT = 5
WINDOW_S = 60.0
BLOCK_S = 60.0
# Addresses remembered at most (a flood from many spoofed addresses cannot grow it for ever).
MAX_ADDRESSES = 4096


@dataclass
class WrongCodeThrottle:
    """Counts wrong codes per address and says which addresses are refused for now."""

    limit: int = WRONG_CODES_LIMIT
    window_s: float = WINDOW_S
    block_s: float = BLOCK_S
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _blocked_until: dict[str, float] = field(default_factory=dict)

    def refused(self, address: str) -> bool:
        """Whether ``address`` is refused without checking its code, now."""
        until = self._blocked_until.get(address)
        if until is None:
            return False
        if self.clock() < until:
            return True
        del self._blocked_until[address]
        return False

    def seconds_left(self, address: str) -> int:
        """Whole seconds until ``address`` may try again (0 if it may now)."""
        until = self._blocked_until.get(address)
        return max(0, int(until - self.clock() + 0.999)) if until is not None else 0

    def wrong_code(self, address: str) -> bool:
        """Note a wrong code from ``address``; True if that makes it refused from now on."""
        now = self.clock()
        failures = self._failures.setdefault(address, deque())
        failures.append(now)
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if len(failures) < self.limit:
            self._forget_oldest_if_full()
            return False
        del self._failures[address]
        self._blocked_until[address] = now + self.block_s
        return True

    def _forget_oldest_if_full(self) -> None:
        while len(self._failures) > MAX_ADDRESSES:
            del self._failures[next(iter(self._failures))]
        if len(self._blocked_until) > MAX_ADDRESSES:
            now = self.clock()
            for address in [a for a, until in self._blocked_until.items() if until <= now]:
                del self._blocked_until[address]
