//! What a training step records and what a checkpoint holds: the leaf types shared by the
//! executor ([`crate::train`]) and the checkpoint files ([`crate::checkpoint`]).

use candle_core::Tensor;
use serde::{Deserialize, Serialize};
use std::ops::Add;

/// The loss terms of one step (0 where a term is not used), each summed over the components of
/// the model; only `pde` carries the causal weights.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LossTerms {
    /// The PDE term of the loss, `Σ_i mean_p w(p) r_i(p)²` with the causal weights `w`
    /// ([`crate::Causal`]; 1 without them).
    pub pde: f64,
    /// The mean squared PDE residual without any weight, `Σ_i mean_p r_i(p)²`: what the network
    /// reaches, where a causally weighted `pde` can be small while late times are still wrong.
    pub residual: f64,
    /// Initial misfit.
    pub initial: f64,
    /// Boundary misfit.
    pub boundary: f64,
    /// The steered mean `mean_p u_c` ([`crate::Steer`]; 0 without steering).
    pub steer: f64,
    /// The pinned misfit `mean_j (u_c(t, x_j) − value)²` ([`crate::Pin`]).
    pub pin: f64,
}

impl Add for LossTerms {
    type Output = LossTerms;
    fn add(self, o: LossTerms) -> LossTerms {
        LossTerms {
            pde: self.pde + o.pde,
            residual: self.residual + o.residual,
            initial: self.initial + o.initial,
            boundary: self.boundary + o.boundary,
            steer: self.steer + o.steer,
            pin: self.pin + o.pin,
        }
    }
}

/// One step's loss (before that step's update, as PyTorch's `loss.item()`): the weighted total,
/// the unweighted terms, and the step's size: the learning rate of a first-order step, the
/// damping `λ` of a Levenberg–Marquardt iteration (the other one is 0).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossRecord {
    /// The time window (0 unless the run marches in time, [`crate::March`]).
    pub window: usize,
    /// The iteration within the window: first-order steps, then the second-order iterations.
    pub step: usize,
    pub loss: f64,
    pub terms: LossTerms,
    /// Learning rate of a first-order step (0 in a Levenberg–Marquardt iteration).
    pub lr: f64,
    /// Damping `λ` of a Levenberg–Marquardt iteration (0 in a first-order step).
    pub damping: f64,
}

impl LossRecord {
    /// The columns of `loss.csv` and of a checkpoint's `history` tensor, in this order: the one
    /// list both are written from and read back by.
    pub const COLUMNS: [&'static str; 11] = [
        "window", "step", "loss", "pde", "residual", "initial", "boundary", "steer", "pin", "lr",
        "damping",
    ];

    /// The values in the order of [`LossRecord::COLUMNS`].
    pub fn values(&self) -> [f64; Self::COLUMNS.len()] {
        let t = &self.terms;
        [
            self.window as f64,
            self.step as f64,
            self.loss,
            t.pde,
            t.residual,
            t.initial,
            t.boundary,
            t.steer,
            t.pin,
            self.lr,
            self.damping,
        ]
    }

    /// The record of [`LossRecord::values`].
    pub fn from_values(v: &[f64; Self::COLUMNS.len()]) -> Self {
        let [
            window,
            step,
            loss,
            pde,
            residual,
            initial,
            boundary,
            steer,
            pin,
            lr,
            damping,
        ] = *v;
        Self {
            window: window as usize,
            step: step as usize,
            loss,
            terms: LossTerms {
                pde,
                residual,
                initial,
                boundary,
                steer,
                pin,
            },
            lr,
            damping,
        }
    }

    /// `loss.csv`: a header of [`LossRecord::COLUMNS`] and a row per record.
    pub fn csv(history: &[LossRecord]) -> String {
        let mut s = Self::COLUMNS.join(",");
        s.push('\n');
        for r in history {
            let v = r.values();
            s += &format!("{},{}", r.window, r.step);
            for x in &v[2..] {
                s += &format!(",{x:e}");
            }
            s.push('\n');
        }
        s
    }
}

/// Everything needed to continue a run exactly.
#[derive(Clone, Debug)]
pub struct State {
    /// The flat parameters `θ` and Adam's moments, on the host.
    pub theta: Tensor,
    pub m: Tensor,
    pub v: Tensor,
    pub adam_steps: usize,
    /// Steps taken in the current window.
    pub step: usize,
    /// The parameters of the windows already trained, in order (empty unless the run marches in
    /// time): the current window is the next one.
    pub frozen: Vec<Vec<f64>>,
    /// The sampler's generator state.
    pub rng: [u64; 4],
    pub history: Vec<LossRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_in_column_order() {
        let r = LossRecord {
            window: 2,
            step: 7,
            loss: 1.5,
            terms: LossTerms {
                pde: 1.0,
                residual: 2.0,
                initial: 0.25,
                boundary: 0.25,
                steer: 0.5,
                pin: 0.0,
            },
            lr: 1e-3,
            damping: 0.0,
        };
        assert_eq!(LossRecord::from_values(&r.values()), r);
        let csv = LossRecord::csv(&[r]);
        assert_eq!(
            csv,
            "window,step,loss,pde,residual,initial,boundary,steer,pin,lr,damping\n2,7,1.5e0,1e0,2e0,2.5e-1,2.5e-1,5e-1,0e0,1e-3,0e0\n"
        );
    }
}
