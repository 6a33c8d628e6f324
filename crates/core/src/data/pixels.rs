//! The layout both shipped image files share (`digits.bin`, `mnist.bin`), read once here: an
//! 8-byte magic, the sample count (u16, little-endian), one byte for the pixel layout (the
//! feature count of the 8×8 digits, the side of the 28×28 MNIST images), the class count, then one
//! record per sample (its pixels as bytes, then its label), then the FNV-1a (32-bit) checksum of
//! everything before it (little-endian).

use ndarray::Array2;

use crate::{Error, Result};

pub(super) const HEADER_LEN: usize = 12;

/// FNV-1a, 32 bit: the checksum stored at the end of each file.
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// What one file must hold.
pub(super) struct Layout {
    /// The file's name, for messages (`digits.bin`).
    pub file: &'static str,
    /// Its magic.
    pub magic: &'static [u8; 8],
    /// The layout byte it must have, and how a message words a layout byte (`64 features`).
    pub layout: (usize, fn(usize) -> String),
    /// Pixels per sample.
    pub features: usize,
    /// Classes (labels 0 to `classes − 1`).
    pub classes: usize,
    /// The largest pixel value allowed.
    pub max_pixel: u8,
}

impl Layout {
    /// Decodes a file into raw pixels `[n, features]` (row-major) and labels, in file order.
    ///
    /// # Errors
    /// [`Error::State`] naming what is wrong: magic, sizes, checksum, a pixel above `max_pixel`
    /// or a label out of range.
    pub fn decode(&self, bytes: &[u8]) -> Result<(Array2<u8>, Vec<usize>)> {
        let corrupt = |what: String| Error::state(format!("{} is corrupted: {what}", self.file));
        let magic = String::from_utf8_lossy(self.magic);
        if bytes.len() < HEADER_LEN + 4 || &bytes[..8] != self.magic {
            return Err(corrupt(format!("bad magic (expected {magic})")));
        }
        let n = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
        let (layout, classes) = (usize::from(bytes[10]), usize::from(bytes[11]));
        let (want, words) = self.layout;
        if layout != want || classes != self.classes {
            return Err(corrupt(format!(
                "header says {} and {classes} classes, expected {} and {}",
                words(layout),
                words(want),
                self.classes
            )));
        }
        let record_len = self.features + 1;
        let expected_len = HEADER_LEN + n * record_len + 4;
        if bytes.len() != expected_len {
            return Err(corrupt(format!(
                "{} bytes, expected {expected_len}",
                bytes.len()
            )));
        }
        let (body, tail) = bytes.split_at(expected_len - 4);
        let stored = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
        let actual = fnv1a32(body);
        if stored != actual {
            return Err(corrupt(format!(
                "checksum {actual:#010x}, expected {stored:#010x}"
            )));
        }
        let mut pixels = Array2::zeros((n, self.features));
        let mut labels = Vec::with_capacity(n);
        for (i, record) in body[HEADER_LEN..].chunks_exact(record_len).enumerate() {
            let (px, label) = record.split_at(self.features);
            if let Some(&p) = px.iter().find(|&&p| p > self.max_pixel) {
                return Err(corrupt(format!(
                    "sample {i} has pixel value {p} > {}",
                    self.max_pixel
                )));
            }
            if usize::from(label[0]) >= self.classes {
                return Err(corrupt(format!("sample {i} has label {}", label[0])));
            }
            pixels
                .row_mut(i)
                .iter_mut()
                .zip(px)
                .for_each(|(d, &p)| *d = p);
            labels.push(usize::from(label[0]));
        }
        Ok((pixels, labels))
    }
}
