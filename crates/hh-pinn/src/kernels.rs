//! Element types and the pointwise kernels of the fused Taylor-mode layer.
//!
//! A hidden layer maps the stacked pre-activations `[z; z_x; z_t; z_xx; z_v]` (four Taylor streams
//! of `nt` rows, then `nv` value-only rows) to
//!
//! ```text
//! h = σ(z),  h_x = σ'(z) z_x,  h_t = σ'(z) z_t,  h_xx = σ''(z) z_x² + σ'(z) z_xx,  h_v = σ(z_v)
//! ```
//!
//! and back-propagates (with `g_•` the incoming gradients)
//!
//! ```text
//! g_z   = g_h σ' + (g_hx z_x + g_ht z_t + g_hxx z_xx) σ'' + g_hxx z_x² σ'''
//! g_zx  = g_hx σ' + 2 g_hxx σ'' z_x,   g_zt = g_ht σ',   g_zxx = g_hxx σ',   g_zv = g_hv σ'(z_v).
//! ```
//!
//! The loops are branch free and call no libm function (Cephes-style `exp` and `tanh`, [`Elem`]), so
//! the compiler vectorises them; they are compiled for AVX-512 and for AVX2 (both with FMA) as well
//! as the baseline, and the widest the CPU has is chosen at run time. The products of the layer
//! (`matmul`) are faer's.

use candle_core::WithDType;
use faer::{Accum, MatMut, MatRef, Par};
use serde::{Deserialize, Serialize};
use std::ops::Neg;

/// Activation of the hidden layers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `z · sigmoid(z)` (swish), the paper's.
    #[default]
    Silu,
    Tanh,
    /// No activation (the output layer).
    Identity,
}

impl Activation {
    pub fn name(self) -> &'static str {
        match self {
            Self::Silu => "silu",
            Self::Tanh => "tanh",
            Self::Identity => "identity",
        }
    }
}

impl std::str::FromStr for Activation {
    type Err = hh_core::ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "silu" => Ok(Self::Silu),
            "tanh" => Ok(Self::Tanh),
            "identity" => Ok(Self::Identity),
            _ => Err(hh_core::ConfigError::invalid(
                "network.activation",
                "one of silu, tanh, identity",
                s,
            )),
        }
    }
}

/// A float type the trainer runs in (`f32` by default; `f64` for the `precise` preset, on request, and
/// in the derivative checks).
pub trait Elem: WithDType + faer::traits::ComplexField + Neg<Output = Self> + Default {
    /// `eˣ` in a form that vectorises (no libm call).
    fn vexp(self) -> Self;
    /// `tanh` in a form that vectorises (no libm call).
    fn vtanh(self) -> Self;
    fn sqrt(self) -> Self;
    fn max(self, other: Self) -> Self;
    fn min(self, other: Self) -> Self;
}

impl Elem for f32 {
    #[inline(always)]
    fn vexp(self) -> f32 {
        // Cephes expf: x = n ln2 + r, |r| ≤ ln2/2, eʳ by a degree-6 polynomial, 2ⁿ by its bits.
        // Only selects and integer ops besides arithmetic, so a loop of it vectorises.
        let x = if self < -87.0 { -87.0 } else { self };
        let x = if x > 88.0 { 88.0 } else { x };
        const ROUND: f32 = 12_582_912.0; // 1.5·2²³: adding it rounds to an integer in the low bits
        let k = x * std::f32::consts::LOG2_E + ROUND;
        let n = k - ROUND;
        let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
        let p = 1.987_569_1e-4_f32;
        let p = p * r + 1.398_2e-3;
        let p = p * r + 8.333_452e-3;
        let p = p * r + 4.166_579_6e-2;
        let p = p * r + 0.166_666_65;
        let p = p * r + 0.5;
        let er = p * r * r + r + 1.0;
        let ni = k.to_bits().wrapping_sub(ROUND.to_bits()); // n as a two's-complement integer
        let scale = f32::from_bits(ni.wrapping_add(127) << 23);
        er * scale
    }
    #[inline(always)]
    fn vtanh(self) -> f32 {
        1.0 - 2.0 / (1.0 + (2.0 * self).vexp())
    }
    #[inline(always)]
    fn sqrt(self) -> f32 {
        f32::sqrt(self)
    }
    #[inline(always)]
    fn max(self, o: f32) -> f32 {
        f32::max(self, o)
    }
    #[inline(always)]
    fn min(self, o: f32) -> f32 {
        f32::min(self, o)
    }
}

impl Elem for f64 {
    #[inline(always)]
    fn vexp(self) -> f64 {
        // Cephes exp: x = n ln2 + r, |r| ≤ ln2/2, eʳ = 1 + 2 r P(r²) / (Q(r²) − r P(r²)) (a Padé
        // form, within 1 ulp), 2ⁿ by its bits; libm's `exp` is a call per element, which keeps
        // the loops scalar. Inputs are clamped to [−708, 709], where eˣ is a normal number.
        let x = if self < -708.0 { -708.0 } else { self };
        let x = if x > 709.0 { 709.0 } else { x };
        const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²: adding it rounds to an integer
        let k = x * std::f64::consts::LOG2_E + ROUND;
        let n = k - ROUND;
        let r = x - n * 6.931_457_519_531_25e-1 - n * 1.428_606_820_309_417_232e-6;
        let rr = r * r;
        let p = ((1.261_771_930_748_105_9e-4 * rr + 3.029_944_077_074_419_6e-2) * rr + 1.0) * r;
        let q = ((3.001_985_051_386_644_5e-6 * rr + 2.524_483_403_496_841e-3) * rr
            + 2.272_655_482_081_550_3e-1)
            * rr
            + 2.0;
        let er = 1.0 + 2.0 * p / (q - p);
        let ni = k.to_bits().wrapping_sub(ROUND.to_bits()); // n as a two's-complement integer
        let scale = f64::from_bits(ni.wrapping_add(1023) << 52);
        er * scale
    }
    #[inline(always)]
    fn vtanh(self) -> f64 {
        // Cephes tanh: a rational function of z² for |z| < 0.625, `1 − 2 / (1 + e^{2|z|})` with
        // the sign of z beyond; both are computed and one is selected, so a loop vectorises.
        let a = self.abs();
        let z = self * self;
        let p = (-9.643_991_794_250_523e-1 * z - 9.928_772_310_019_186e1) * z
            - 1.614_687_684_417_084_5e3;
        let q = ((z + 1.128_116_784_916_329_3e2) * z + 2.235_488_390_601_004_6e3) * z
            + 4.844_063_053_251_255e3;
        let small = self + self * z * p / q;
        let large = 1.0 - 2.0 / ((2.0 * a).vexp() + 1.0);
        let large = if self < 0.0 { -large } else { large };
        if a < 0.625 { small } else { large }
    }
    #[inline(always)]
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn max(self, o: f64) -> f64 {
        f64::max(self, o)
    }
    #[inline(always)]
    fn min(self, o: f64) -> f64 {
        f64::min(self, o)
    }
}

/// `(σ, σ', σ'', σ''')` at `z`.
#[inline(always)]
pub fn derivatives<T: Elem>(act: Activation, z: T) -> (T, T, T, T) {
    let one = T::one();
    let two = one + one;
    match act {
        Activation::Silu => {
            let s = one / (one + (-z).vexp());
            let p = s * (one - s);
            let q = one - two * s;
            let d1 = s + z * p;
            let d2 = p * (two + z * q);
            let d3 = p * (q * (two + one + z * q) - two * z * p);
            (z * s, d1, d2, d3)
        }
        Activation::Tanh => {
            let h = z.vtanh();
            let d1 = one - h * h;
            let d2 = -two * h * d1;
            let d3 = -two * d1 * (one - (two + one) * h * h);
            (h, d1, d2, d3)
        }
        Activation::Identity => (z, one, T::zero(), T::zero()),
    }
}

/// Forward of the pointwise part: `pre` holds `R × n` pre-activations (bias already added to the
/// value rows), `out` receives the activated streams.
pub fn forward<T: Elem>(act: Activation, pre: &[T], out: &mut [T], n: usize, nt: usize) {
    #[cfg(target_arch = "x86_64")]
    match simd() {
        // SAFETY: the CPU has the features the variant is compiled for (checked at run time).
        Simd::Avx512 => return unsafe { forward_avx512(act, pre, out, n, nt) },
        Simd::Avx2 => return unsafe { forward_avx2(act, pre, out, n, nt) },
        Simd::Baseline => {}
    }
    forward_generic(act, pre, out, n, nt);
}

/// Backward of the pointwise part: `grad` (`R × n`, gradient w.r.t. the output) is overwritten by
/// the gradient w.r.t. the pre-activations.
pub fn backward<T: Elem>(act: Activation, pre: &[T], grad: &mut [T], n: usize, nt: usize) {
    #[cfg(target_arch = "x86_64")]
    match simd() {
        // SAFETY: as above.
        Simd::Avx512 => return unsafe { backward_avx512(act, pre, grad, n, nt) },
        Simd::Avx2 => return unsafe { backward_avx2(act, pre, grad, n, nt) },
        Simd::Baseline => {}
    }
    backward_generic(act, pre, grad, n, nt);
}

/// The widest vector instructions the pointwise loops are compiled for on this CPU.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
enum Simd {
    /// AVX-512F (16 `f32` lanes) with FMA.
    Avx512,
    /// AVX2 (8 `f32` lanes) with FMA.
    Avx2,
    /// The build's baseline (SSE2).
    Baseline,
}

#[cfg(target_arch = "x86_64")]
fn simd() -> Simd {
    use std::sync::OnceLock;
    static HAS: OnceLock<Simd> = OnceLock::new();
    *HAS.get_or_init(|| {
        let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        if avx2 && is_x86_feature_detected!("avx512f") {
            Simd::Avx512
        } else if avx2 {
            Simd::Avx2
        } else {
            Simd::Baseline
        }
    })
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn forward_avx512<T: Elem>(act: Activation, pre: &[T], out: &mut [T], n: usize, nt: usize) {
    forward_generic(act, pre, out, n, nt)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn backward_avx512<T: Elem>(
    act: Activation,
    pre: &[T],
    grad: &mut [T],
    n: usize,
    nt: usize,
) {
    backward_generic(act, pre, grad, n, nt)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn forward_avx2<T: Elem>(act: Activation, pre: &[T], out: &mut [T], n: usize, nt: usize) {
    forward_generic(act, pre, out, n, nt)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn backward_avx2<T: Elem>(act: Activation, pre: &[T], grad: &mut [T], n: usize, nt: usize) {
    backward_generic(act, pre, grad, n, nt)
}

#[inline(always)]
fn forward_generic<T: Elem>(act: Activation, pre: &[T], out: &mut [T], n: usize, nt: usize) {
    match act {
        Activation::Silu => forward_act::<T, 0>(pre, out, n, nt),
        Activation::Tanh => forward_act::<T, 1>(pre, out, n, nt),
        Activation::Identity => forward_act::<T, 2>(pre, out, n, nt),
    }
}

#[inline(always)]
fn backward_generic<T: Elem>(act: Activation, pre: &[T], grad: &mut [T], n: usize, nt: usize) {
    match act {
        Activation::Silu => backward_act::<T, 0>(pre, grad, n, nt),
        Activation::Tanh => backward_act::<T, 1>(pre, grad, n, nt),
        Activation::Identity => backward_act::<T, 2>(pre, grad, n, nt),
    }
}

const ACTS: [Activation; 3] = [Activation::Silu, Activation::Tanh, Activation::Identity];

#[inline(always)]
fn forward_act<T: Elem, const A: usize>(pre: &[T], out: &mut [T], n: usize, nt: usize) {
    let act = ACTS[A];
    debug_assert!(out.len() == pre.len() && pre.len() >= 4 * nt * n);
    let s = nt * n;
    let (z, rest) = pre.split_at(s);
    let (zx, rest) = rest.split_at(s);
    let (zt, rest) = rest.split_at(s);
    let (zxx, zv) = rest.split_at(s);
    let (h, rest) = out.split_at_mut(s);
    let (hx, rest) = rest.split_at_mut(s);
    let (ht, rest) = rest.split_at_mut(s);
    let (hxx, hv) = rest.split_at_mut(s);
    let (zx, zt, zxx) = (&zx[..s], &zt[..s], &zxx[..s]);
    let (hx, ht, hxx) = (&mut hx[..s], &mut ht[..s], &mut hxx[..s]);
    for i in 0..s {
        let (a, d1, d2, _) = derivatives(act, z[i]);
        let zx = zx[i];
        h[i] = a;
        hx[i] = d1 * zx;
        ht[i] = d1 * zt[i];
        hxx[i] = d2 * zx * zx + d1 * zxx[i];
    }
    let zv = &zv[..hv.len()];
    for i in 0..hv.len() {
        hv[i] = derivatives(act, zv[i]).0;
    }
}

#[inline(always)]
fn backward_act<T: Elem, const A: usize>(pre: &[T], grad: &mut [T], n: usize, nt: usize) {
    let act = ACTS[A];
    let s = nt * n;
    let two = T::one() + T::one();
    let (z, rest) = pre.split_at(s);
    let (zx, rest) = rest.split_at(s);
    let (zt, rest) = rest.split_at(s);
    let (zxx, zv) = rest.split_at(s);
    let (g, rest) = grad.split_at_mut(s);
    let (gx, rest) = rest.split_at_mut(s);
    let (gt, rest) = rest.split_at_mut(s);
    let (gxx, gv) = rest.split_at_mut(s);
    let (zx, zt, zxx) = (&zx[..s], &zt[..s], &zxx[..s]);
    let (gx, gt, gxx) = (&mut gx[..s], &mut gt[..s], &mut gxx[..s]);
    for i in 0..s {
        let (_, d1, d2, d3) = derivatives(act, z[i]);
        let (zx, zt, zxx) = (zx[i], zt[i], zxx[i]);
        let (gh, ghx, ght, ghxx) = (g[i], gx[i], gt[i], gxx[i]);
        g[i] = gh * d1 + (ghx * zx + ght * zt + ghxx * zxx) * d2 + ghxx * zx * zx * d3;
        gx[i] = ghx * d1 + two * ghxx * d2 * zx;
        gt[i] = ght * d1;
        gxx[i] = ghxx * d1;
    }
    let zv = &zv[..gv.len()];
    for i in 0..gv.len() {
        gv[i] *= derivatives(act, zv[i]).1;
    }
}

/// `dst (m × n) = a (m × k) · b (k × n)` for strided operands (row stride, column stride), one
/// thread (the trainer parallelises over batch chunks instead). faer's product: it dispatches to
/// AVX-512 kernels where the CPU has them, which the `gemm` crate does only on nightly Rust.
#[allow(clippy::too_many_arguments)]
pub fn matmul<T: Elem>(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [T],
    a: &[T],
    (a_rs, a_cs): (usize, usize),
    b: &[T],
    (b_rs, b_cs): (usize, usize),
) {
    assert!(dst.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        dst[..m * n].fill(T::zero());
        return;
    }
    assert!(a.len() > (m - 1) * a_rs + (k - 1) * a_cs);
    assert!(b.len() > (k - 1) * b_rs + (n - 1) * b_cs);
    let stride = |s: usize| isize::try_from(s).expect("stride fits in isize");
    // SAFETY: the asserts above keep every (row, column) of both operands inside their slices.
    let (a, b) = unsafe {
        (
            MatRef::from_raw_parts(a.as_ptr(), m, k, stride(a_rs), stride(a_cs)),
            MatRef::from_raw_parts(b.as_ptr(), k, n, stride(b_rs), stride(b_cs)),
        )
    };
    let dst = MatMut::from_row_major_slice_mut(&mut dst[..m * n], m, n);
    faer::linalg::matmul::matmul(dst, Accum::Replace, a, b, T::one(), Par::Seq);
    clear_upper_state();
}

/// Clears the upper halves of this thread's vector registers (`vzeroupper`) after faer's
/// AVX-512 matrix kernels, which return with them dirty. Until they are cleared, every legacy-SSE
/// instruction — all scalar float code of the baseline build, and libm — pays a transition
/// penalty, and the step's scalar work after a product (libm's `cosh` in the paper's `u₀`, for
/// one) runs several times slower.
fn clear_upper_state() {
    #[cfg(target_arch = "x86_64")]
    if matches!(simd(), Simd::Avx512 | Simd::Avx2) {
        // SAFETY: the CPU has AVX (checked at run time).
        unsafe { zero_upper() }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn zero_upper() {
    std::arch::x86_64::_mm256_zeroupper();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_and_tanh_are_within_a_few_ulp_in_f64() {
        let (mut exp_err, mut tanh_err) = (0f64, 0f64);
        for i in -400_000..=400_000 {
            let x = i as f64 * 1.7e-3; // up to ±680, through both branches of tanh
            let e = x.vexp();
            exp_err = exp_err.max(((e - x.exp()) / x.exp()).abs());
            let t = x.vtanh();
            if x != 0.0 {
                tanh_err = tanh_err.max(((t - x.tanh()) / x.tanh()).abs());
            }
        }
        assert!(exp_err < 1e-15, "exp: worst relative error {exp_err:e}");
        assert!(tanh_err < 1e-15, "tanh: worst relative error {tanh_err:e}");
        assert_eq!(1e-300f64.vtanh(), 1e-300);
        assert_eq!((-800f64).vtanh(), -1.0);
        assert!(f64::NAN.vtanh().is_nan() && f64::NAN.vexp().is_nan());
    }

    #[test]
    fn fast_exp_is_accurate_in_f32() {
        let mut worst = 0f64;
        for i in -8000..=8000 {
            let x = i as f32 * 0.01;
            let e = x.vexp() as f64;
            let r = (x as f64).exp();
            worst = worst.max(((e - r) / r).abs());
        }
        assert!(worst < 3e-7, "{worst}");
        assert!((-200f32).vexp() >= 0.0 && (200f32).vexp().is_finite());
    }

    #[test]
    fn activation_derivatives_match_finite_differences() {
        for act in [Activation::Silu, Activation::Tanh, Activation::Identity] {
            for &z in &[-4.0, -1.3, -0.2, 0.0, 0.4, 1.7, 5.0f64] {
                let h = 1e-5;
                let f = |z: f64| derivatives(act, z);
                let (_, d1, d2, d3) = f(z);
                let fd1 = (f(z + h).0 - f(z - h).0) / (2.0 * h);
                let fd2 = (f(z + h).1 - f(z - h).1) / (2.0 * h);
                let fd3 = (f(z + h).2 - f(z - h).2) / (2.0 * h);
                for (a, b) in [(d1, fd1), (d2, fd2), (d3, fd3)] {
                    assert!((a - b).abs() < 1e-8, "{act:?} z={z}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn matmul_overwrites_a_stale_destination() {
        // The fused op hands matmul recycled buffers: whatever they hold must not leak through.
        let (a, b) = ([1.0f32, 2.0, 3.0, 4.0], [1.0f32, 0.0, 0.0, 1.0]);
        let mut c = [f32::NAN, f32::INFINITY, -f32::INFINITY, f32::NAN];
        matmul(2, 2, 2, &mut c, &a, (2, 1), &b, (2, 1));
        assert_eq!(c, a);
    }

    #[test]
    fn matmul_matches_naive() {
        let (m, n, k) = (5, 3, 4);
        let a: Vec<f64> = (0..m * k).map(|i| i as f64 * 0.3 - 1.0).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i as f64).sin()).collect();
        let mut c = vec![0.0; m * n];
        // b used transposed: b is stored n × k.
        matmul(m, n, k, &mut c, &a, (k, 1), &b, (1, k));
        for i in 0..m {
            for j in 0..n {
                let want: f64 = (0..k).map(|l| a[i * k + l] * b[j * k + l]).sum();
                assert!((c[i * n + j] - want).abs() < 1e-12);
            }
        }
    }
}
