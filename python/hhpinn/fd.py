"""The verified implicit finite-difference reference for the nerve equation

    u_t - u_xx + u = H_k(u - a)   (k finite: the ramp H_k; k = inf: the inclusion's selections),

exactly as ``hh-fd solve`` runs it: the same config, the same validation, the same numbers.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Union

import numpy as np

from . import _native
from ._config import initial_data, section
from ._solution import Solution

ConfigLike = Union[Mapping[str, Any], str, "os.PathLike[str]", None]
Slope = Union[float, str]


def solve(
    *,
    a: float | None = None,
    k: Slope | None = None,
    regularisation: str | None = None,
    bc: str | None = None,
    ic: str | np.ndarray | None = None,
    amplitude: float | None = None,
    t_end: float | None = None,
    x_min: float | None = None,
    x_max: float | None = None,
    nx: int | None = None,
    nt: int | None = None,
    theta: float | None = None,
    margin: float | None = None,
    config: ConfigLike = None,
) -> Solution:
    """Solves one nerve problem by finite differences.

    The keywords are ``hh-fd solve``'s flags; each one left ``None`` keeps the value of
    ``config`` (a dict with ``problem`` and ``grid`` sections, or the path of a TOML/JSON config
    file, as ``--config``), whose missing fields keep the paper's defaults (``defaults()``: a = 0.1,
    k = 5, lower H_k, dirichlet, the paper's pulse 2/cosh(10(x - pi/2)) on [0, pi], T = 1; nx = 1016, nt = 8128, Crank-Nicolson).

    Parameters
    ----------
    a : threshold.
    k : ramp slope in (0, 1e6], or ``"inf"`` / ``math.inf`` for the exact Heaviside graph.
    regularisation : ``"lower"`` (the paper's H_k) or ``"upper"``.
    bc : ``"dirichlet"``, ``"neumann"`` or ``"free"`` (the whole line, solved on an extended interval).
    ic : ``"paper"``, ``"sin"``, ``"const:C"``, ``"step:X0"``, ``"front:X0"``, ``"plateau:W"``,
        ``"npy:PATH"``, or an array of u0 at uniform points of [x_min, x_max].
    amplitude : lambda >= 0, u0 = lambda * (the profile of ``ic``).
    t_end, x_min, x_max : the domain [x_min, x_max] x (0, t_end].
    nx, nt : intervals in x (>= 4) and time steps (>= 1).
    theta : in [0.5, 1]; 0.5 Crank-Nicolson (with Rannacher start-up), 1 backward Euler.
    margin : free mode: the extension of the interval on each side (default automatic).

    Returns
    -------
    Solution
        ``u`` of shape (nt + 1, nx + 1) (rows are times), ``t``, ``x``, ``eval`` (128 x 128).

    Raises
    ------
    ValueError
        Invalid input, naming the field and its allowed range.
    """
    problem = section(dict(a=a, k=k, regularisation=regularisation, bc=bc, ic=ic,
                           amplitude=amplitude, t_end=t_end, x_min=x_min, x_max=x_max))
    grid = section(dict(nx=nx, nt=nt, theta=theta, margin=margin))
    with initial_data(problem, ("ic",)) as problem:
        raw = _native.solve("nerve", config, {"problem": problem, "grid": grid})
    return Solution._from_native(raw, ("u",))


def defaults() -> dict[str, Any]:
    """The default config of ``solve`` (the paper's problem and the default grid)."""
    return json.loads(_native.default_config("nerve", "solve"))
