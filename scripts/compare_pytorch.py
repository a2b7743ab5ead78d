#!/usr/bin/env python3
"""Side-by-side speed and accuracy: the paper's PyTorch PINN vs this workspace's `hh-pinn`.

What it does, in one run and back to back (so that the ratios are fair on a shared machine):

1. Trains the paper's algorithm in PyTorch (the baseline below, written from docs/model.md,
   "PINN"; nothing is read from outside this repository): a 4x50 SiLU MLP N(x, t); M = 2000
   collocation points drawn once (x ~ U(0, pi), t ~ U(0, 1)); each step a batch of J = 256 of
   them (drawn with replacement); Adam, lr 1e-3; loss = mean r^2 + initial loss with
   r = u_t - u_xx + u - H_k(u), H_k the `lower` ramp (0 for u < a, k(u - a) on [a, a + 1/k),
   1 beyond), k = 5; u_t, u_x, u_xx by
   torch.autograd.grad(create_graph=True), exactly as the paper's code. The initial loss is either
   the published *pairwise* one (the paper's broadcasting bug: the mean over all pairs (i, j) of
   (u(x_j, 0) - phi(x_i))^2) -- preset `seed` -- or the intended pointwise mean_j (u(x_j, 0) -
   phi(x_j))^2 -- preset `seed-fixed`; phi(x) = 2 / cosh(10 (x - pi/2)).
2. Runs `hh-pinn train --preset seed|seed-fixed --quiet --out DIR` and reads
   DIR/manifest.json (timings.ms_per_step) and DIR/eval.npy.
3. Runs `hh-fd solve --a A --k 5 --bc BC --out DIR` for the reference DIR/eval.npy (128 x 128,
   rows t = linspace(0, 1, 128), columns x = linspace(0, pi, 128)), evaluates the PyTorch network on
   that grid and reports rel_l2 = ||u - u_ref|| / ||u_ref|| (and max_abs) for both sides.

Timings: ms/step is the wall time of the whole training loop divided by the number of steps, on
both sides (the PyTorch clock starts after the network and optimiser are built, as hh-pinn's).
PyTorch runs on the CPU with torch.set_num_threads(--threads); hh-pinn gets the same --threads
(it splits the batch into 2 chunks, so it uses at most 2 threads). The runs alternate (PyTorch
seed, ours seed, PyTorch seed-fixed, ours seed-fixed), --repeats times; the reported ms/step are
medians over the repeats and the ratio is the median of the ratios of back-to-back pairs, which a
shared, noisy machine disturbs least.

Binaries: by default the script runs `cargo build --release -p hh-model --bins` first (a no-op
when up to date, and it guarantees the binaries match the source), then uses target/release/. With
--no-build it uses whatever target/release/{hh-pinn,hh-fd} hold (and fails if they are missing).

Usage:
    python3 scripts/compare_pytorch.py                       # a = 0.1, 2000 steps, 2 threads
    python3 scripts/compare_pytorch.py --steps 200 --out cmp.json
    python3 scripts/compare_pytorch.py --install             # pip-install torch/numpy if missing

Exit status: 0 on success, 2 when torch/numpy are missing (without --install) or input is invalid,
1 when a build or run fails.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PRESETS = ("seed", "seed-fixed")

# The paper's settings (docs/model.md, "PINN", preset `seed`); --steps and --a override the two
# that vary.
M_POINTS = 2000
BATCH = 256
WIDTH = 50
DEPTH = 4
LR = 1e-3
K = 5.0
T_END = 1.0
GRID = 128


def need_python_packages(install: bool):
    """Imports torch and numpy, pip-installing them first with --install."""
    missing = [m for m in ("numpy", "torch") if importlib.util.find_spec(m) is None]
    if missing and install:
        cmd = [sys.executable, "-m", "pip", "install", *missing]
        print("+ " + " ".join(cmd), flush=True)
        if subprocess.run(cmd).returncode != 0:
            sys.exit("pip install failed")
        importlib.invalidate_caches()
        missing = [m for m in ("numpy", "torch") if importlib.util.find_spec(m) is None]
    if missing:
        print(
            f"error: missing Python package(s): {', '.join(missing)}.\n"
            f"  install with:  {sys.executable} -m pip install {' '.join(missing)}\n"
            f"  (CPU-only torch, smaller: add --index-url https://download.pytorch.org/whl/cpu)\n"
            f"  or rerun this script with --install",
            file=sys.stderr,
        )
        sys.exit(2)
    import numpy
    import torch

    return numpy, torch


# ---------------------------------------------------------------------------------------------
# The PyTorch baseline (the paper's algorithm).
# ---------------------------------------------------------------------------------------------


def pytorch_train(torch, a: float, steps: int, pairwise: bool, seed: int):
    """Trains the paper's PINN on the CPU; returns (model, final loss, ms per step)."""
    from torch.autograd import grad

    torch.manual_seed(seed)
    x_data = torch.rand(M_POINTS, 1) * math.pi
    t_data = torch.rand(M_POINTS, 1) * T_END

    layers: list = [torch.nn.Linear(2, WIDTH), torch.nn.SiLU()]
    for _ in range(DEPTH - 1):
        layers += [torch.nn.Linear(WIDTH, WIDTH), torch.nn.SiLU()]
    layers.append(torch.nn.Linear(WIDTH, 1))
    model = torch.nn.Sequential(*layers)
    optim = torch.optim.Adam(model.parameters(), lr=LR)

    def phi(x):
        return 2.0 / torch.cosh(10.0 * (x - math.pi / 2))

    def h_k(u):
        # The `lower` ramp k(u - a) clipped to [0, 1], as the paper's nested torch.where.
        zero, one = torch.zeros_like(u), torch.ones_like(u)
        return torch.where(u < a, zero, torch.where(u < a + 1.0 / K, K * (u - a), one))

    loss = torch.tensor(float("nan"))
    t0 = time.perf_counter()
    for _ in range(steps):
        idx = torch.randint(0, M_POINTS, (BATCH,))
        x = x_data[idx, :]
        t = t_data[idx, :]
        x.requires_grad_()
        t.requires_grad_()
        optim.zero_grad()
        u0 = model(torch.hstack((x, torch.zeros_like(t))))  # (J, 1)
        if pairwise:
            # The published loss: u0 (J,1) minus phi(x) of shape (J,1,1) broadcasts to (J,J,1),
            # element [i, j] = u(x_j, 0) - phi(x_i); written out explicitly here.
            initial_loss = (u0.view(1, -1) - phi(x).view(-1, 1)).square().mean()
        else:
            initial_loss = (u0 - phi(x)).square().mean()
        u = model(torch.hstack((x, t)))
        ones = torch.ones_like(u)
        u_t = grad(u, t, ones, create_graph=True)[0]
        u_x = grad(u, x, ones, create_graph=True)[0]
        u_xx = grad(u_x, x, ones, create_graph=True)[0]
        pde_loss = (u_t - u_xx + u - h_k(u)).square().mean()
        loss = initial_loss + pde_loss
        loss.backward()
        optim.step()
    ms = 1e3 * (time.perf_counter() - t0) / max(steps, 1)
    return model, float(loss.item()), ms


def pytorch_grid(torch, numpy, model):
    """The network on the evaluation grid: z[i_t, j_x], float64."""
    xs = torch.linspace(0, math.pi, GRID)
    ts = torch.linspace(0, T_END, GRID)
    tg, xg = torch.meshgrid(ts, xs, indexing="ij")
    with torch.no_grad():
        z = model(torch.stack((xg.reshape(-1), tg.reshape(-1)), dim=1))
    return z.reshape(GRID, GRID).numpy().astype(numpy.float64)


# ---------------------------------------------------------------------------------------------
# The workspace's binaries.
# ---------------------------------------------------------------------------------------------


def run(cmd: list, **kw) -> subprocess.CompletedProcess:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    p = subprocess.run([str(c) for c in cmd], cwd=REPO, text=True, capture_output=True, **kw)
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        print(f"error: {cmd[0]} exited with {p.returncode}", file=sys.stderr)
        sys.exit(1)
    return p


def binaries(build: bool) -> dict:
    if build:
        run(["cargo", "build", "--release", "-p", "hh-model", "--bins"])
    exe = ".exe" if os.name == "nt" else ""
    bins = {n: REPO / "target" / "release" / f"{n}{exe}" for n in ("hh-pinn", "hh-fd")}
    for name, path in bins.items():
        if not path.is_file():
            print(
                f"error: {path} not found; build it with "
                f"`cargo build --release -p hh-model --bins` (or drop --no-build)",
                file=sys.stderr,
            )
            sys.exit(1)
    return bins


def ours_train(bins, preset: str, args, out: Path):
    """Trains with hh-pinn; returns (eval grid, ms per step, manifest)."""
    import numpy

    run(
        [bins["hh-pinn"], "train", "--preset", preset, "--a", args.a, "--k", "5",
         "--bc", args.bc, "--steps", args.steps, "--seed", args.seed,
         "--threads", args.threads, "--quiet", "--out", out]
    )
    manifest = json.loads((out / "manifest.json").read_text())
    ms = manifest["timings"]["ms_per_step"]
    return numpy.load(out / "eval.npy"), float(ms), manifest


def errors(numpy, u, ref) -> dict:
    e = u - ref
    return {
        "rel_l2": float(numpy.linalg.norm(e) / numpy.linalg.norm(ref)),
        "max_abs": float(numpy.abs(e).max()),
    }


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See the module docstring (head of this file) for the details.",
    )
    p.add_argument("--steps", type=int, default=2000, help="training steps (default 2000)")
    p.add_argument("--a", type=float, default=0.1, help="threshold a (default 0.1)")
    p.add_argument("--threads", type=int, default=2,
                   help="torch.set_num_threads and hh-pinn --threads (default 2)")
    p.add_argument("--seed", type=int, default=0, help="seed of both sides (default 0)")
    p.add_argument("--bc", default="dirichlet", choices=["dirichlet", "neumann", "free"],
                   help="boundary mode of the FD reference (neither PINN imposes one; default "
                        "dirichlet)")
    p.add_argument("--install", action="store_true",
                   help="pip-install torch and numpy when they are missing")
    p.add_argument("--no-build", action="store_true",
                   help="use target/release/{hh-pinn,hh-fd} as they are instead of running "
                        "`cargo build --release -p hh-model --bins` first")
    p.add_argument("--work", type=Path,
                   help="keep the runs' output directories here (default: a temporary directory)")
    p.add_argument("--out", type=Path, help="write the results as JSON to this file")
    p.add_argument("--repeats", type=int, default=3,
                   help="alternating PyTorch/ours pairs per preset; medians are reported (default 3)")
    args = p.parse_args()
    if args.steps < 1 or args.threads < 1 or args.repeats < 1 or not (0.0 < args.a < 1.0):
        p.error("need --steps >= 1, --threads >= 1, --repeats >= 1 and 0 < --a < 1")

    numpy, torch = need_python_packages(args.install)
    torch.set_num_threads(args.threads)
    bins = binaries(not args.no_build)

    with tempfile.TemporaryDirectory(prefix="compare_pytorch_") as tmp:
        work = args.work.resolve() if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        run([bins["hh-fd"], "solve", "--a", args.a, "--k", "5", "--bc", args.bc,
             "--out", work / "fd"])
        ref = numpy.load(work / "fd" / "eval.npy")
        if ref.shape != (GRID, GRID):
            sys.exit(f"unexpected FD grid shape {ref.shape}")

        runs = {preset: [] for preset in PRESETS}
        for repeat in range(args.repeats):
            for preset in PRESETS:
                print(f"[{repeat + 1}/{args.repeats}] PyTorch {preset}: {args.steps} steps, "
                      f"{args.threads} thread(s) ...", flush=True)
                model, loss, ms_torch = pytorch_train(
                    torch, args.a, args.steps, pairwise=(preset == "seed"), seed=args.seed
                )
                u_torch = pytorch_grid(torch, numpy, model)
                if args.work:
                    numpy.save(work / f"pytorch-{preset}.npy", u_torch)
                out = work / f"ours-{preset}-{repeat}"
                u_ours, ms_ours, manifest = ours_train(bins, preset, args, out)
                runs[preset].append({
                    "pytorch": {"ms_per_step": ms_torch, "final_loss": loss,
                                **errors(numpy, u_torch, ref)},
                    "ours": {"ms_per_step": ms_ours, "final_loss": manifest.get("final_loss"),
                             **errors(numpy, u_ours, ref)},
                    "speedup": ms_torch / ms_ours,
                })

        def median(xs):
            xs = sorted(xs)
            n = len(xs)
            return xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])

        rows = {}
        for preset, rs in runs.items():
            last = rs[-1]
            rows[preset] = {
                "pytorch": {**last["pytorch"],
                            "ms_per_step": median([r["pytorch"]["ms_per_step"] for r in rs])},
                "ours": {**last["ours"], "ms_per_step": median([r["ours"]["ms_per_step"] for r in rs])},
                "speedup": median([r["speedup"] for r in rs]),
                "speedup_range": [min(r["speedup"] for r in rs), max(r["speedup"] for r in rs)],
                "runs": rs,
            }

    header = (f"{'preset':<11} {'PyTorch ms/step':>15} {'ours ms/step':>13} {'ratio':>7}   "
              f"{'PyTorch rel_l2':>14} {'ours rel_l2':>11}")
    print()
    print(f"a = {args.a}, k = 5, lower, {args.steps} steps, {args.threads} thread(s), "
          f"FD reference {args.bc}; medians of {args.repeats} alternating pairs; "
          f"ratio = PyTorch / ours")
    print(header)
    print("-" * len(header))
    for preset, r in rows.items():
        print(f"{preset:<11} {r['pytorch']['ms_per_step']:>15.3f} {r['ours']['ms_per_step']:>13.3f} "
              f"{r['speedup']:>6.1f}x   {r['pytorch']['rel_l2']:>14.4f} {r['ours']['rel_l2']:>11.4f}"
              f"   (ratios {r['speedup_range'][0]:.1f}-{r['speedup_range'][1]:.1f})")

    if args.out:
        result = {
            "what": "paper PyTorch PINN vs hh-pinn, back to back",
            "settings": {"a": args.a, "k": K, "regularisation": "lower", "steps": args.steps,
                         "threads": args.threads, "seed": args.seed, "fd_bc": args.bc,
                         "points": M_POINTS, "batch": BATCH, "depth": DEPTH, "width": WIDTH,
                         "lr": LR, "repeats": args.repeats},
            "presets": rows,
            "versions": {"python": platform.python_version(), "torch": torch.__version__,
                         "numpy": numpy.__version__, "machine": platform.machine(),
                         "cpus": os.cpu_count()},
        }
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
