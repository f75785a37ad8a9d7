//! A set of policy layers held in one integer: what a decision records of the layers that
//! lacked an Allow, for every request, without a list allocated for each.

use facts::tables::Layer;

/// A set of [`Layer`]s, one bit each; iterates in [`Layer::ALL`]'s order (the layers'
/// order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LayerSet(u16);

impl LayerSet {
    /// The empty set.
    pub const fn new() -> LayerSet {
        LayerSet(0)
    }

    fn bit(layer: Layer) -> u16 {
        1 << (layer as u16)
    }

    /// Add `layer`.
    pub fn insert(&mut self, layer: Layer) {
        self.0 |= Self::bit(layer);
    }

    /// Whether `layer` is in the set.
    pub fn contains(self, layer: Layer) -> bool {
        self.0 & Self::bit(layer) != 0
    }

    /// Whether the set has no layer.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The layers of the set, in [`Layer::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = Layer> {
        Layer::ALL.into_iter().filter(move |&l| self.contains(l))
    }
}

impl FromIterator<Layer> for LayerSet {
    fn from_iter<I: IntoIterator<Item = Layer>>(layers: I) -> LayerSet {
        let mut set = LayerSet::new();
        for l in layers {
            set.insert(l);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every layer has its own bit, and the set lists its layers once each, in order,
    /// whatever order they were added in.
    #[test]
    fn a_set_lists_its_layers_once_in_order() {
        let set: LayerSet = [
            Layer::VpcEndpoint,
            Layer::Identity,
            Layer::Scp,
            Layer::Identity,
        ]
        .into_iter()
        .collect();
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![Layer::Identity, Layer::Scp, Layer::VpcEndpoint]
        );
        for l in Layer::ALL {
            let one: LayerSet = [l].into_iter().collect();
            assert_eq!(one.iter().collect::<Vec<_>>(), vec![l]);
            assert_eq!(
                Layer::ALL.iter().filter(|&&m| one.contains(m)).count(),
                1,
                "{l:?} has a bit of its own"
            );
        }
        assert!(LayerSet::new().is_empty());
        assert!(!set.is_empty());
    }
}
