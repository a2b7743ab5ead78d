"""The nerve-impulse workspace from Python.

Modules
-------
hhpinn.fd        the verified implicit FD reference for u_t - u_xx + u = H_k(u - a) (k = inf: the inclusion)
hhpinn.fhn       FitzHugh-Nagumo: FD solve and PINN training
hhpinn.pinn      PINN/DGM training of the nerve equation from a preset or a config
hhpinn.measures  rel_l2, max_abs, rel_h1: the error measures of every report
hhpinn.waves     exact travelling fronts, the standing pulse, front speeds c_k

Every function validates its input as the command-line tools do: invalid input raises
``ValueError`` naming the field and its allowed range; a run that fails raises ``RuntimeError``.
"""

from . import fd, fhn, measures, pinn, waves
from ._native import __version__

__all__ = ["fd", "fhn", "measures", "pinn", "waves", "__version__"]
