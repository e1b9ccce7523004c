from seat_console.core.typing_meter import TypingMeter


def test_characters_per_minute_over_the_last_minute() -> None:
    now = [0.0]
    meter = TypingMeter(clock=lambda: now[0])
    assert meter.per_minute() == 0
    for second in range(0, 31):
        now[0] = float(second)
        meter.typed(2)  # two characters a second (an IME commit of two)
    assert meter.per_minute() == 120
    now[0] = 200.0
    meter.typed(1)  # a long pause: the old keys leave the window
    assert meter.per_minute() == 0


def test_only_typed_keys_count() -> None:
    now = [0.0]
    meter = TypingMeter(clock=lambda: now[0])
    for tick in range(11):
        now[0] = tick * 0.5
        meter.typed()  # one key every half second: 120 a minute
    assert meter.per_minute() == 120
    meter.reset()
    assert meter.per_minute() == 0
