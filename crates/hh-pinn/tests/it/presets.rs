//! The presets compute what they computed before the trainer became model-generic: the first 30
//! steps of `seed`, `seed-fixed` and `accurate` on the paper's problem (a = 0.1, k = 5, dirichlet,
//! seed 0, one thread) against values recorded with the one-component trainer of commit
//! 3ec351e. The trainer's arithmetic for one component is unchanged, so the losses must agree to
//! the last bits of f32 (relative 1e-6 leaves room for nothing but summation order).

use hh_model::{EvalGrid, ProblemConfig};
use hh_pinn::{Model, TrainConfig, TrainOptions, Trainer};
use std::sync::Arc;

struct Recorded {
    preset: &'static str,
    loss_0: f64,
    pde_0: f64,
    initial_0: f64,
    loss_29: f64,
    theta_sum: f64,
    theta_sum_sq: f64,
    /// `u` at (t, x) rows 64/64 and 127/10 of the 128 × 128 evaluation grid, and its sum.
    u_mid: f64,
    u_late: f64,
    u_sum: f64,
}

const RECORDED: [Recorded; 3] = [
    Recorded {
        preset: "seed",
        loss_0: 2.681121230125427e-1,
        pde_0: 3.825583029538393e-3,
        initial_0: 2.64286532998085e-1,
        loss_29: 2.878791242837906e-1,
        theta_sum: -9.263851554442226e0,
        theta_sum_sq: 7.699274620627119e1,
        u_mid: 1.2379246950149536e-1,
        u_late: 1.1682169884443283e-1,
        u_sum: 2.0149866592735052e3,
    },
    Recorded {
        preset: "seed-fixed",
        loss_0: 2.6776401698589325e-1,
        pde_0: 3.825583029538393e-3,
        initial_0: 2.6393842697143555e-1,
        loss_29: 2.860061079263687e-1,
        theta_sum: -9.682973894225142e0,
        theta_sum_sq: 7.725201648797292e1,
        u_mid: 1.278994083404541e-1,
        u_late: 1.143096387386322e-1,
        u_sum: 2.027838702954352e3,
    },
    Recorded {
        preset: "accurate",
        loss_0: 1.9732030481100082e-1,
        pde_0: 1.9732030481100082e-1,
        initial_0: 0.0,
        loss_29: 6.040808279067278e-2,
        theta_sum: -7.531039193759625e0,
        theta_sum_sq: 9.663396833950802e1,
        u_mid: 4.409529735504961e-1,
        u_late: 1.227038871086678e-1,
        u_sum: 4.544842373940002e3,
    },
];

fn close(what: &str, got: f64, want: f64) {
    let tol = 1e-6 * want.abs().max(1e-12);
    assert!(
        (got - want).abs() <= tol,
        "{what}: {got:e} vs recorded {want:e}"
    );
}

#[test]
fn presets_keep_their_numbers() {
    let model: Model = Arc::new(ProblemConfig::default().build().unwrap());
    let grid = EvalGrid::paper(&model.domain());
    for r in &RECORDED {
        let mut c = TrainConfig::preset(r.preset).unwrap();
        c.steps = 30;
        let options = TrainOptions {
            threads: 1,
            ..Default::default()
        };
        let mut t = Trainer::new(model.clone(), &c, &options).unwrap();
        for _ in 0..30 {
            t.step().unwrap();
        }
        let h = t.history();
        let theta: Vec<f32> = t.network().theta().as_tensor().to_vec1().unwrap();
        let sum: f64 = theta.iter().map(|&v| f64::from(v)).sum();
        let sum_sq: f64 = theta.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        let u = t.evaluate(&grid).remove(0);
        let p = r.preset;
        close(&format!("{p} loss 0"), h[0].loss, r.loss_0);
        close(&format!("{p} pde 0"), h[0].terms.pde, r.pde_0);
        close(&format!("{p} initial 0"), h[0].terms.initial, r.initial_0);
        close(&format!("{p} loss 29"), h[29].loss, r.loss_29);
        close(&format!("{p} Σθ"), sum, r.theta_sum);
        close(&format!("{p} Σθ²"), sum_sq, r.theta_sum_sq);
        close(&format!("{p} u mid"), u[[64, 64]], r.u_mid);
        close(&format!("{p} u late"), u[[127, 10]], r.u_late);
        close(&format!("{p} Σu"), u.sum(), r.u_sum);
    }
}
