//! Taylor-mode derivatives against finite differences, the fused op against plain candle ops, and
//! parameter gradients (through the fused op's analytic backward) against finite differences.

use candle_core::{DType, Device, Tensor};
use hh_model::{
    BoundaryMode, Domain, InitialCondition, Jet, ProblemConfig, Reaction, ReactionDiffusion,
};
use hh_pinn::network::split_streams;
use hh_pinn::rng::Rng;
use hh_pinn::sampler::Batch;
use hh_pinn::{Activation, InputMap, Kernel, Mlp, Model, NetworkConfig, TrainConfig};
use std::sync::Arc;

fn net(act: Activation, depth: usize, width: usize, seed: u64) -> (NetworkConfig, Mlp) {
    net_mapped(act, depth, width, seed, InputMap::IDENTITY)
}

fn net_mapped(
    act: Activation,
    depth: usize,
    width: usize,
    seed: u64,
    map: InputMap,
) -> (NetworkConfig, Mlp) {
    let cfg = NetworkConfig {
        depth,
        width,
        activation: act,
        ..Default::default()
    };
    let mlp = Mlp::init(
        &cfg,
        1,
        map,
        &mut Rng::new(seed, 9),
        DType::F64,
        &Device::Cpu,
    )
    .unwrap();
    (cfg, mlp)
}

fn points() -> (Vec<f64>, Vec<f64>) {
    let mut r = Rng::new(5, 5);
    (0..12)
        .map(|_| (r.uniform_in(0.0, 3.1), r.uniform_in(0.0, 1.0)))
        .unzip()
}

fn streams(m: &Mlp, x: &[f64], t: &[f64], kernel: Kernel) -> Vec<Vec<f64>> {
    let xv = [0.3, 2.0];
    let tv = [0.0, 0.5];
    let (input, rows) = m.stack_inputs(x, t, &xv, &tv).unwrap();
    let out = m.forward(&input, rows, kernel).unwrap();
    let s = split_streams(&out, rows).unwrap();
    [s.value, s.x, s.t, s.xx, s.points]
        .iter()
        .map(|s| s.flatten_all().unwrap().to_vec1::<f64>().unwrap())
        .collect()
}

#[test]
fn taylor_streams_match_central_differences() {
    let maps = [
        InputMap::IDENTITY,
        InputMap::onto_unit_square(&Domain {
            x_min: -0.5,
            x_max: 4.5,
            t_end: 2.5,
        }),
    ];
    for (act, map) in [Activation::Silu, Activation::Tanh]
        .into_iter()
        .flat_map(|a| maps.map(|m| (a, m)))
    {
        let (_, m) = net_mapped(act, 4, 20, 1, map);
        let (x, t) = points();
        for kernel in [Kernel::Fused, Kernel::Plain] {
            let s = streams(&m, &x, &t, kernel);
            let f = |dx: f64, dt: f64| {
                let xs: Vec<f64> = x.iter().map(|v| v + dx).collect();
                let ts: Vec<f64> = t.iter().map(|v| v + dt).collect();
                m.values(&xs, &ts).unwrap()
            };
            // Fourth-order central differences (truncation O(h⁴) ≈ 1e-12, rounding ≈ 1e-10).
            let u = f(0.0, 0.0);
            let h = 1e-3;
            let (xp, xm, xp2, xm2) = (f(h, 0.0), f(-h, 0.0), f(2.0 * h, 0.0), f(-2.0 * h, 0.0));
            let (tp, tm, tp2, tm2) = (f(0.0, h), f(0.0, -h), f(0.0, 2.0 * h), f(0.0, -2.0 * h));
            for i in 0..x.len() {
                let d1 = |p: &[f64], m: &[f64], p2: &[f64], m2: &[f64]| {
                    (m2[i] - 8.0 * m[i] + 8.0 * p[i] - p2[i]) / (12.0 * h)
                };
                let fd = [
                    u[i],
                    d1(&xp, &xm, &xp2, &xm2),
                    d1(&tp, &tm, &tp2, &tm2),
                    (-xp2[i] + 16.0 * xp[i] - 30.0 * u[i] + 16.0 * xm[i] - xm2[i]) / (12.0 * h * h),
                ];
                for (k, want) in fd.iter().enumerate() {
                    let got = s[k][i];
                    let tol = 1e-6 * want.abs().max(1e-2);
                    assert!(
                        (got - want).abs() <= tol,
                        "{act:?} {map:?} {kernel:?} stream {k} point {i}: {got} vs {want}"
                    );
                }
            }
            // Value rows agree with the value stream of the same points.
            let v = m.values(&[0.3, 2.0], &[0.0, 0.5]).unwrap();
            assert!((s[4][0] - v[0]).abs() < 1e-14 && (s[4][1] - v[1]).abs() < 1e-14);
        }
    }
}

#[test]
fn fused_op_equals_plain_candle_ops() {
    for act in [Activation::Silu, Activation::Tanh] {
        let (_, m) = net(act, 3, 17, 2);
        let (x, t) = points();
        let a = streams(&m, &x, &t, Kernel::Fused);
        let b = streams(&m, &x, &t, Kernel::Plain);
        for (sa, sb) in a.iter().zip(&b) {
            for (p, q) in sa.iter().zip(sb) {
                assert!((p - q).abs() < 1e-12 * (1.0 + q.abs()), "{p} vs {q}");
            }
        }
    }
}

fn f32_streams_close_to_f64() -> f64 {
    let (cfg, m) = net(Activation::Silu, 4, 50, 3);
    let m32 = Mlp::from_theta(
        &cfg,
        1,
        InputMap::IDENTITY,
        m.theta().as_tensor().to_dtype(DType::F32).unwrap(),
    )
    .unwrap();
    let (x, t) = points();
    let (input, rows) = m32.stack_inputs(&x, &t, &[], &[]).unwrap();
    let out = m32.forward(&input, rows, Kernel::Fused).unwrap();
    let s32: Vec<f64> = out
        .to_dtype(DType::F64)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    let s64: Vec<f64> = streams(&m, &x, &t, Kernel::Fused)[..4].concat();
    s32.iter()
        .zip(&s64)
        .map(|(a, b)| (a - b).abs() / (1.0 + b.abs()))
        .fold(0.0, f64::max)
}

#[test]
fn f32_fast_path_agrees_with_f64() {
    let e = f32_streams_close_to_f64();
    assert!(e < 1e-4, "{e}");
}

/// FitzHugh–Nagumo, `u_t = u_xx + u(1 − u)(u − a) − v`, `v_t = ε(u − γv)`, `D = (1, 0)`, written
/// here to test the trainer with two components, an off-diagonal Jacobian and a component that
/// does not diffuse (the `hh-fhn` crate is the real one).
#[derive(Debug)]
struct Fhn {
    bc: BoundaryMode,
}

impl Reaction for Fhn {
    fn components(&self) -> usize {
        2
    }
    fn reaction(&self, u: &[f64], f: &mut [f64]) {
        let (a, eps, gamma) = (0.3, 0.2, 0.5);
        f[0] = u[0] * (1.0 - u[0]) * (u[0] - a) - u[1];
        f[1] = eps * (u[0] - gamma * u[1]);
    }
    fn jacobian(&self, u: &[f64], j: &mut [f64]) {
        let (a, eps, gamma) = (0.3, 0.2, 0.5);
        j[0] = -3.0 * u[0] * u[0] + 2.0 * (1.0 + a) * u[0] - a;
        j[1] = -1.0;
        j[2] = eps;
        j[3] = -eps * gamma;
    }
}

impl ReactionDiffusion for Fhn {
    fn diffusion(&self) -> Vec<f64> {
        vec![1.0, 0.0]
    }
    fn domain(&self) -> Domain {
        Domain {
            x_min: -2.0,
            x_max: 3.0,
            t_end: 2.0,
        }
    }
    fn boundary(&self) -> BoundaryMode {
        self.bc
    }
    fn initial(&self, x: f64, u0: &mut [f64]) {
        u0[0] = 1.0 / (1.0 + x.exp());
        u0[1] = 0.1 * (-x * x).exp();
    }
    fn bound(&self) -> f64 {
        1.0
    }
    fn initial_jet(&self, x: f64, out: &mut [Jet]) -> bool {
        let s = 1.0 / (1.0 + x.exp());
        out[0] = Jet::of_x(s, -s * (1.0 - s), -s * (1.0 - s) * (1.0 - 2.0 * s));
        let g = 0.1 * (-x * x).exp();
        out[1] = Jet::of_x(g, -2.0 * x * g, (4.0 * x * x - 2.0) * g);
        true
    }
}

/// Loss of one batch as a function of θ, and its gradient by backward.
fn loss_and_grad(
    model: &Model,
    config: &TrainConfig,
    theta: &Tensor,
    kernel: Kernel,
) -> (f64, Vec<f64>) {
    let obj = hh_pinn::train::objective(config, model, None);
    let map = InputMap::for_config(&config.network, &model.domain());
    let m = Mlp::from_theta(&config.network, model.components(), map, theta.clone()).unwrap();
    let batch = Batch {
        x: vec![0.2, 1.1, 1.6, 2.5, 3.0],
        t: vec![0.9, 0.1, 0.4, 0.7, 0.2],
        bt: vec![0.3, 0.8],
        weight: vec![],
    };
    let norms = obj.norms(&batch);
    let l = obj.chunk_loss(&m, &batch, &norms, kernel).unwrap();
    let g = l.total.backward().unwrap();
    let grad = g.get(m.theta()).unwrap().to_vec1::<f64>().unwrap();
    (l.total.to_scalar::<f64>().unwrap(), grad)
}

#[test]
fn parameter_gradients_match_finite_differences() {
    let mut base = TrainConfig::preset("seed").unwrap();
    base.network = NetworkConfig {
        depth: 2,
        width: 4,
        activation: Activation::Silu,
        ..Default::default()
    };
    base.dtype = hh_pinn::Precision::F64;
    let nerve = |f: &dyn Fn(&mut ProblemConfig)| -> Model {
        let mut p = ProblemConfig {
            a: 0.3, // the ramp of H_k sits where u is
            ..Default::default()
        };
        f(&mut p);
        Arc::new(p.build().unwrap())
    };
    let mut cases: Vec<(&str, Model, TrainConfig)> =
        vec![("seed (pairwise)", nerve(&|_| {}), base.clone())];
    let mut c = base.clone();
    c.loss.initial_form = hh_pinn::InitialForm::Pointwise;
    c.loss.boundary = 0.7;
    cases.push(("pointwise + dirichlet", nerve(&|_| {}), c.clone()));
    c.network.activation = Activation::Tanh;
    cases.push((
        "neumann, tanh",
        nerve(&|p| p.bc = BoundaryMode::Neumann),
        c.clone(),
    ));
    let mut h = base.clone();
    h.constraints.hard_initial = true;
    h.constraints.hard_boundary = true;
    cases.push((
        "hard, k = inf",
        nerve(&|p| p.k = hh_model::Slope::Infinite),
        h.clone(),
    ));
    h.constraints.hard_boundary = false;
    cases.push((
        "hard initial, sin, upper",
        nerve(&|p| {
            p.k = hh_model::Slope::Infinite;
            p.ic = InitialCondition::Sin;
            p.regularisation = hh_model::Regularisation::Upper;
        }),
        h,
    ));
    let mut l = base.clone();
    l.constraints.linear_part = true;
    l.network.normalise = true;
    cases.push(("linear part, normalised inputs", nerve(&|_| {}), l));
    let fhn = |bc| -> Model { Arc::new(Fhn { bc }) };
    c.network.normalise = true;
    cases.push((
        "two components, neumann",
        fhn(BoundaryMode::Neumann),
        c.clone(),
    ));
    cases.push((
        "two components, dirichlet",
        fhn(BoundaryMode::Dirichlet),
        c.clone(),
    ));
    let mut f = c.clone();
    f.constraints.hard_initial = true;
    f.constraints.hard_boundary = true;
    cases.push(("two components, hard", fhn(BoundaryMode::Dirichlet), f));
    let mut p = base.clone();
    p.network.normalise = true;
    cases.push(("two components, pairwise", fhn(BoundaryMode::Free), p));
    let mut w = c.clone();
    w.loss.components = vec![0.5, 30.0];
    cases.push(("two components, weighted", fhn(BoundaryMode::Neumann), w));
    for (name, model, cfg) in cases {
        cfg.validate_for(model.as_ref()).unwrap();
        let map = InputMap::for_config(&cfg.network, &model.domain());
        let m = Mlp::init(
            &cfg.network,
            model.components(),
            map,
            &mut Rng::new(11, 1),
            DType::F64,
            &Device::Cpu,
        )
        .unwrap();
        let theta = m.theta().as_tensor().detach();
        let (_, g_fused) = loss_and_grad(&model, &cfg, &theta, Kernel::Fused);
        let (_, g_plain) = loss_and_grad(&model, &cfg, &theta, Kernel::Plain);
        let th: Vec<f64> = theta.to_vec1().unwrap();
        let scale = g_fused.iter().map(|g| g.abs()).fold(0.0, f64::max);
        assert!(scale > 0.0);
        for i in 0..th.len() {
            let eps = 1e-6;
            let at = |d: f64| {
                let mut v = th.clone();
                v[i] += d;
                loss_and_grad(
                    &model,
                    &cfg,
                    &Tensor::new(v, &Device::Cpu).unwrap(),
                    Kernel::Fused,
                )
                .0
            };
            let fd = (at(eps) - at(-eps)) / (2.0 * eps);
            assert!(
                (g_fused[i] - fd).abs() <= 1e-6 * scale,
                "{name}: dθ[{i}] = {} vs fd {fd}",
                g_fused[i]
            );
            assert!(
                (g_fused[i] - g_plain[i]).abs() <= 1e-12 * scale,
                "{name}: fused vs plain"
            );
        }
    }
}
