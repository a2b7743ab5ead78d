"""The error measures of every report, on a grid u[t_i, x_j] (rows t, columns x):

    rel_l2  = ||u - ref||_2 / ||ref||_2
    max_abs = max |u - ref|
    rel_h1  = sqrt(sum e^2 + sum e_x^2) / sqrt(sum ref^2 + sum ref_x^2),   e = u - ref

with e_x by central differences inside and one-sided at the two ends (h = the x-spacing).
Arrays of any float dtype are accepted; a 1-D array is one time row. Shapes must agree, values
must be finite and ``ref`` not zero everywhere, else ``ValueError`` names the argument.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _native


def _grid(values: ArrayLike) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 1:
        a = a[np.newaxis, :]
    if a.ndim != 2:
        raise ValueError(f"invalid array of shape {a.shape}: must be 1-D or 2-D (rows t, columns x)")
    return np.ascontiguousarray(a)


def errors(u: ArrayLike, ref: ArrayLike, h: float = 1.0) -> tuple[float, float, float]:
    """``(rel_l2, max_abs, rel_h1)`` of ``u`` against ``ref``; ``h`` is the x-spacing (only
    ``rel_h1`` depends on it)."""
    return _native.errors(_grid(u), _grid(ref), float(h))


def rel_l2(u: ArrayLike, ref: ArrayLike) -> float:
    """``||u - ref||_2 / ||ref||_2`` over the whole grid."""
    return errors(u, ref)[0]


def max_abs(u: ArrayLike, ref: ArrayLike) -> float:
    """``max |u - ref|`` over the whole grid."""
    return errors(u, ref)[1]


def rel_h1(u: ArrayLike, ref: ArrayLike, h: float) -> float:
    """The relative H1 error in x; ``h`` is the x-spacing of the columns, e.g.
    ``(x_max - x_min) / 127`` on the 128 x 128 evaluation grid."""
    return errors(u, ref, h)[2]
