//! One training step of the `seed` preset (4×50 SiLU, batch J = 256, pairwise initial loss, two
//! batch chunks on up to two threads), of `seed-fixed` (pointwise initial loss), of `seed` with the
//! plain-candle-ops kernel (the reference the fused network op replaces) and of `seed` on one thread:
//! batch points per second (target on two threads: ≥ 10× faster per step than the seed
//! peer's PyTorch code; `scripts/compare_pytorch.py` measures that ratio side by side).
//!
//! The `floor` group times the two kinds of work a step consists of, one thread each: the
//! 1280×50×50 `f32` matmul (forward shape; elements = flops, so the rate reads as GFLOP/s), the
//! 50×50×1280 weight-gradient matmul, and the pointwise Taylor SiLU kernels (forward + backward of one
//! 1280×50 hidden layer, `hh_pinn::kernels::{forward, backward}`).
//!
//! FLOP count of one `seed` step (R = 4·256 Taylor rows + 256 value rows = 1280 rows, 7 851 params):
//! - forward matmuls: 2R(2·50 + 3·50·50 + 50) = 19.6 MFLOP (the three 50×50 layers are 98 % of it);
//! - backward matmuls: dW = gᵀh for every layer (19.6) and dh = g W for all but the first (19.3):
//!   38.9 MFLOP, so 58.5 MFLOP of matmul in all;
//! - pointwise SiLU Taylor kernels (the polynomial exp counted as ~20 flops): forward ≈ 38 and
//!   backward ≈ 58 flops per (Taylor point, unit), ≈ 50 per (value point, unit), over
//!   4 layers × 50 units × 256 points: ≈ 7.5 MFLOP; bias, loss and Adam (~15 per param): < 0.5.
//! - total ≈ 66 MFLOP per step.
//!
//! The floor: 66 MFLOP at the `floor` group's measured matmul rate, on one core and on two;
//! criterion prints the rates (elements = flops) and the step times, and
//! `scripts/compare_pytorch.py` the step time against PyTorch's.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hh_pinn::kernels::{self, Activation};
use hh_pinn::{Kernel, TrainConfig, TrainOptions, Trainer};
use std::hint::black_box;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A trainer for `preset` on the paper's problem (steps set high so that no schedule or budget
/// ends it mid-bench).
fn trainer(preset: &str, options: &TrainOptions) -> (Trainer, u64) {
    let mut config = TrainConfig::preset(preset).expect("preset");
    config.steps = 1_000_000_000;
    let batch = config.sampler.batch as u64;
    let model = std::sync::Arc::new(hh_model::ProblemConfig::default().build().expect("paper"));
    (
        Trainer::new(model, &config, options).expect("trainer"),
        batch,
    )
}

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("pinn_step");
    group.sample_size(50);
    let cases: [(&str, &str, TrainOptions); 4] = [
        ("seed", "seed", TrainOptions::default()),
        ("seed-fixed", "seed-fixed", TrainOptions::default()),
        (
            "seed-plain",
            "seed",
            TrainOptions {
                kernel: Kernel::Plain,
                ..Default::default()
            },
        ),
        (
            "seed-1thread",
            "seed",
            TrainOptions {
                threads: 1,
                ..Default::default()
            },
        ),
    ];
    for (name, preset, options) in cases {
        let (mut t, batch) = trainer(preset, &options);
        group.throughput(Throughput::Elements(batch));
        group.bench_function(name, |b| {
            b.iter(|| black_box(t.step().expect("finite step")))
        });
    }
    group.finish();
}

/// Deterministic values in [-2, 2) (a splitmix-style hash; no RNG dependency).
fn fill(n: usize, salt: u64) -> Vec<f32> {
    (0..n as u64)
        .map(|i| {
            let mut z = (i ^ (salt << 32)).wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 40) as f32 / (1u64 << 24) as f32 * 4.0 - 2.0
        })
        .collect()
}

fn floor(c: &mut Criterion) {
    const NT: usize = 256;
    const R: usize = 4 * NT + NT; // rows of one seed step (both chunks)
    const W: usize = 50;
    let mut group = c.benchmark_group("floor");
    group.sample_size(50);

    // Forward / input-gradient shape: (R × 50) · (50 × 50).
    let h = fill(R * W, 1);
    let w = fill(W * W, 2);
    let mut out = vec![0f32; R * W];
    group.throughput(Throughput::Elements((2 * R * W * W) as u64));
    group.bench_function(BenchmarkId::new("matmul", format!("{R}x{W}x{W}")), |b| {
        b.iter(|| {
            kernels::matmul(R, W, W, &mut out, &h, (W, 1), &w, (1, W));
            black_box(&out);
        })
    });
    // Weight-gradient shape: (50 × R) · (R × 50), the first operand transposed in memory.
    let g = fill(R * W, 3);
    let mut dw = vec![0f32; W * W];
    group.bench_function(BenchmarkId::new("matmul", format!("{W}x{W}x{R}")), |b| {
        b.iter(|| {
            kernels::matmul(W, W, R, &mut dw, &g, (1, W), &h, (W, 1));
            black_box(&dw);
        })
    });

    // Pointwise Taylor SiLU, forward + backward of one hidden layer; elements = rows × units.
    let pre = fill(R * W, 4);
    let upstream = fill(R * W, 5);
    let mut act = vec![0f32; R * W];
    let mut grad = upstream.clone();
    group.throughput(Throughput::Elements((R * W) as u64));
    group.bench_function(
        BenchmarkId::new("silu_taylor_fwd_bwd", format!("{R}x{W}")),
        |b| {
            b.iter(|| {
                kernels::forward(Activation::Silu, &pre, &mut act, W, NT);
                grad.copy_from_slice(&upstream);
                kernels::backward(Activation::Silu, &pre, &mut grad, W, NT);
                black_box((&act, &grad));
            })
        },
    );
    group.finish();
}

criterion_group!(benches, steps, floor);
criterion_main!(benches);
