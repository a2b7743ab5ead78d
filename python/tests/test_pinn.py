"""hhpinn.pinn and hhpinn.fhn.train: training from Python publishes what the CLI publishes,
reproducibly, refuses bad input before writing, and stops cleanly on Ctrl-C."""

import json
import os
import signal
import threading

import numpy as np
import pytest

from hhpinn import fd, fhn, measures, pinn


def test_presets_are_listed():
    assert {"seed", "precise", "kink", "march", "inclusion"} <= set(pinn.presets())
    assert fhn.presets()[:2] == ["front", "pulse"]
    assert pinn.defaults("precise")["problem"]["a"] == 0.1


def test_a_short_run_is_published_and_reproducible(tmp_path):
    a = pinn.train(tmp_path / "a", preset="seed", steps=30, seed=3)
    b = pinn.train(tmp_path / "b", preset="seed", steps=30, seed=3)
    assert a.eval.shape == (128, 128) and a.eval_t.shape == (128,)
    assert a.steps == 30 and a.termination == "step_budget"
    assert len(a.loss["loss"]) == 30 and list(a.loss["step"][:3]) == [0, 1, 2]
    assert a.loss["loss"][-1] < a.loss["loss"][0]
    for name in ("model.safetensors", "eval.npy", "loss.csv", "manifest.json"):
        assert (a.out / name).is_file()
    np.testing.assert_array_equal(np.load(a.out / "eval.npy"), a.eval)
    assert a.manifest["seed"] == 3 and a.config["train"]["steps"] == 30
    # same seed, same bytes
    np.testing.assert_array_equal(a.eval, b.eval)
    assert (a.out / "model.safetensors").read_bytes() == (b.out / "model.safetensors").read_bytes()


def test_the_pinn_is_measured_against_the_fd_reference(tmp_path):
    run = pinn.train(tmp_path / "run", preset="seed", steps=200, t_end=0.2)
    ref = fd.solve(t_end=0.2, nx=256, nt=256)
    err = measures.rel_l2(run.eval, ref.eval)
    assert 0 < err < 1.0


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(preset="nope"), "preset"),
        (dict(preset="seed", config={}), "preset"),
        (dict(a=1e308), "a"),
        (dict(steps=-1), "steps"),
        (dict(checkpoint_every=0), "checkpoint_every"),
        (dict(config={"train": {"lr": "fast"}}), "train"),
    ],
)
def test_bad_input_raises_value_error_and_writes_nothing(tmp_path, kwargs, field):
    out = tmp_path / "run"
    with pytest.raises(ValueError) as e:
        pinn.train(out, **kwargs)
    assert field in str(e.value), str(e.value)
    assert not out.exists()


def test_a_users_directory_is_not_replaced(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    with pytest.raises(ValueError, match="out"):
        pinn.train(mine, preset="seed", steps=5)
    assert (mine / "notes.txt").read_text() == "precious"


def test_ctrl_c_stops_training_and_publishes_what_was_trained(tmp_path):
    out = tmp_path / "run"
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt, match="training stopped after"):
            pinn.train(out, preset="seed", steps=10_000_000)
    finally:
        timer.cancel()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["termination"] == "observer"
    assert 0 < manifest["steps"] < 10_000_000
    assert np.isfinite(np.load(out / "eval.npy")).all()


def test_fitzhugh_nagumo_trains_both_components(tmp_path):
    run = fhn.train(tmp_path / "fhn", steps=5, t_end=5.0, x_max=20.0)
    assert set(run.evals) == {"u", "v"} and run.evals["v"].shape == (128, 128)
    assert (run.out / "eval_v.npy").is_file()
