"""Keyword arguments -> the config sections of the native calls (shared by fd, fhn and pinn)."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator, Mapping

import numpy as np


def section(values: Mapping[str, Any]) -> dict[str, Any]:
    """The keywords that were given (``None`` means "the config's value")."""
    return {key: value for key, value in values.items() if value is not None}


@contextmanager
def initial_data(problem: dict[str, Any], fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Initial data given as arrays become ``npy:PATH`` files for the call's duration, so they go
    through the same validated loader as the command line's ``--ic npy:PATH``: a 1-D array of
    samples on a uniform grid of [x_min, x_max]."""
    arrays = {f: problem[f] for f in fields if isinstance(problem.get(f), (np.ndarray, list, tuple))}
    if not arrays:
        yield problem
        return
    with tempfile.TemporaryDirectory(prefix="hhpinn-ic-") as tmp:
        problem = dict(problem)
        for field, values in arrays.items():
            path = os.path.join(tmp, f"{field}.npy")
            np.save(path, np.asarray(values, dtype=np.float64))
            problem[field] = f"npy:{path}"
        yield problem
