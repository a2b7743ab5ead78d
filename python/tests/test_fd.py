"""hhpinn.fd and hhpinn.fhn: the FD solvers from Python, checked against exact solutions and
against the validation of the command-line tools."""

import math

import numpy as np
import pytest

import hhpinn
from hhpinn import fd, fhn, measures, waves


def test_the_default_is_the_papers_problem_on_the_documented_grid():
    d = fd.defaults()
    assert d["problem"]["a"] == 0.1 and d["problem"]["k"] == 5.0
    assert d["problem"]["ic"] == "paper" and d["problem"]["bc"] == "dirichlet"
    assert d["problem"]["x_max"] == pytest.approx(math.pi)


def test_solution_shapes_and_axes():
    s = fd.solve(nx=64, nt=32, t_end=0.5)
    assert s.u.shape == (33, 65)
    assert s.t.shape == (33,) and s.x.shape == (65,)
    assert s.t[0] == 0.0 and s.t[-1] == pytest.approx(0.5)
    assert s.x[0] == 0.0 and s.x[-1] == pytest.approx(math.pi)
    assert s.eval.shape == (128, 128)
    assert s.eval_t[-1] == pytest.approx(0.5) and s.eval_x[-1] == pytest.approx(math.pi)
    # the paper's pulse 2/cosh(10 (x - pi/2)) at t = 0 inside, the Dirichlet data 0 at the ends
    np.testing.assert_allclose(s.u[0, 1:-1], 2 / np.cosh(10 * (s.x[1:-1] - math.pi / 2)), rtol=1e-14)
    assert np.all(s.u[:, [0, -1]] == 0.0)
    assert s.config["grid"]["nx"] == 64 and s.config["problem"]["t_end"] == 0.5


def test_the_inf_front_travels_at_the_exact_speed_at_order_two():
    # k = inf, the exact front U(x - c t) as initial data on the whole line (free mode)
    a, t_end = 0.25, 2.0

    def error(nx):
        s = fd.solve(a=a, k="inf", bc="free", ic="front:0", x_min=-10, x_max=10, t_end=t_end,
                     nx=nx, nt=nx // 2)
        return measures.max_abs(s.u[-1], waves.front(a, s.x, t_end))

    coarse, fine = error(400), error(800)
    assert fine < 2e-4 and 3.6 < coarse / fine < 4.4, (coarse, fine)


def test_k_inf_as_a_float_or_a_string():
    kw = dict(a=0.25, bc="free", ic="front:0", x_min=-5, x_max=5, t_end=0.5, nx=100, nt=50)
    np.testing.assert_array_equal(fd.solve(k="inf", **kw).u, fd.solve(k=math.inf, **kw).u)


def test_an_array_as_initial_data_is_the_profile_it_samples():
    x = np.linspace(0, math.pi, 2001)
    given = fd.solve(ic=2 / np.cosh(10 * (x - math.pi / 2)), nx=64, nt=32)
    paper = fd.solve(ic="paper", nx=64, nt=32)
    assert measures.rel_l2(given.u, paper.u) < 1e-4


def test_amplitude_scales_the_initial_data():
    s = fd.solve(amplitude=0.5, nx=64, nt=8)
    np.testing.assert_allclose(s.u[0, 1:-1], 1 / np.cosh(10 * (s.x[1:-1] - math.pi / 2)), rtol=1e-14)


def test_a_config_dict_and_keywords_on_top():
    s = fd.solve(config={"problem": {"a": 0.3}, "grid": {"nx": 32, "nt": 16}}, nt=8)
    assert s.config["problem"]["a"] == 0.3
    assert s.u.shape == (9, 33)


def test_a_config_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[problem]\na = 0.2\n[grid]\nnx = 32\nnt = 16\n")
    s = fd.solve(config=path)
    assert s.config["problem"]["a"] == 0.2 and s.u.shape == (17, 33)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(nx=3), "nx"),
        (dict(a=math.nan), "a"),
        (dict(a=1e308), "a"),
        (dict(k=-1.0), "k"),
        (dict(k="sideways"), "k"),
        (dict(bc="sideways"), "bc"),
        (dict(ic="nope:1"), "ic"),
        (dict(t_end=-1.0), "t_end"),
        (dict(x_min=1.0, x_max=0.0), "x_max"),
        (dict(theta=0.2), "theta"),
        (dict(amplitude=-1.0), "amplitude"),
        (dict(config={"problem": {"b": 1}}), "b"),
        (dict(config={"grid": {"nx": "many"}}), "grid.nx"),
        (dict(config="/no/such/config.toml"), "/no/such/config.toml"),
    ],
)
def test_bad_input_raises_value_error_naming_the_field(kwargs, field):
    with pytest.raises(ValueError) as e:
        fd.solve(**kwargs)
    assert field in str(e.value), str(e.value)


def test_fitzhugh_nagumo_without_recovery_is_the_nagumo_front():
    # eps = 0: v stays 0 and u is the Nagumo front, travelling at (1 - 2a)/sqrt 2
    a, t_end = 0.25, 5.0
    s = fhn.solve(a=a, eps=0.0, ic="nagumo:20", x_min=0, x_max=60, t_end=t_end, nx=1200, nt=500)
    assert set(s.fields) == {"u", "v"}
    assert s.fields["v"].shape == s.u.shape and np.all(s.fields["v"] == 0.0)
    exact = waves.nagumo_front(s.x - 20 - waves.nagumo_speed(a) * t_end)
    assert measures.max_abs(s.u[-1], exact) < 1e-3


def test_fitzhugh_nagumo_refuses_a_negative_rate():
    with pytest.raises(ValueError, match="eps"):
        fhn.solve(eps=-1.0, nx=32, nt=8)


def test_the_package_has_a_version():
    assert hhpinn.__version__.count(".") == 2
