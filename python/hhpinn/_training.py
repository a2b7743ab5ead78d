"""The result of a training run (shared by hhpinn.pinn and hhpinn.fhn)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TrainResult:
    """A trained and published network.

    Attributes
    ----------
    eval : ndarray, shape (128, 128)
        The first component on the evaluation grid (rows ``eval_t``, columns ``eval_x``).
    eval_t, eval_x : ndarray, shape (128,)
        ``linspace(0, t_end, 128)`` and ``linspace(x_min, x_max, 128)``.
    evals : dict[str, ndarray]
        Every component by name on the evaluation grid.
    loss : dict[str, ndarray]
        The loss history, one array per column of ``loss.csv`` (``window``, ``step``, ``loss``,
        ``pde``, ``residual``, ``initial``, ``boundary``, ``steer``, ``pin``, ``lr``, ``damping``).
    out : Path
        The published directory: ``model.safetensors``, ``eval*.npy``, ``loss.csv``,
        ``manifest.json`` (config, seed, versions, timings).
    termination : str
        ``"step_budget"``.
    steps : int
        Steps taken (first-order steps and Levenberg-Marquardt iterations, all windows).
    config : dict
        The validated run config (``problem`` and ``train``), as ``--config`` reads it.
    """

    eval: np.ndarray = field(repr=False)
    eval_t: np.ndarray = field(repr=False)
    eval_x: np.ndarray = field(repr=False)
    evals: dict[str, np.ndarray] = field(repr=False)
    loss: dict[str, np.ndarray] = field(repr=False)
    out: Path = Path()
    termination: str = ""
    steps: int = 0
    config: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def manifest(self) -> dict[str, Any]:
        """The run's ``manifest.json``."""
        return json.loads((self.out / "manifest.json").read_text())

    @classmethod
    def _from_native(cls, raw: dict[str, Any], names: tuple[str, ...]) -> "TrainResult":
        evals = dict(zip(names, raw["evals"]))
        return cls(
            eval=evals[names[0]],
            eval_t=raw["eval_t"],
            eval_x=raw["eval_x"],
            evals=evals,
            loss=dict(raw["loss"]),
            out=Path(raw["out"]),
            termination=raw["termination"],
            steps=raw["steps"],
            config=json.loads(raw["config"]),
        )


def train_section(steps: int | None, seed: int | None, windows: int | None) -> dict[str, Any]:
    """The ``train`` overrides of ``--steps``, ``--seed`` and ``--windows``."""
    train: dict[str, Any] = {}
    if steps is not None:
        train["steps"] = steps
    if seed is not None:
        train["seed"] = seed
    if windows is not None:
        train["march"] = {"windows": windows}
    return train
