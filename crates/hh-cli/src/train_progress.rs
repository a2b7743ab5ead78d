//! A training run as the command-line tools run it: a progress bar attached as one of its
//! observers, errors mapped to exit codes.

use hh_pinn::{Control, LossRecord, Observer, Plan, TrainError, Trained, Trainer};
use indicatif::ProgressBar;

/// A training error as the tools report it: invalid input is the [`hh_core::ConfigError`] itself
/// (exit code 2), anything else a failed run.
pub fn train_error(e: TrainError) -> anyhow::Error {
    match e {
        TrainError::Config(c) => anyhow::Error::new(c),
        e => anyhow::Error::new(e),
    }
}

/// Runs `trainer` to its end, with a progress bar on stderr unless `quiet`, and the caller's
/// `more` observers after it.
pub fn train_with_bar(
    trainer: Trainer,
    quiet: bool,
    more: &mut [&mut dyn Observer],
) -> anyhow::Result<Trained> {
    let mut bar = TrainProgress::default();
    let mut observers: Vec<&mut dyn Observer> = Vec::new();
    if !quiet {
        observers.push(&mut bar);
    }
    for o in more.iter_mut() {
        observers.push(&mut **o);
    }
    trainer.run(&mut observers).map_err(train_error)
}

/// Shows a training run's steps (first-order steps, then Levenberg–Marquardt iterations) and its
/// loss on stderr, one bar per time window when the run marches. A bar appears at the first
/// recorded step of its window, so a resumed run starts where its checkpoint ended; the last is
/// finished when the observer is dropped.
#[derive(Default)]
pub struct TrainProgress {
    /// The current bar and its window.
    bar: Option<(ProgressBar, usize)>,
}

impl Observer for TrainProgress {
    fn observe(&mut self, record: &LossRecord, trainer: &Trainer) -> Control {
        let config = trainer.config();
        let windows = config.march.windows;
        let first_order = config.steps;
        let per_window = Plan::of(config).total() / windows;
        if self.bar.as_ref().is_some_and(|(_, w)| *w != record.window) {
            if let Some((bar, _)) = self.bar.take() {
                bar.finish();
            }
        }
        let (bar, _) = self.bar.get_or_insert_with(|| {
            let what = if windows > 1 {
                format!("window {}/{windows}", record.window + 1)
            } else {
                "train".to_owned()
            };
            let bar = crate::progress(per_window as u64, &what);
            bar.set_position(record.step as u64);
            (bar, record.window)
        });
        let done = record.step + 1;
        bar.set_position(done as u64);
        if done > first_order {
            bar.set_message(format!("loss {:.3e} (LM)", record.loss));
        } else if done % 10 == 0 || done == first_order {
            bar.set_message(format!("loss {:.3e}", record.loss));
        }
        Control::Continue
    }
}

impl Drop for TrainProgress {
    fn drop(&mut self) {
        if let Some((bar, _)) = &self.bar {
            bar.finish();
        }
    }
}
