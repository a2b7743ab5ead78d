//! Fisher–KPP against its exact travelling wave: the FD solver (unchanged) converges to it at
//! order 2, and the binary made of the generic commands solves, trains and refuses bad input.

use hh_core::{EvalGrid, ModelConfig, ReactionDiffusion};
use hh_kpp::{KppConfig, exact};
use std::process::Command;

/// Max error over the evaluation grid against the exact wave, Crank–Nicolson with `nt = nx`.
fn fd_error(nx: usize) -> f64 {
    let config = KppConfig::default();
    let model = config.build_model().unwrap();
    let grid = hh_fd::GridConfig {
        nx,
        nt: nx,
        ..Default::default()
    };
    let sol = hh_fd::solve(&model, &grid).unwrap();
    let eval = EvalGrid::paper(&model.domain());
    let u = sol.on_grid(&eval, 0);
    let mut err: f64 = 0.0;
    for (i, &t) in eval.t.iter().enumerate() {
        for (j, &x) in eval.x.iter().enumerate() {
            err = err.max((u[(i, j)] - exact(t, x, config.x0).value).abs());
        }
    }
    err
}

#[test]
fn finite_differences_converge_to_the_exact_wave_at_order_2() {
    let (coarse, fine) = (fd_error(400), fd_error(800));
    let order = (coarse / fine).log2();
    println!("max error {coarse:e} (nx = 400), {fine:e} (nx = 800): order {order:.3}");
    assert!(fine < 2e-4, "error {fine:e}");
    assert!(
        (order - 2.0).abs() < 0.15,
        "order {order} ({coarse:e} → {fine:e})"
    );
}

#[test]
fn the_wave_s_derivatives_solve_the_equation() {
    for (t, x) in [(0.0, -3.0), (0.7, 0.4), (2.0, 9.0), (4.0, 30.0)] {
        let u = exact(t, x, 1.5);
        let residual = u.t - u.xx - u.value * (1.0 - u.value);
        assert!(residual.abs() < 1e-14, "({t}, {x}): {residual:e}");
        let h = 1e-5;
        let dx = (exact(t, x + h, 1.5).value - exact(t, x - h, 1.5).value) / (2.0 * h);
        assert!((dx - u.x).abs() < 1e-9, "u_x at ({t}, {x})");
    }
}

fn hh_kpp(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hh-kpp"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_generic_commands_solve_train_and_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fd");
    let o = hh_kpp(&[
        "solve",
        "--nx",
        "64",
        "--nt",
        "32",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "solution.npy",
        "eval.npy",
        "t.npy",
        "x.npy",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let out = dir.path().join("pinn");
    let o = hh_kpp(&[
        "train",
        "--steps",
        "3",
        "--quiet",
        "--t-end",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["eval.npy", "model.safetensors", "loss.csv", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let bad = dir.path().join("bad");
    for (args, field) in [
        (vec!["solve", "--x-min", "5", "--x-max", "1"], "x_max"),
        (vec!["solve", "--nx", "2"], "nx"),
        (vec!["train", "--preset", "nope"], "preset"),
        (vec!["train", "--preset", "accurate"], "linear_part"),
    ] {
        let mut all = args.clone();
        all.extend(["--out", bad.to_str().unwrap()]);
        let o = hh_kpp(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(field), "{args:?}: {err}");
        assert!(!bad.exists(), "{args:?} wrote {}", bad.display());
    }
}

/// The one-sided state range `[0, 1]` is what the FD solvability check samples (widened to
/// `[−1.25, 2.25]`, where `sup f' = 3.5`): with Crank–Nicolson on `T = 5`, `nt = 9` suffices, where
/// the symmetric range `|u| ≤ 1` would ask for 16.
#[test]
fn the_state_range_is_one_sided() {
    let model = KppConfig::default().build_model().unwrap();
    let grid = |nt| hh_fd::GridConfig {
        nx: 64,
        nt,
        theta: 0.5,
        ..Default::default()
    };
    let Err(hh_fd::FdError::StepTooLarge { nt_needed, .. }) = hh_fd::solve(&model, &grid(8)) else {
        panic!("nt = 8 is accepted");
    };
    assert_eq!(nt_needed, 9);
    assert!(hh_fd::solve(&model, &grid(9)).is_ok());
}
