"""The per-address limit on wrong join codes, with a clock the test moves on."""

from __future__ import annotations

from ipsmap.live.throttle import WrongCodeThrottle

from .support import Clock


def test_five_wrong_codes_in_a_minute_refuse_that_address_for_a_minute():
    clock = Clock()
    throttle = WrongCodeThrottle(clock=clock)
    made_refused = [throttle.wrong_code("10.0.0.7") for _ in range(5)]
    assert made_refused == [False, False, False, False, True]
    assert throttle.refused("10.0.0.7")
    assert throttle.seconds_left("10.0.0.7") == 60
    assert not throttle.refused("10.0.0.8")  # another laptop is not affected
    clock.now += 59.5
    assert throttle.refused("10.0.0.7") and throttle.seconds_left("10.0.0.7") == 1
    clock.now += 0.5
    assert not throttle.refused("10.0.0.7")
    assert throttle.seconds_left("10.0.0.7") == 0
    # The count started again: one more wrong code does not refuse it at once.
    assert throttle.wrong_code("10.0.0.7") is False
    assert not throttle.refused("10.0.0.7")


def test_wrong_codes_spread_over_more_than_a_minute_are_not_refused():
    clock = Clock()
    throttle = WrongCodeThrottle(clock=clock)
    for _ in range(20):
        assert throttle.wrong_code("10.0.0.7") is False
        clock.now += 15.0  # four a minute: a person mistyping, not a guesser
    assert not throttle.refused("10.0.0.7")


def test_the_limits_can_be_set():
    clock = Clock()
    throttle = WrongCodeThrottle(limit=2, window_s=10, block_s=5, clock=clock)
    assert throttle.wrong_code("::1") is False
    assert throttle.wrong_code("::1") is True
    clock.now += 5
    assert not throttle.refused("::1")


def test_a_flood_from_many_addresses_does_not_grow_without_bound(monkeypatch):
    import ipsmap.live.throttle as module

    monkeypatch.setattr(module, "MAX_ADDRESSES", 50)
    throttle = WrongCodeThrottle(clock=Clock())
    for i in range(500):
        throttle.wrong_code(f"10.0.{i // 256}.{i % 256}")
    assert len(throttle._failures) <= 50
