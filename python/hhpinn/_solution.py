"""The result of an FD solve (shared by hhpinn.fd and hhpinn.fhn)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Solution:
    """An FD solution.

    Attributes
    ----------
    u : ndarray, shape (nt + 1, nx + 1)
        The first component on the FD grid; rows are times ``t``, columns points ``x``.
    t, x : ndarray
        The grid's ``nt + 1`` times and ``nx + 1`` points of [x_min, x_max].
    eval : ndarray, shape (128, 128)
        ``u`` on the evaluation grid of every report (rows ``eval_t``, columns ``eval_x``), by
        cubic interpolation: what PINN errors are measured against.
    eval_t, eval_x : ndarray, shape (128,)
        ``linspace(0, t_end, 128)`` and ``linspace(x_min, x_max, 128)``.
    fields, evals : dict[str, ndarray]
        Every component by name (FitzHugh-Nagumo: ``"u"``, ``"v"``), on each grid.
    config : dict
        The validated config that was solved (``problem`` and ``grid``), as a config file holds it.
    stats : dict
        What the solve did (grid, iterations, margin of free mode, time).
    seconds : float
        Wall time of the solve.
    """

    u: np.ndarray = field(repr=False)
    t: np.ndarray = field(repr=False)
    x: np.ndarray = field(repr=False)
    eval: np.ndarray = field(repr=False)
    eval_t: np.ndarray = field(repr=False)
    eval_x: np.ndarray = field(repr=False)
    fields: dict[str, np.ndarray] = field(repr=False)
    evals: dict[str, np.ndarray] = field(repr=False)
    config: dict[str, Any] = field(repr=False)
    stats: dict[str, Any] = field(repr=False)
    seconds: float = 0.0

    def __repr__(self) -> str:
        shapes = ", ".join(f"{name}: {a.shape}" for name, a in self.fields.items())
        return (
            f"Solution({shapes}, t in [{self.t[0]:g}, {self.t[-1]:g}], "
            f"x in [{self.x[0]:g}, {self.x[-1]:g}], eval: {self.eval.shape}, "
            f"seconds={self.seconds:.3g})"
        )

    @classmethod
    def _from_native(cls, raw: dict[str, Any], names: tuple[str, ...]) -> "Solution":
        fields = dict(zip(names, raw["fields"]))
        evals = dict(zip(names, raw["evals"]))
        first = names[0]
        return cls(
            u=fields[first],
            t=raw["t"],
            x=raw["x"],
            eval=evals[first],
            eval_t=raw["eval_t"],
            eval_x=raw["eval_x"],
            fields=fields,
            evals=evals,
            config=json.loads(raw["config"]),
            stats=json.loads(raw["stats"]),
            seconds=raw["seconds"],
        )
