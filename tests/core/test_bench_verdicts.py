"""How the bench judges B2 from two ramps (bench/b124_realtime.py): pure rules, no timing."""

from bench.b124_realtime import b2_verdict


def step(rate: int, *, late: int = 0) -> dict:
    return {"rate": rate, "sent": rate * 2, "generator_late": late}


def test_b2_is_judged_against_the_baselines_highest_sustained_step():
    ramp = [step(r) for r in (100, 1600, 3200, 4000)]
    assert b2_verdict(1600, 3200, ramp, top=8000)[0] is True
    assert b2_verdict(600, 3200, ramp, top=8000)[0] is False


def test_a_baseline_that_passed_the_ramps_last_step_is_not_a_figure_to_judge_against():
    """Its real limit is higher: judging against the ramp's top would flatter Sohbet (a ramp
    that ends at 1,600 msg/s, which the baseline passes)."""
    ok, note = b2_verdict(800, 1600, [step(r) for r in (100, 800, 1600)], top=1600)
    assert ok is None and "passed the ramp's last step" in note


def test_a_baseline_that_missed_its_first_step_is_not_judged_either():
    ok, note = b2_verdict(400, 0, [step(100)], top=8000)
    assert ok is None and "missed its first step" in note


def test_the_note_says_where_the_load_generator_fell_behind():
    ramp = [step(1600), step(3200, late=100), step(4000, late=500)]
    ok, note = b2_verdict(2000, 4000, ramp, top=8000)
    assert ok is True and "fell behind the baseline at 3200 msg/s" in note
