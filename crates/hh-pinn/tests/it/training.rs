//! The executor's promises: resuming from a checkpoint gives the run that was never interrupted,
//! and a non-finite loss stops training with the last good checkpoint kept.

use hh_pinn::{Model, TrainConfig, TrainError, TrainOptions, Trainer, checkpoint};
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
