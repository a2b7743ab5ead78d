"""Exact and semi-exact waves (the whole line).

Nerve equation u_t = u_xx - u + H(u - a) at k = inf:

    front   U(xi) = a exp(-mu xi) (xi > 0),  1 - (1 - a) exp(xi / mu) (xi < 0),  mu = sqrt((1 - a)/a)
            speed c(a) = (1 - 2a) / sqrt(a (1 - a)),  solution U(x - x0 - c t)
    standing pulse (the critical nucleus, a < 1/2): 1 - exp(-L) cosh x (|x| < L),
            sinh L exp(-|x|) (|x| >= L),  L = -ln(1 - 2a)/2;  one unstable eigenvalue.

For a ramp H_k the front speed c_k(a) is found by shooting. FitzHugh-Nagumo's cubic without
recovery (Nagumo): front 1 / (1 + exp(z / sqrt 2)), speed (1 - 2a)/sqrt 2.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _native


def _array(values: ArrayLike) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64))


def front_speed(a: float, k: float | str = "inf", regularisation: str = "lower") -> float:
    """The front speed: c(a) exactly at ``k = "inf"``, c_k(a) by shooting for a ramp
    (``regularisation`` ``"lower"`` or ``"upper"``). ``a`` in (0, 1); k in (0, 1e6] or inf."""
    return _native.front_speed(float(a), k, regularisation)


def front_profile(a: float, xi: ArrayLike) -> np.ndarray:
    """The exact k = inf front U(xi), U(0) = a, at every xi (any shape). ``a`` in (0, 1)."""
    return _native.front_profile(float(a), _array(xi))


def front(a: float, x: ArrayLike, t: float, x0: float = 0.0) -> np.ndarray:
    """The travelling front u(t, x) = U(x - x0 - c(a) t) at k = inf (``hh-fd``'s ``front:X0``)."""
    return front_profile(a, np.asarray(x, dtype=np.float64) - x0 - front_speed(a) * t)


def standing_pulse(a: float, x: ArrayLike) -> np.ndarray:
    """The standing pulse U(x) centred at 0, ``a`` in (0, 1/2)."""
    return _native.standing_pulse(float(a), _array(x))


def standing_pulse_eigenvalue(a: float) -> float:
    """The standing pulse's unstable eigenvalue lambda > 0, ``a`` in (0, 1/2)."""
    return _native.standing_pulse_eigenvalue(float(a))


def nagumo_speed(a: float) -> float:
    """Speed (1 - 2a)/sqrt 2 of the Nagumo front of u_t = u_xx + u(1 - u)(u - a), a in (0, 1)."""
    return _native.nagumo_speed(float(a))


def nagumo_front(z: ArrayLike) -> np.ndarray:
    """The Nagumo front profile 1 / (1 + exp(z / sqrt 2)) at every z (any shape)."""
    return _native.nagumo_front(_array(z))
