//! Element-wise activation functions.

use ndarray::{ArrayViewMut2, Zip};

/// A neuron's non-linearity, applied element-wise after the affine map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// max(0, z).
    #[default]
    Relu,
    /// tanh(z).
    Tanh,
    /// 1 / (1 + e^(−z)).
    Sigmoid,
    /// z (no non-linearity).
    Linear,
}

// The lower-case names are also PyTorch metadata's.
crate::named_enum!(Activation, "activation", {
    Relu => "relu",
    Tanh => "tanh",
    Sigmoid => "sigmoid",
    Linear => "linear",
});

impl Activation {
    /// The activation of one value: `relu`, `tanh` (the rational [`tanh`]), the logistic
    /// function or the identity. Every forward pass of the crate computes through this function.
    #[inline(always)]
    pub fn value(self, x: f32) -> f32 {
        match self {
            Activation::Relu => relu(x),
            Activation::Tanh => tanh(x),
            Activation::Sigmoid => 1.0 / (1.0 + crate::math::expf(-x)),
            Activation::Linear => x,
        }
    }

    /// `d · da/dz` for one value, written in terms of the activation's *output* `a` — all four
    /// derivatives can be, so the backward pass needs no pre-activation values: relu' = \[a > 0\],
    /// tanh' = 1 − a², sigmoid' = a(1 − a), linear' = 1.
    #[inline(always)]
    pub fn backprop_value(self, d: f32, a: f32) -> f32 {
        match self {
            // A select rather than a conditional store, so the loop vectorizes.
            Activation::Relu => {
                if a <= 0.0 {
                    0.0
                } else {
                    d
                }
            }
            Activation::Tanh => d * (1.0 - a * a),
            Activation::Sigmoid => d * (a * (1.0 - a)),
            Activation::Linear => d,
        }
    }

    /// Applies the activation in place.
    pub fn apply(self, mut z: ArrayViewMut2<f32>) {
        match self {
            Activation::Relu => z.mapv_inplace(|v| Activation::Relu.value(v)),
            Activation::Tanh => z.mapv_inplace(|v| Activation::Tanh.value(v)),
            Activation::Sigmoid => z.mapv_inplace(|v| Activation::Sigmoid.value(v)),
            Activation::Linear => {}
        }
    }

    /// Multiplies `delta` (∂L/∂a) in place by the derivative da/dz, from the activation's output
    /// `a` (see [`Activation::backprop_value`]).
    pub fn backprop_inplace(self, mut delta: ArrayViewMut2<f32>, a: ndarray::ArrayView2<f32>) {
        if let (Some(ds), Some(as_)) = (delta.as_slice_mut(), a.as_slice()) {
            self.backprop_slice(ds, as_);
        } else {
            Zip::from(delta)
                .and(a)
                .for_each(|d, &a| *d = self.backprop_value(*d, a));
        }
    }

    /// [`Activation::backprop_inplace`] on slices of the same layout: one loop per activation
    /// over the whole block, so each vectorizes.
    pub(crate) fn backprop_slice(self, delta: &mut [f32], a: &[f32]) {
        fn each(delta: &mut [f32], a: &[f32], f: impl Fn(f32, f32) -> f32) {
            for (d, &a) in delta.iter_mut().zip(a) {
                *d = f(*d, a);
            }
        }
        match self {
            Activation::Relu => each(delta, a, |d, a| Activation::Relu.backprop_value(d, a)),
            Activation::Tanh => each(delta, a, |d, a| Activation::Tanh.backprop_value(d, a)),
            Activation::Sigmoid => {
                each(delta, a, |d, a| Activation::Sigmoid.backprop_value(d, a));
            }
            Activation::Linear => {}
        }
    }
}

/// max(x, 0) with `f32::max`'s answers (NaN gives 0) written as a compare and select: in
/// WebAssembly `f32::max` is a call to libm's `fmaxf` (wasm's `f32.max` treats NaN differently),
/// which keeps a layer's loop from vectorizing. Only the sign of a zero result may differ.
#[inline]
pub fn relu(x: f32) -> f32 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// tanh in f32 as a rational function of x (odd numerator of degree 13 over even denominator of
/// degree 6, the minimax form Eigen and XLA use for float), clamped to ±7.90531110763549805 where
/// f32 tanh is ±1 to within an ulp. Unlike a libm call it has no branches on the value, so a
/// loop over a layer's outputs vectorizes (SIMD128 in the browser), which makes a toy network's
/// training step several times faster. Error against f64 tanh: below 5e-7 absolute and relative
/// (a few f32 ulps; measured 4.3e-7 on [-12, 12]); odd, within ±1, monotone up to round-off.
#[inline]
pub fn tanh(x: f32) -> f32 {
    const CLAMP: f32 = 7.905_311;
    const A1: f32 = 4.893_524_6e-3;
    const A3: f32 = 6.372_619_3e-4;
    const A5: f32 = 1.485_722_4e-5;
    const A7: f32 = 5.122_297e-8;
    const A9: f32 = -8.604_672e-11;
    const A11: f32 = 2.000_188e-13;
    const A13: f32 = -2.760_768_5e-16;
    const B0: f32 = 4.893_525e-3;
    const B2: f32 = 2.268_434_6e-3;
    const B4: f32 = 1.185_347e-4;
    const B6: f32 = 1.198_258_4e-6;
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    let p = ((((((A13 * x2 + A11) * x2 + A9) * x2 + A7) * x2 + A5) * x2 + A3) * x2 + A1) * x;
    let q = ((B6 * x2 + B4) * x2 + B2) * x2 + B0;
    p / q
}

#[cfg(test)]
mod tests {
    /// The rational tanh against f64 tanh over [-12, 12] in steps of 1e-4, plus 0 and ∞: small
    /// absolute and relative error, odd, bounded by ±1, monotone up to round-off (the quotient
    /// jitters by an ulp or two next to ±1).
    #[test]
    fn rational_tanh_is_accurate_odd_bounded_and_monotone() {
        let (mut worst_abs, mut worst_rel) = (0.0f64, 0.0f64);
        let mut prev = -1.0f32;
        for i in -120_000..=120_000 {
            let x = i as f32 * 1e-4;
            let t = super::tanh(x);
            let e = f64::from(x).tanh();
            worst_abs = worst_abs.max((f64::from(t) - e).abs());
            if x.abs() >= 1e-3 {
                worst_rel = worst_rel.max(((f64::from(t) - e) / e).abs());
            }
            assert_eq!(super::tanh(-x), -t, "odd at {x}");
            assert!(t.abs() <= 1.0, "bounded at {x}");
            assert!(t >= prev - 5e-7, "monotone (to round-off) at {x}");
            prev = t;
        }
        assert!(worst_abs < 5e-7, "absolute error {worst_abs}");
        assert!(worst_rel < 5e-7, "relative error {worst_rel}");
        assert_eq!(super::tanh(0.0), 0.0);
        assert_eq!(super::tanh(f32::INFINITY), 1.0);
    }
}
