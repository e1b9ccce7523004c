from seat_console.core.typing_meter import TypingMeter


def test_characters_per_minute_over_the_last_minute() -> None:
    now = [0.0]
    meter = TypingMeter(clock=lambda: now[0])
    assert meter.per_minute() == 0
    for second in range(0, 31):
        now[0] = float(second)
        meter.sample(second * 2)  # two characters a second
    assert meter.per_minute() == 120
    now[0] = 200.0
    meter.sample(60)  # a long pause: the old samples leave the window
    assert meter.per_minute() == 0
