"""hhpinn.measures and hhpinn.waves against their formulas."""

import math

import numpy as np
import pytest

from hhpinn import measures, waves


def test_measures_are_the_documented_formulas():
    rng = np.random.default_rng(7)
    ref = rng.standard_normal((5, 9))
    u = ref + 1e-3 * rng.standard_normal((5, 9))
    e = u - ref
    assert measures.rel_l2(u, ref) == pytest.approx(np.linalg.norm(e) / np.linalg.norm(ref), rel=1e-14)
    assert measures.max_abs(u, ref) == pytest.approx(np.abs(e).max(), rel=1e-14)
    h = 0.1
    ex = np.gradient(e, h, axis=1, edge_order=1)
    rx = np.gradient(ref, h, axis=1, edge_order=1)
    want = math.sqrt(((e**2).sum() + (ex**2).sum()) / ((ref**2).sum() + (rx**2).sum()))
    assert measures.rel_h1(u, ref, h) == pytest.approx(want, rel=1e-12)


def test_measures_take_lists_float32_and_one_row():
    assert measures.rel_l2([1.0, 2.0], [1.0, 1.0]) == pytest.approx(math.sqrt(0.5))
    a = np.ones((3, 4), dtype=np.float32)
    assert measures.max_abs(a, 2 * a) == 1.0


@pytest.mark.parametrize(
    "u, ref, field",
    [
        (np.ones((3, 4)), np.ones((4, 3)), "u"),
        (np.full((3, 4), np.nan), np.ones((3, 4)), "u"),
        (np.ones((3, 4)), np.zeros((3, 4)), "ref"),
        (np.ones((3, 1)), np.ones((3, 1)), "u"),
    ],
)
def test_measures_refuse_what_they_cannot_measure(u, ref, field):
    with pytest.raises(ValueError, match=f"`{field}`"):
        measures.errors(u, ref)


def test_front_speed_exact_and_by_shooting():
    a = 0.25
    assert waves.front_speed(a) == pytest.approx((1 - 2 * a) / math.sqrt(a * (1 - a)), rel=1e-15)
    c = [waves.front_speed(a, k) for k in (20.0, 200.0, 2000.0)]
    # c_k -> c(a) as k -> inf, monotonically for the lower ramp
    gaps = [abs(ck - waves.front_speed(a)) for ck in c]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-2
    assert waves.front_speed(a, "inf") == waves.front_speed(a, math.inf)


def test_the_front_solves_its_travelling_wave_equation():
    a = 0.3
    c = waves.front_speed(a)
    xi = np.linspace(-5, 5, 20001)
    u = waves.front_profile(a, xi)
    h = xi[1] - xi[0]
    # U'' + c U' - U + H(U - a) = 0 away from the switch at xi = 0
    d2 = (u[2:] - 2 * u[1:-1] + u[:-2]) / h**2
    d1 = (u[2:] - u[:-2]) / (2 * h)
    r = d2 + c * d1 - u[1:-1] + (u[1:-1] > a)
    away = np.abs(xi[1:-1]) > 10 * h
    assert np.abs(r[away]).max() < 1e-5
    assert waves.front_profile(a, [0.0])[0] == pytest.approx(a)


def test_the_standing_pulse():
    a = 0.2
    x = np.linspace(-3, 3, 7)
    u = waves.standing_pulse(a, x)
    assert u.shape == x.shape and u.max() == pytest.approx(1 - math.sqrt(1 - 2 * a))
    assert waves.standing_pulse_eigenvalue(a) > 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: waves.front_speed(1.5),
        lambda: waves.front_speed(0.0),
        lambda: waves.front_profile(-0.1, [0.0]),
        lambda: waves.standing_pulse(0.6, [0.0]),
        lambda: waves.standing_pulse_eigenvalue(0.5),
        lambda: waves.nagumo_speed(2.0),
    ],
)
def test_waves_refuse_a_out_of_range(call):
    with pytest.raises(ValueError, match="`a`"):
        call()


def test_waves_refuse_a_bad_slope():
    with pytest.raises(ValueError, match="`k`"):
        waves.front_speed(0.25, -3.0)
