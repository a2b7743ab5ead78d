//! Adam with inspectable state.
//!
//! candle-nn has no plain Adam, only `AdamW` — whose default weight decay is 0.01; with
//! `weight_decay = 0` it is Adam. Its moments are private, though, so a checkpoint could not
//! store them and a resumed run would differ from an uninterrupted one. [`Adam`] therefore
//! re-implements `candle_nn::AdamW::step` operation for operation (same roundings, checked
//! bit for bit against candle-nn in the tests), implements `candle_nn::Optimizer`, and exposes its
//! moments and step counter. On the CPU the update is one fused loop over the parameters.
//!
//! An update whose new parameters or moments would not all be finite is refused: the state is
//! left as it was and [`Adam::step_with`] says so, so that a diverging run keeps finite weights.

use candle_core::{DType, Result, Tensor, Var, backprop::GradStore};
use candle_nn::{Optimizer, ParamsAdamW};

use crate::kernels::Elem;

#[derive(Debug)]
struct Slot {
    var: Var,
    m: Tensor,
    v: Tensor,
}

/// Adam / AdamW with the arithmetic of `candle_nn::AdamW`.
#[derive(Debug)]
pub struct Adam {
    slots: Vec<Slot>,
    step_t: usize,
    params: ParamsAdamW,
}

impl Optimizer for Adam {
    type Config = ParamsAdamW;

    fn new(vars: Vec<Var>, params: ParamsAdamW) -> Result<Self> {
        let slots = vars
            .into_iter()
            .filter(|v| v.dtype().is_float())
            .map(|var| {
                let m = var.zeros_like()?;
                let v = var.zeros_like()?;
                Ok(Slot { var, m, v })
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            slots,
            step_t: 0,
            params,
        })
    }

    fn step(&mut self, grads: &GradStore) -> Result<()> {
        let grads: Vec<Option<Tensor>> = self
            .slots
            .iter()
            .map(|s| grads.get(&s.var).cloned())
            .collect();
        if !self.step_with(&grads)? {
            candle_core::bail!("adam: the update would make the parameters non-finite");
        }
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.params.lr = lr;
    }
}

impl Adam {
    pub fn params(&self) -> &ParamsAdamW {
        &self.params
    }

    /// Number of steps taken (the bias-correction exponent).
    pub fn step_count(&self) -> usize {
        self.step_t
    }

    /// `(m, v)` of each variable.
    pub fn moments(&self) -> Vec<(Tensor, Tensor)> {
        self.slots
            .iter()
            .map(|s| (s.m.clone(), s.v.clone()))
            .collect()
    }

    /// Restores the state saved by [`Adam::moments`] and [`Adam::step_count`].
    pub fn set_state(&mut self, step_t: usize, moments: Vec<(Tensor, Tensor)>) -> Result<()> {
        if moments.len() != self.slots.len() {
            candle_core::bail!(
                "adam: {} moments for {} variables",
                moments.len(),
                self.slots.len()
            );
        }
        for (s, (m, v)) in self.slots.iter_mut().zip(moments) {
            if m.shape() != s.var.shape() || v.shape() != s.var.shape() {
                candle_core::bail!("adam: moment shape mismatch");
            }
            s.m = m.to_dtype(s.var.dtype())?.to_device(s.var.device())?;
            s.v = v.to_dtype(s.var.dtype())?.to_device(s.var.device())?;
        }
        self.step_t = step_t;
        Ok(())
    }

    /// One step with the gradients of the variables, in order (`None`: not updated). Returns
    /// `false`, changing nothing, when a new parameter or moment would not be finite.
    pub fn step_with(&mut self, grads: &[Option<Tensor>]) -> Result<bool> {
        let t = self.step_t + 1;
        let p = self.params.clone();
        let scale_m = 1f64 / (1f64 - p.beta1.powi(t as i32));
        let scale_v = 1f64 / (1f64 - p.beta2.powi(t as i32));
        let mut next = Vec::with_capacity(self.slots.len());
        for (slot, g) in self.slots.iter().zip(grads) {
            let Some(g) = g else {
                next.push(None);
                continue;
            };
            let update = if slot.var.device().is_cpu() && slot.var.dtype() == DType::F32 {
                fused::<f32>(slot, g, &p, scale_m, scale_v)?
            } else if slot.var.device().is_cpu() && slot.var.dtype() == DType::F64 {
                fused::<f64>(slot, g, &p, scale_m, scale_v)?
            } else {
                let (m, v, theta) = (&slot.m, &slot.v, slot.var.as_tensor());
                let next_m = ((m * p.beta1)? + (g * (1.0 - p.beta1))?)?;
                let next_v = ((v * p.beta2)? + (g.sqr()? * (1.0 - p.beta2))?)?;
                let m_hat = (&next_m * scale_m)?;
                let v_hat = (&next_v * scale_v)?;
                let next_theta = (theta * (1f64 - p.lr * p.weight_decay))?;
                let adjusted = (m_hat / (v_hat.sqrt()? + p.eps)?)?;
                let next_theta = (next_theta - (adjusted * p.lr)?)?;
                let finite = [&next_theta, &next_m, &next_v]
                    .iter()
                    .try_fold(true, |ok, t| {
                        let s = t.to_dtype(DType::F64)?.sum_all()?.to_scalar::<f64>()?;
                        Ok::<bool, candle_core::Error>(ok && s.is_finite())
                    })?;
                finite.then_some((next_theta, next_m, next_v))
            };
            match update {
                Some(u) => next.push(Some(u)),
                None => return Ok(false),
            }
        }
        for (slot, u) in self.slots.iter_mut().zip(next) {
            if let Some((theta, m, v)) = u {
                slot.var.set(&theta)?;
                slot.m = m;
                slot.v = v;
            }
        }
        self.step_t = t;
        Ok(true)
    }
}

/// The new `(θ, m, v)` of one variable, or `None` when one of them is not finite.
type Update = Option<(Tensor, Tensor, Tensor)>;

/// The same arithmetic in one loop; each line mirrors a candle op (`t * s` is `affine(s, 0)`,
/// i.e. `t·s + 0`, and `t + s` is `affine(1, s)`, scalars rounded to `T`).
fn fused<T: Elem>(slot: &Slot, g: &Tensor, p: &ParamsAdamW, sm: f64, sv: f64) -> Result<Update> {
    let c = |x: f64| T::from_f64(x);
    let (b1, omb1, b2, omb2) = (c(p.beta1), c(1.0 - p.beta1), c(p.beta2), c(1.0 - p.beta2));
    let (sm, sv, decay, lr, eps) = (
        c(sm),
        c(sv),
        c(1.0 - p.lr * p.weight_decay),
        c(p.lr),
        c(p.eps),
    );
    let (zero, one) = (T::zero(), T::one());
    let g = g.flatten_all()?.to_vec1::<T>()?;
    let m = slot.m.flatten_all()?.to_vec1::<T>()?;
    let v = slot.v.flatten_all()?.to_vec1::<T>()?;
    let th = slot.var.flatten_all()?.to_vec1::<T>()?;
    let n = th.len();
    let (mut nm, mut nv, mut nt) = (vec![zero; n], vec![zero; n], vec![zero; n]);
    let mut finite = true;
    for i in 0..n {
        let gi = g[i];
        let m1 = (m[i] * b1 + zero) + (gi * omb1 + zero);
        let v1 = (v[i] * b2 + zero) + ((gi * gi) * omb2 + zero);
        let m_hat = m1 * sm + zero;
        let v_hat = v1 * sv + zero;
        let t1 = th[i] * decay + zero;
        let adj = m_hat / (v_hat.sqrt() * one + eps);
        nt[i] = t1 - (adj * lr + zero);
        nm[i] = m1;
        nv[i] = v1;
        finite &= nt[i].to_f64().is_finite() && m1.to_f64().is_finite() && v1.to_f64().is_finite();
    }
    if !finite {
        return Ok(None);
    }
    let (shape, dev) = (slot.var.shape().clone(), slot.var.device().clone());
    Ok(Some((
        Tensor::from_vec(nt, shape.clone(), &dev)?,
        Tensor::from_vec(nm, shape.clone(), &dev)?,
        Tensor::from_vec(nv, shape, &dev)?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn bit_identical_to_candle_nn_adamw() {
        for dtype in [DType::F32, DType::F64] {
            for wd in [0.0, 0.01] {
                let dev = Device::Cpu;
                let init = Tensor::arange(0f64, 37.0, &dev).unwrap().sin().unwrap();
                let init = init.to_dtype(dtype).unwrap();
                let a = Var::from_tensor(&init).unwrap();
                let b = Var::from_tensor(&init).unwrap();
                let params = ParamsAdamW {
                    lr: 3e-3,
                    weight_decay: wd,
                    ..Default::default()
                };
                let mut ours = Adam::new(vec![a.clone()], params.clone()).unwrap();
                let mut theirs = candle_nn::AdamW::new(vec![b.clone()], params).unwrap();
                for step in 0..25 {
                    let f = |x: &Var| {
                        let x = x.as_tensor();
                        ((x.sqr().unwrap() * (1.0 + step as f64)).unwrap() + x.cos().unwrap())
                            .unwrap()
                            .sum_all()
                            .unwrap()
                    };
                    ours.backward_step(&f(&a)).unwrap();
                    theirs.backward_step(&f(&b)).unwrap();
                }
                let (x, y) = (
                    a.to_dtype(DType::F64).unwrap().to_vec1::<f64>().unwrap(),
                    b.to_dtype(DType::F64).unwrap().to_vec1::<f64>().unwrap(),
                );
                assert_ne!(
                    x,
                    init.to_dtype(DType::F64).unwrap().to_vec1::<f64>().unwrap()
                );
                assert_eq!(x, y, "{dtype:?} wd={wd}");
            }
        }
    }

    #[test]
    fn a_non_finite_update_is_refused_and_changes_nothing() {
        let dev = Device::Cpu;
        let init = Tensor::new(&[1.0f32, -2.0, 3.0], &dev).unwrap();
        let var = Var::from_tensor(&init).unwrap();
        let mut adam = Adam::new(vec![var.clone()], ParamsAdamW::default()).unwrap();
        let bad = Tensor::new(&[1.0f32, f32::INFINITY, 0.0], &dev).unwrap();
        assert!(!adam.step_with(&[Some(bad)]).unwrap());
        assert_eq!(adam.step_count(), 0);
        assert_eq!(var.to_vec1::<f32>().unwrap(), vec![1.0, -2.0, 3.0]);
        let good = Tensor::new(&[1.0f32, 1.0, 1.0], &dev).unwrap();
        assert!(adam.step_with(&[Some(good)]).unwrap());
        assert_eq!(adam.step_count(), 1);
    }
}
