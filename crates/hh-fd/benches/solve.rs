//! The paper-problem solve (a = 0.1, k = 5, lower, dirichlet, T = 1) with Crank–Nicolson on
//! nx = 2000, nt = 4000: grid-point updates per second (target ≥ 5e7 on one core).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hh_fd::{GridConfig, solve};
use hh_model::ProblemConfig;

fn paper_solve(c: &mut Criterion) {
    let problem = ProblemConfig::default().build().expect("paper problem");
    let grid = GridConfig {
        nx: 2000,
        nt: 4000,
        theta: 0.5,
        ..Default::default()
    };
    let mut group = c.benchmark_group("fd");
    group.sample_size(20);
    group.throughput(Throughput::Elements((grid.nx as u64 + 1) * grid.nt as u64));
    group.bench_function("paper_cn_2000x4000", |b| {
        b.iter(|| solve(&problem, &grid).expect("solve"))
    });
    group.finish();
}

criterion_group!(benches, paper_solve);
criterion_main!(benches);
