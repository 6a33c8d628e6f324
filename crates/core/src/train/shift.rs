//! The `shift` augmentation: each training image of a batch moved by a random offset
//! (dy, dx) ∈ {−shift … shift}², the pixels moved in from outside the image 0.
//!
//! The offsets of a step are a function of the training seed and the step alone (a ChaCha8
//! stream of its own, numbered by the step), not of the batch-order generator, so turning the
//! setting on leaves the data order as it was, and a run restarted at step k draws the offsets of
//! step k again. Integer indexing and copies only: the same bits natively and in WebAssembly.

use rand::Rng as _;

use crate::rng;

/// Largest `shift` (pixels).
pub const MAX_SHIFT: usize = 3;

/// The offsets `(dy, dx)` of the `n` examples of the batch of step `step` (in batch order),
/// each uniform in `{−shift … shift}²`.
pub fn offsets(seed: u64, step: u64, shift: usize, n: usize) -> Vec<(i32, i32)> {
    let mut r = rng::derived(seed, "shift");
    r.set_stream(step);
    let k = shift as u32;
    let draw = |r: &mut rng::Rng| r.random_range(0..=2 * k) as i32 - k as i32;
    (0..n)
        .map(|_| {
            let dy = draw(&mut r);
            let dx = draw(&mut r);
            (dy, dx)
        })
        .collect()
}

/// `src`, a `side × side` image row by row, moved down by `dy` and right by `dx` into `dst`
/// (`dst[r][c] = src[r − dy][c − dx]`, 0 where that is outside the image).
pub fn translate(src: &[f32], dst: &mut [f32], side: usize, (dy, dx): (i32, i32)) {
    // The columns of a row that come from inside the image: `c − dx` in `0..side`.
    let s = side as i64;
    let (from, to) = (i64::from(dx).clamp(0, s), (s + i64::from(dx)).clamp(0, s));
    let (from, to) = (from as usize, to as usize);
    for (r, row) in dst.chunks_exact_mut(side).take(side).enumerate() {
        let sr = r as i64 - i64::from(dy);
        if !(0..s).contains(&sr) || from >= to {
            row.fill(0.0);
            continue;
        }
        let sr = sr as usize * side;
        // dst[r][c] = src[sr][c − dx] for c in from..to, which reads src[sr][from − dx..to − dx].
        let sc = (from as i64 - i64::from(dx)) as usize;
        row[..from].fill(0.0);
        row[from..to].copy_from_slice(&src[sr + sc..sr + sc + (to - from)]);
        row[to..].fill(0.0);
    }
}

/// Moves each of the first `n` images of `x` (`side × side` each, back to back) by the offsets of
/// step `step` ([`offsets`]); `scratch` is reused between calls.
pub(crate) fn shift_batch(
    x: &mut [f32],
    n: usize,
    side: usize,
    (seed, step, shift): (u64, u64, usize),
    scratch: &mut Vec<f32>,
) {
    let len = side * side;
    scratch.resize(len, 0.0);
    for (img, d) in x
        .chunks_exact_mut(len)
        .take(n)
        .zip(offsets(seed, step, shift, n))
    {
        if d == (0, 0) {
            continue;
        }
        translate(img, scratch, side, d);
        img.copy_from_slice(scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4×4 image whose pixel (r, c) is 1 + 4r + c.
    fn image() -> Vec<f32> {
        (0..16).map(|i| 1.0 + i as f32).collect()
    }

    #[test]
    fn translate_moves_pixels_by_the_offset_and_fills_with_zero() {
        let src = image();
        let mut dst = vec![-1.0; 16];
        translate(&src, &mut dst, 4, (1, -2));
        // Row 0 comes from row −1 (outside): zeros; row r from row r − 1, column c from c + 2.
        #[rustfmt::skip]
        let want = [
            0.0, 0.0, 0.0, 0.0,
            3.0, 4.0, 0.0, 0.0,
            7.0, 8.0, 0.0, 0.0,
            11.0, 12.0, 0.0, 0.0,
        ];
        assert_eq!(dst, want);
        translate(&src, &mut dst, 4, (0, 0));
        assert_eq!(dst, src);
        translate(&src, &mut dst, 4, (-4, 0));
        assert!(dst.iter().all(|&v| v == 0.0));
    }

    /// The row copies equal the definition pixel by pixel, for every offset that moves a 5×5
    /// image partly or wholly out of itself.
    #[test]
    fn translate_is_the_definition_for_every_offset() {
        let side = 5usize;
        let src: Vec<f32> = (0..side * side).map(|i| 1.0 + i as f32).collect();
        let mut dst = vec![f32::NAN; side * side];
        for dy in -6..=6 {
            for dx in -6..=6 {
                translate(&src, &mut dst, side, (dy, dx));
                for r in 0..side as i32 {
                    for c in 0..side as i32 {
                        let (sr, sc) = (r - dy, c - dx);
                        let inside =
                            (0..side as i32).contains(&sr) && (0..side as i32).contains(&sc);
                        let want = if inside {
                            src[(sr * side as i32 + sc) as usize]
                        } else {
                            0.0
                        };
                        assert_eq!(
                            dst[(r * side as i32 + c) as usize],
                            want,
                            "({dy}, {dx}) at ({r}, {c})"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn offsets_are_the_same_for_the_same_seed_and_step_and_stay_in_range() {
        let a = offsets(7, 12, 2, 500);
        assert_eq!(a, offsets(7, 12, 2, 500));
        assert_ne!(a, offsets(7, 13, 2, 500));
        assert_ne!(a, offsets(8, 12, 2, 500));
        assert!(a
            .iter()
            .all(|&(y, x)| (-2..=2).contains(&y) && (-2..=2).contains(&x)));
        // Every offset of the 25 turns up in 500 draws.
        for dy in -2..=2 {
            for dx in -2..=2 {
                assert!(a.contains(&(dy, dx)), "({dy}, {dx}) never drawn");
            }
        }
        // The first n of a longer batch are the offsets of a batch of n.
        assert_eq!(offsets(7, 12, 2, 10), a[..10]);
    }

    #[test]
    fn shift_batch_moves_each_image_by_its_drawn_offset_and_leaves_the_rest() {
        let (seed, step, shift, side) = (3, 5, 1, 4);
        let mut x: Vec<f32> = (0..3).flat_map(|_| image()).collect();
        x.extend([9.0; 16]); // a fourth row beyond the batch's n = 3
        let mut scratch = Vec::new();
        shift_batch(&mut x, 3, side, (seed, step, shift), &mut scratch);
        for (i, d) in offsets(seed, step, shift, 3).into_iter().enumerate() {
            let mut want = vec![0.0; 16];
            translate(&image(), &mut want, side, d);
            assert_eq!(x[i * 16..(i + 1) * 16], want, "image {i}, offset {d:?}");
        }
        assert!(x[48..].iter().all(|&v| v == 9.0));
    }
}
