"""FitzHugh-Nagumo, u_t = u_xx + f(u) - v, v_t = eps (u - gamma v), with the cubic
f = u (1 - u)(u - a) or McKean's f = -u + H_k(u - a): the FD solve and PINN training exactly as
``hh-fhn solve`` and ``hh-fhn train`` run them.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Union

import numpy as np

from . import _native
from ._config import initial_data, section
from ._solution import Solution
from ._training import TrainResult, train_section

ConfigLike = Union[Mapping[str, Any], str, "os.PathLike[str]", None]


def _problem(**values: Any) -> dict[str, Any]:
    return section(values)


def solve(
    *,
    interaction: str | None = None,
    a: float | None = None,
    eps: float | None = None,
    gamma: float | None = None,
    k: float | str | None = None,
    regularisation: str | None = None,
    bc: str | None = None,
    ic: str | np.ndarray | None = None,
    amplitude: float | None = None,
    v0: str | np.ndarray | None = None,
    t_end: float | None = None,
    x_min: float | None = None,
    x_max: float | None = None,
    nx: int | None = None,
    nt: int | None = None,
    theta: float | None = None,
    margin: float | None = None,
    config: ConfigLike = None,
) -> Solution:
    """Solves FitzHugh-Nagumo by finite differences.

    The keywords are ``hh-fhn solve``'s flags (``interaction``: ``"cubic"`` or ``"mckean"``;
    ``ic``/``v0``: ``"nagumo:X0"``, ``"paper"``, ``"const:C"``, ... or arrays); each one left
    ``None`` keeps the value of ``config`` or the default (``defaults()``: cubic, a = 0.1,
    eps = 0.005, gamma = 0, neumann, a Nagumo front at x = 5 on [0, 100], T = 100).

    Returns
    -------
    Solution
        ``u`` and ``fields["v"]`` of shape (nt + 1, nx + 1), ``eval`` and ``evals["v"]`` (128 x 128).

    Raises
    ------
    ValueError
        Invalid input, naming the field and its allowed range.
    """
    problem = _problem(interaction=interaction, a=a, eps=eps, gamma=gamma, k=k,
                       regularisation=regularisation, bc=bc, ic=ic, amplitude=amplitude, v0=v0,
                       t_end=t_end, x_min=x_min, x_max=x_max)
    grid = section(dict(nx=nx, nt=nt, theta=theta, margin=margin))
    with initial_data(problem, ("ic", "v0")) as problem:
        raw = _native.solve("fhn", config, {"problem": problem, "grid": grid})
    return Solution._from_native(raw, ("u", "v"))


def train(
    out: str | os.PathLike[str],
    *,
    preset: str | None = None,
    config: ConfigLike = None,
    interaction: str | None = None,
    a: float | None = None,
    eps: float | None = None,
    gamma: float | None = None,
    k: float | str | None = None,
    regularisation: str | None = None,
    bc: str | None = None,
    ic: str | np.ndarray | None = None,
    amplitude: float | None = None,
    v0: str | np.ndarray | None = None,
    t_end: float | None = None,
    x_min: float | None = None,
    x_max: float | None = None,
    steps: int | None = None,
    seed: int | None = None,
    windows: int | None = None,
    threads: int = 0,
    checkpoint_every: int | None = None,
    quiet: bool = True,
) -> TrainResult:
    """Trains a PINN for FitzHugh-Nagumo and publishes ``out``, as ``hh-fhn train``: ``preset``
    (``"front"``, the default, ``"pulse"``, or one of hh-pinn's) or ``config``, with the
    keywords on top. See ``hhpinn.pinn.train`` for the rest (GIL, Ctrl-C, checkpoints).

    Returns
    -------
    TrainResult
        ``eval`` (u) and ``evals["v"]`` on the 128 x 128 grid, the loss history, ``out``.
    """
    problem = _problem(interaction=interaction, a=a, eps=eps, gamma=gamma, k=k,
                       regularisation=regularisation, bc=bc, ic=ic, amplitude=amplitude, v0=v0,
                       t_end=t_end, x_min=x_min, x_max=x_max)
    overrides = {"problem": problem, "train": train_section(steps, seed, windows)}
    with initial_data(problem, ("ic", "v0")) as overrides["problem"]:
        raw = _native.train("fhn", os.fspath(out), preset, config, overrides,
                            threads=threads, quiet=quiet, checkpoint_every=checkpoint_every)
    return TrainResult._from_native(raw, ("u", "v"))


def defaults(kind: str = "solve", preset: str | None = None) -> dict[str, Any]:
    """The default config of ``solve`` (``kind="solve"``) or of a training ``preset``
    (``kind="train"``, default ``"front"``)."""
    return json.loads(_native.default_config("fhn", kind, preset))


def presets() -> list[str]:
    """The names of the training presets (``front``, ``pulse``, then hh-pinn's)."""
    return list(_native.presets("fhn"))
