"""PINN/DGM training of the nerve equation u_t - u_xx + u = H_k(u - a), exactly as
``hh-pinn train`` runs it: a preset or a config, the same validation, the same published
directory, the same numbers for the same seed.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Union

import numpy as np

from . import _native
from ._config import initial_data, section
from ._training import TrainResult, train_section

ConfigLike = Union[Mapping[str, Any], str, "os.PathLike[str]", None]



def presets() -> list[str]:
    """The names of the training presets (as ``hh-pinn presets``)."""
    return list(_native.presets("nerve"))


def train(
    out: str | os.PathLike[str],
    *,
    preset: str | None = None,
    config: ConfigLike = None,
    a: float | None = None,
    k: float | str | None = None,
    regularisation: str | None = None,
    bc: str | None = None,
    ic: str | np.ndarray | None = None,
    amplitude: float | None = None,
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
    """Trains a network and publishes ``out`` (all at once; an existing ``out`` is replaced only
    if it is a directory of ours, never a user's).

    The run is ``preset`` (default ``"seed"``, the paper's setting; ``presets()`` lists them) or
    ``config`` (a dict with ``problem`` and ``train`` sections, or the path of a TOML/JSON file,
    as ``hh-pinn train --config``); the keywords, named as ``hh-pinn train``'s flags, override it.

    Training releases the GIL. Ctrl-C stops it after the current step, publishes what was
    trained (and its checkpoint, with ``checkpoint_every``) and raises ``KeyboardInterrupt``.

    Parameters
    ----------
    out : the output directory.
    preset, config : what to train (not both).
    a, k, regularisation, bc, ic, amplitude, t_end, x_min, x_max : the problem, as in
        ``hhpinn.fd.solve``.
    steps : optimiser steps (per time window when the run marches).
    seed : random seed.
    windows : time windows trained one after the other (a preset with the initial data built in,
        such as ``"march"``).
    threads : threads for the batch chunks (0: automatic); does not change the numbers.
    checkpoint_every : write a checkpoint to ``out + ".checkpoint"`` every this many steps.
    quiet : no progress bar on stderr.

    Returns
    -------
    TrainResult
        ``eval`` (128 x 128), ``loss`` (a dict of columns), ``out`` and the manifest.

    Raises
    ------
    ValueError
        Invalid input, naming the field and its allowed range; nothing is written.
    """
    problem = section(dict(a=a, k=k, regularisation=regularisation, bc=bc, ic=ic,
                           amplitude=amplitude, t_end=t_end, x_min=x_min, x_max=x_max))
    overrides = {"problem": problem, "train": train_section(steps, seed, windows)}
    with initial_data(problem, ("ic",)) as overrides["problem"]:
        raw = _native.train("nerve", os.fspath(out), preset, config, overrides,
                            threads=threads, quiet=quiet, checkpoint_every=checkpoint_every)
    names = ("u", "d") if len(raw["evals"]) == 2 else ("u",)
    return TrainResult._from_native(raw, names)


def defaults(preset: str = "seed") -> dict[str, Any]:
    """The run config of ``preset`` (``problem`` and ``train``): a starting point for ``config``."""
    return json.loads(_native.default_config("nerve", "train", preset))
