//! A function of `(t, x)` at one point, with the partial derivatives a second-order PDE residual
//! needs.

/// `f`, `∂ₓf`, `∂ₜf` and `∂ₓₓf` at one point `(t, x)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Jet {
    pub value: f64,
    pub x: f64,
    pub t: f64,
    pub xx: f64,
}

impl Jet {
    /// A function of `x` alone (`∂ₜf = 0`).
    pub fn of_x(value: f64, x: f64, xx: f64) -> Self {
        Self {
            value,
            x,
            t: 0.0,
            xx,
        }
    }

    /// The constant `c`.
    pub fn constant(c: f64) -> Self {
        Self::of_x(c, 0.0, 0.0)
    }

    /// `f · g` by the product rule: `(fg)_x = f_x g + f g_x`, `(fg)_t = f_t g + f g_t`,
    /// `(fg)_xx = f_xx g + 2 f_x g_x + f g_xx`.
    pub fn product(self, g: Jet) -> Jet {
        Jet {
            value: self.value * g.value,
            x: self.x * g.value + self.value * g.x,
            t: self.t * g.value + self.value * g.t,
            xx: self.xx * g.value + 2.0 * self.x * g.x + self.value * g.xx,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_rule() {
        // f = t x², g = x + 3: fg = t x³ + 3 t x²
        let (t, x) = (0.7, 1.3);
        let f = Jet {
            value: t * x * x,
            x: 2.0 * t * x,
            t: x * x,
            xx: 2.0 * t,
        };
        let g = Jet::of_x(x + 3.0, 1.0, 0.0);
        let p = f.product(g);
        let want = Jet {
            value: t * x.powi(3) + 3.0 * t * x * x,
            x: 3.0 * t * x * x + 6.0 * t * x,
            t: x.powi(3) + 3.0 * x * x,
            xx: 6.0 * t * x + 6.0 * t,
        };
        for (a, b) in [
            (p.value, want.value),
            (p.x, want.x),
            (p.t, want.t),
            (p.xx, want.xx),
        ] {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }
}
