//! The UCI optical handwritten digits, 8×8, as shipped by scikit-learn (`load_digits`): 1797
//! samples, 64 pixel features with values 0–16, 10 classes. CC BY 4.0 (Alpaydin & Kaynak, UCI
//! Machine Learning Repository); see `data/README.md` for the credit and how the embedded file
//! was made.
//!
//! The data is compiled into the crate (`data/digits.bin`, 117 kB) and checked on every load:
//! magic, sizes, an FNV-1a checksum and the value ranges.
//!
//! [`load`] splits it with a seeded *stratified* split (each digit keeps its share, the total is
//! exactly `round(1797 · train_fraction)`), then scales the pixels: divide by 16 (to [0, 1]), then
//! standardize each feature with the training set's mean and std, applied to both parts. Pixels
//! that are constant in the training set (a few border pixels are always 0) are only centred.

use ndarray::Array2;

use super::Dataset;
use crate::{Error, Result};

/// The embedded file (format in `data/README.md`). Native builds only: the wasm engine leaves the
/// 117 KB out of its binary and is given the same file at run time ([`provide`]; the page's worker
/// fetches `pkg/digits.bin` the first time a digits network is built).
#[cfg(not(target_arch = "wasm32"))]
pub static DIGITS_BIN: &[u8] = include_bytes!("../../../../data/digits.bin");

#[cfg(target_arch = "wasm32")]
static PROVIDED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// Hands the digits file to a build that does not embed it (wasm). The bytes are checked
/// ([`decode`]: magic, sizes, checksum, value ranges) before they are kept; once kept, later calls
/// are no-ops. Native builds embed the file and only check the bytes.
///
/// # Errors
/// [`Error::State`] naming what is wrong with the bytes.
pub fn provide(bytes: &[u8]) -> Result<()> {
    let (pixels, _) = decode(bytes)?;
    let body = &bytes[..bytes.len() - 4];
    if pixels.nrows() != N_SAMPLES || fnv1a32(body) != BODY_FNV1A32 {
        return Err(Error::state(format!(
            "this is not the digits file of this build ({} samples, checksum {:#010x}; expected {N_SAMPLES} and {BODY_FNV1A32:#010x})",
            pixels.nrows(),
            fnv1a32(body)
        )));
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = PROVIDED.set(bytes.to_vec());
    }
    Ok(())
}

/// Whether the digits file is available (always, natively; once [`provide`]d, on wasm).
pub fn available() -> bool {
    file().is_ok()
}

fn file() -> Result<&'static [u8]> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        Ok(DIGITS_BIN)
    }
    #[cfg(target_arch = "wasm32")]
    {
        PROVIDED.get().map(Vec::as_slice).ok_or_else(|| {
            Error::state(
                "the digits data set is not loaded: give the engine data/digits.bin first \
                 (loadDigits(bytes); the page's worker does this by itself)",
            )
        })
    }
}

/// Number of samples.
pub const N_SAMPLES: usize = 1797;
/// Features per sample (8×8 pixels).
pub const N_FEATURES: usize = 64;
/// Number of classes.
pub const N_CLASSES: usize = 10;
/// Largest pixel value.
pub const MAX_PIXEL: u8 = 16;

const MAGIC: &[u8; 8] = b"PPDIGITS";
/// FNV-1a of the committed `data/digits.bin` without its stored checksum (the file's identity).
const BODY_FNV1A32: u32 = 0xe4c2_0f2b;

pub use super::pixels::fnv1a32;

/// The digits split into training and test parts (see the module docs for the split and scaling).
/// Features are named `pixel_<row>_<col>`, as in scikit-learn.
///
/// # Errors
/// [`Error::InvalidConfig`] when `train_fraction` is not strictly between 0 and 1 with at least
/// one sample on each side; [`Error::State`] if the file were corrupted, or (wasm) not yet
/// [`provide`]d.
pub fn load(train_fraction: f32, seed: u64) -> Result<Dataset> {
    let n_train = super::train_count(N_SAMPLES, train_fraction)?;
    let (pixels, y) = decode(file()?)?;
    let x = pixels.mapv(|p| f32::from(p) / f32::from(MAX_PIXEL));
    let mut rng = crate::rng::derived(seed, "split");
    let (train, test) = super::stratified_split(&y, N_CLASSES, n_train, &mut rng);
    let names = (0..N_FEATURES)
        .map(|i| format!("pixel_{}_{}", i / 8, i % 8))
        .collect();
    let mut data = super::assemble("digits".into(), &x, &y, (&train, &test), N_CLASSES, names);
    data.image_side = super::DatasetKind::Digits.image_side();
    super::standardize(&mut data);
    Ok(data)
}

/// Decodes a `digits.bin` image into raw pixels `[n, 64]` (0–16) and labels, in file order.
///
/// # Errors
/// [`Error::State`] naming what is wrong: magic, sizes, checksum, a pixel above 16 or a label
/// above 9.
pub fn decode(bytes: &[u8]) -> Result<(Array2<u8>, Vec<usize>)> {
    super::pixels::Layout {
        file: "digits.bin",
        magic: MAGIC,
        layout: (N_FEATURES, |f| format!("{f} features")),
        features: N_FEATURES,
        classes: N_CLASSES,
        max_pixel: MAX_PIXEL,
    }
    .decode(bytes)
}

#[cfg(test)]
mod tests {
    use super::super::pixels::HEADER_LEN;
    use super::*;

    #[test]
    fn embedded_file_decodes_to_1797_samples() {
        let (x, y) = decode(DIGITS_BIN).unwrap();
        assert_eq!(x.dim(), (N_SAMPLES, N_FEATURES));
        assert_eq!(y.len(), N_SAMPLES);
        assert_eq!(x.iter().copied().max(), Some(MAX_PIXEL));
    }

    #[test]
    fn a_flipped_byte_fails_the_checksum() {
        let mut bytes = DIGITS_BIN.to_vec();
        bytes[HEADER_LEN + 5] ^= 1;
        let err = decode(&bytes).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
    }

    #[test]
    fn a_truncated_file_is_rejected() {
        let err = decode(&DIGITS_BIN[..1000]).unwrap_err();
        assert!(err.to_string().contains("bytes, expected"), "{err}");
    }
}
