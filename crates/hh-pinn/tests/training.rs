//! The executor's promises: resuming from a checkpoint gives the run that was never interrupted,
//! a non-finite loss stops training with the last good checkpoint kept, and the CLI writes its
//! outputs or, on bad input, nothing (exit code 2).

use hh_pinn::{Model, TrainConfig, TrainError, TrainOptions, Trainer, checkpoint};
use std::process::Command;
use std::sync::Arc;

fn nerve() -> Model {
    Arc::new(hh_model::ProblemConfig::default().build().unwrap())
}

fn small(steps: usize) -> TrainConfig {
    let mut c = TrainConfig::preset("seed-fixed").unwrap();
    c.steps = steps;
    c.sampler.batch = 64;
    c.network.width = 16;
    c
}

fn theta(t: &Trainer) -> Vec<f32> {
    t.network().theta().as_tensor().to_vec1::<f32>().unwrap()
}

#[test]
fn resuming_reproduces_the_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("ck");
    let opts = TrainOptions {
        threads: 1,
        ..Default::default()
    };

    let mut straight = Trainer::new(nerve(), &small(12), &opts).unwrap();
    for _ in 0..12 {
        straight.step().unwrap();
    }

    let first = Trainer::new(
        nerve(),
        &small(5),
        &TrainOptions {
            checkpoint_dir: Some(ck.clone()),
            ..opts.clone()
        },
    )
    .unwrap();
    let done = first.run(&mut []).unwrap();
    assert_eq!(done.steps(), 5);
    let mut resumed = Trainer::new(
        nerve(),
        &small(12),
        &TrainOptions {
            resume: Some(ck.clone()),
            ..opts.clone()
        },
    )
    .unwrap();
    assert_eq!(resumed.step_count(), 5);
    while resumed.step_count() < 12 {
        resumed.step().unwrap();
    }
    assert_eq!(theta(&resumed), theta(&straight));
    assert_eq!(resumed.history(), straight.history());

    // a checkpoint of another config is refused
    let mut other = small(12);
    other.seed = 9;
    let e = Trainer::new(
        nerve(),
        &other,
        &TrainOptions {
            resume: Some(ck.clone()),
            ..opts.clone()
        },
    )
    .err()
    .expect("config mismatch");
    assert!(e.to_string().contains("config differs"), "{e}");

    // a checkpoint of another model is refused
    let other_model: Model = Arc::new(
        hh_model::ProblemConfig {
            a: 0.2,
            ..Default::default()
        }
        .build()
        .unwrap(),
    );
    let e = Trainer::new(
        other_model,
        &small(12),
        &TrainOptions {
            resume: Some(ck.clone()),
            ..opts.clone()
        },
    )
    .err()
    .expect("model mismatch");
    assert!(e.to_string().contains("another model"), "{e}");

    // a damaged checkpoint is refused, naming `resume`: one flipped bit in the weights, in the
    // metadata or in config.json, a truncated file, a FIFO in place of a file
    let file = ck.join(checkpoint::CHECKPOINT_FILE);
    let bytes = std::fs::read(&file).unwrap();
    let config = std::fs::read(ck.join(checkpoint::CONFIG_FILE)).unwrap();
    let damaged = dir.path().join("damaged");
    let header = 8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    for (what, at) in [("a weight", bytes.len() - 9), ("the metadata", header - 20)] {
        let mut b = bytes.clone();
        b[at] ^= 1;
        std::fs::create_dir_all(&damaged).unwrap();
        std::fs::write(damaged.join(checkpoint::CHECKPOINT_FILE), &b).unwrap();
        std::fs::write(damaged.join(checkpoint::CONFIG_FILE), &config).unwrap();
        let e = Trainer::new(
            nerve(),
            &small(12),
            &TrainOptions {
                resume: Some(damaged.clone()),
                ..opts.clone()
            },
        )
        .err()
        .unwrap_or_else(|| panic!("{what} flipped, yet resumed"));
        assert!(
            matches!(e, TrainError::Config(_)) && e.to_string().contains("`resume`"),
            "{what}: {e}"
        );
    }
    std::fs::write(
        damaged.join(checkpoint::CHECKPOINT_FILE),
        &bytes[..bytes.len() / 2],
    )
    .unwrap();
    assert!(checkpoint::load(&damaged).is_err(), "a truncated file");
    let mut flipped = config.clone();
    let at = flipped
        .iter()
        .position(|&c| c == b'9')
        .unwrap_or(flipped.len() / 2);
    flipped[at] ^= 1;
    std::fs::write(damaged.join(checkpoint::CHECKPOINT_FILE), &bytes).unwrap();
    std::fs::write(damaged.join(checkpoint::CONFIG_FILE), &flipped).unwrap();
    assert!(checkpoint::load(&damaged).is_err(), "config.json changed");
    std::fs::remove_file(damaged.join(checkpoint::CHECKPOINT_FILE)).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(damaged.join(checkpoint::CHECKPOINT_FILE))
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::write(damaged.join(checkpoint::CONFIG_FILE), &config).unwrap();
    let e = checkpoint::load(&damaged).err().expect("a FIFO");
    assert!(e.to_string().contains("not a regular file"), "{e}");

    // fewer steps than the checkpoint has taken is refused, naming `steps`
    let e = Trainer::new(
        nerve(),
        &small(3),
        &TrainOptions {
            resume: Some(ck),
            ..opts
        },
    )
    .err()
    .expect("steps below the checkpoint's");
    assert!(
        matches!(e, TrainError::Config(_)) && e.to_string().contains("`steps`"),
        "{e}"
    );
}

#[test]
fn a_diverging_run_stops_and_keeps_its_last_good_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("ck");
    let mut c = small(50);
    c.optimiser.lr = 1e37; // Adam moves every weight by ~lr: the loss overflows within steps
    let trainer = Trainer::new(
        nerve(),
        &c,
        &TrainOptions {
            checkpoint_dir: Some(ck.clone()),
            checkpoint_every: 1,
            threads: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let err = trainer.run(&mut []).err().expect("diverges");
    let TrainError::NonFinite {
        step, checkpoint, ..
    } = &err
    else {
        panic!("expected NonFinite, got {err}");
    };
    let (path, saved) = checkpoint.clone().expect("a checkpoint was written");
    assert_eq!(path, ck);
    assert!(
        saved <= *step && *step < 50,
        "saved {saved}, failed at {step}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("non-finite") && msg.contains("last good checkpoint"),
        "{msg}"
    );
    let saved_ck = checkpoint::load(&ck).unwrap();
    assert_eq!(saved_ck.config, c);
    assert_eq!(saved_ck.state.step, saved);
    assert!(saved_ck.state.history.iter().all(|r| r.loss.is_finite()));
}

/// A learning rate so large that one update makes the weights overflow while the loss before it
/// was finite: the update is refused, the weights stay finite, and so does every checkpoint.
#[test]
fn an_update_that_would_overflow_the_weights_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("ck");
    let mut c = small(50);
    c.optimiser.lr = 1e39; // above f32::MAX: the first update overflows every weight
    let trainer = Trainer::new(
        nerve(),
        &c,
        &TrainOptions {
            checkpoint_dir: Some(ck.clone()),
            checkpoint_every: 1,
            threads: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let err = trainer.run(&mut []).err().expect("diverges");
    let TrainError::NonFinite { step, what, .. } = &err else {
        panic!("expected NonFinite, got {err}");
    };
    assert_eq!(*step, 0, "{err}");
    assert!(what.contains("parameters"), "{err}");
}

fn hh_pinn(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hh-pinn"))
        .args(args)
        .output()
        .unwrap()
}

/// Two runs of the same command write the same bytes (weights, grid, losses), and a checkpoint
/// directory equal to or inside `--out` is refused (it would be swapped away with the results).
#[test]
fn cli_runs_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = dir.path().join(name);
        let o = hh_pinn(&[
            "train",
            "--preset",
            "seed",
            "--steps",
            "4",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let (a, b) = (run("a"), run("b"));
    for f in ["model.safetensors", "eval.npy", "loss.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
    for ck in [a.clone(), a.join("ck")] {
        let o = hh_pinn(&[
            "train",
            "--preset",
            "seed",
            "--steps",
            "2",
            "--quiet",
            "--checkpoint-every",
            "1",
            "--checkpoint-dir",
            ck.to_str().unwrap(),
            "--out",
            a.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("`checkpoint-dir`"), "{err}");
    }
    assert!(!a.join("ck").exists());
}

#[test]
fn cli_writes_outputs_and_rejects_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = hh_pinn(&[
        "train",
        "--preset",
        "seed",
        "--steps",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let u: ndarray::Array2<f64> = ndarray_npy::read_npy(out.join("eval.npy")).unwrap();
    assert_eq!(u.dim(), (128, 128));
    assert!(u.iter().all(|v| v.is_finite()));
    let csv = std::fs::read_to_string(out.join("loss.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["seed"], 0);
    assert!(m["timings"]["ms_per_step"].as_f64().unwrap() > 0.0);
    assert!(out.join("model.safetensors").is_file());

    for (args, field) in [
        (vec!["--a", "nan"], "`a`"),
        (vec!["--k", "0"], "`k`"),
        (vec!["--steps", "0"], "`steps`"),
        (vec!["--preset", "fast"], "`preset`"),
        (vec!["--bc", "periodic"], "bc"),
        (vec!["--device", "gpu"], "device"),
        (vec!["--a", "-inf"], "`a`"),
        (vec!["--resume", "/nonexistent"], "`resume`"),
        (vec!["--ic", "plateau:9"], "`ic`"),
        (vec!["--steer", "up"], "`steer`"),
        (vec!["--preset", "inclusion", "--pin", "7"], "`loss.pin.t`"),
        (vec!["--t-end", "0"], "`t_end`"),
        (vec!["--boundary-weight", "1e308"], "`loss.boundary`"),
        (
            vec!["--preset", "seed", "--resume", "/nonexistent"],
            "`resume`",
        ),
        (vec!["--steps", "-5"], "--steps"),
        (
            vec!["--checkpoint-every", "1", "--checkpoint-dir", "/dev/null"],
            "`checkpoint-dir`",
        ),
    ] {
        let bad = dir.path().join("bad");
        let mut all = vec!["train", "--quiet", "--out", bad.to_str().unwrap()];
        all.extend(&args);
        let o = hh_pinn(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(field), "{args:?}: {err}");
        assert!(!bad.exists(), "{args:?} wrote output");
    }
    if !cfg!(feature = "cuda") {
        let bad = dir.path().join("bad");
        let o = hh_pinn(&["train", "--device", "cuda", "--out", bad.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("`device`") && err.contains("--features cuda"),
            "{err}"
        );
        assert!(!bad.exists());
    }
}

#[test]
fn cli_trains_the_inclusion_and_writes_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("inclusion");
    let o = hh_pinn(&[
        "train",
        "--preset",
        "inclusion",
        "--ic",
        "plateau:0.5",
        "--steer",
        "max",
        "--pin",
        "0.2",
        "--steps",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for name in ["eval.npy", "eval_d.npy"] {
        let v: ndarray::Array2<f64> = ndarray_npy::read_npy(out.join(name)).unwrap();
        assert_eq!(v.dim(), (128, 128), "{name}");
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let config = &m["config"];
    assert_eq!(config["problem"]["formulation"], "inclusion");
    assert_eq!(config["train"]["loss"]["steer"]["direction"], "max");
    assert_eq!(config["train"]["loss"]["steer"]["from"], 0.2);
    assert_eq!(config["train"]["loss"]["pin"]["value"], 0.1);
    let csv = std::fs::read_to_string(out.join("loss.csv")).unwrap();
    assert!(csv.starts_with("step,loss,pde,initial,boundary,steer,pin,lr"));
}
