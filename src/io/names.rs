//! The one place that knows how tensors are named in a model file.
//!
//! Layer `l` of an [`crate::model::Mlp`] is module `2·l` of
//! `nn.Sequential(Linear, act, Linear, act, …, Linear[, out_act])`, so its tensors are
//! `{2l}.weight` and `{2l}.bias`, or `{2l}.weight_orig` and `{2l}.weight_mask` in place of
//! `{2l}.weight` when the layer is pruned (torch.nn.utils.prune's names). θ₀ is stored under the
//! same names with the prefix `init.`.

use std::fmt;

/// Which tensor of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    /// `N.weight`: the weights of a dense (unpruned) layer.
    Weight,
    /// `N.bias`.
    Bias,
    /// `N.weight_orig`: the weights of a pruned layer (torch multiplies them by the mask).
    WeightOrig,
    /// `N.weight_mask`: the 0/1 mask of a pruned layer.
    WeightMask,
    /// `init.N.weight`: θ₀'s weights.
    InitWeight,
    /// `init.N.bias`: θ₀'s bias.
    InitBias,
}

/// A tensor's name, parsed: the model's layer index and the part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TensorName {
    /// Index into `Mlp::layers()` (not the `nn.Sequential` index, which is twice it).
    pub layer: usize,
    /// Which tensor.
    pub part: Part,
}

impl TensorName {
    /// The name of `part` of layer `layer`.
    pub fn new(layer: usize, part: Part) -> Self {
        TensorName { layer, part }
    }

    /// Parses a name written exactly as [`fmt::Display`] writes it; `None` for anything else
    /// (other modules, odd `nn.Sequential` indices, leading zeros).
    pub fn parse(name: &str) -> Option<Self> {
        let (init, rest) = match name.strip_prefix("init.") {
            Some(rest) => (true, rest),
            None => (false, name),
        };
        let (index, suffix) = rest.split_once('.')?;
        let part = match (init, suffix) {
            (false, "weight") => Part::Weight,
            (false, "bias") => Part::Bias,
            (false, "weight_orig") => Part::WeightOrig,
            (false, "weight_mask") => Part::WeightMask,
            (true, "weight") => Part::InitWeight,
            (true, "bias") => Part::InitBias,
            _ => return None,
        };
        let module: usize = index.parse().ok()?;
        let parsed = TensorName::new(module / 2, part);
        (module % 2 == 0 && parsed.to_string() == name).then_some(parsed)
    }
}

impl fmt::Display for TensorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let module = 2 * self.layer;
        match self.part {
            Part::Weight => write!(f, "{module}.weight"),
            Part::Bias => write!(f, "{module}.bias"),
            Part::WeightOrig => write!(f, "{module}.weight_orig"),
            Part::WeightMask => write!(f, "{module}.weight_mask"),
            Part::InitWeight => write!(f, "init.{module}.weight"),
            Part::InitBias => write!(f, "init.{module}.bias"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_itself() {
        for part in [
            Part::Weight,
            Part::Bias,
            Part::WeightOrig,
            Part::WeightMask,
            Part::InitWeight,
            Part::InitBias,
        ] {
            for layer in [0, 1, 5, 17] {
                let name = TensorName::new(layer, part);
                assert_eq!(TensorName::parse(&name.to_string()), Some(name));
            }
        }
    }

    #[test]
    fn foreign_names_do_not_parse() {
        for name in [
            "1.weight",
            "02.weight",
            "0.weight.x",
            "init.0.weight_mask",
            "fc1.weight",
            "0.running_mean",
            "-2.bias",
            "+2.bias",
            "",
        ] {
            assert_eq!(TensorName::parse(name), None, "{name}");
        }
    }
}
