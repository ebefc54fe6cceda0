//! Slots: where compiled stages keep their routes' series, resolved once
//! from the registry and read without a lock.

use std::sync::{Arc, OnceLock};

use super::{Labels, Metrics, Series};

/// Where a compiled stage keeps the series of one of its routes (or of its
/// unrouted requests): empty until the first request after a (re)load, then
/// the series from the registry, read without a lock.
#[derive(Debug, Default)]
pub struct SeriesSlot(OnceLock<Resolved>);

#[derive(Debug)]
struct Resolved {
    registry: u64,
    series: Arc<Series>,
}

impl SeriesSlot {
    /// The series for `labels` in `metrics`: the one this slot holds, or
    /// (first use) the registry's, kept here from then on.
    pub fn get<'a>(&'a self, metrics: &Metrics, labels: impl Fn() -> Labels) -> SeriesRef<'a> {
        let resolved = self.0.get_or_init(|| Resolved {
            registry: metrics.id,
            series: metrics.series(labels()),
        });
        if resolved.registry == metrics.id {
            SeriesRef::Slot(&resolved.series)
        } else {
            // Another registry filled the slot (two pipelines over one gateway).
            SeriesRef::Owned(metrics.series(labels()))
        }
    }
}

/// Slots for a stage's routes (by route index) and one for requests it routes nowhere.
#[derive(Debug, Default)]
pub struct StageSlots {
    routes: Box<[SeriesSlot]>,
    unrouted: SeriesSlot,
}

impl StageSlots {
    /// Slots for `routes` routes.
    pub fn new(routes: usize) -> Self {
        Self {
            routes: (0..routes).map(|_| SeriesSlot::default()).collect(),
            unrouted: SeriesSlot::default(),
        }
    }

    /// The slot of route `index`; the unrouted slot for an index out of range.
    pub fn route(&self, index: usize) -> &SeriesSlot {
        self.routes.get(index).unwrap_or(&self.unrouted)
    }

    /// The slot of requests the stage routes nowhere.
    pub fn unrouted(&self) -> &SeriesSlot {
        &self.unrouted
    }
}

/// A series, borrowed from a slot or (rarely) owned.
#[derive(Debug)]
pub enum SeriesRef<'a> {
    /// Held by a slot.
    Slot(&'a Arc<Series>),
    /// Looked up in the registry.
    Owned(Arc<Series>),
}

impl SeriesRef<'_> {
    /// The series, owned (for a streamed body that outlives the request's borrow).
    pub fn to_arc(&self) -> Arc<Series> {
        match self {
            Self::Slot(series) => Arc::clone(series),
            Self::Owned(series) => series.clone(),
        }
    }
}

impl std::ops::Deref for SeriesRef<'_> {
    type Target = Series;

    fn deref(&self) -> &Series {
        match self {
            Self::Slot(series) => series,
            Self::Owned(series) => series,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn slots_resolve_once_per_registry() {
        let first = Metrics::new();
        let second = Metrics::new();
        let slot = SeriesSlot::default();
        let labels = || Labels::http("api", "$default", "$default", "");
        slot.get(&first, labels)
            .record(200, Duration::ZERO, None, 0);
        slot.get(&first, labels)
            .record(200, Duration::ZERO, None, 0);
        // A second registry over the same slot counts in its own series.
        slot.get(&second, labels)
            .record(200, Duration::ZERO, None, 0);
        assert_eq!(first.series(labels()).requests(), 2);
        assert_eq!(second.series(labels()).requests(), 1);
        assert!(matches!(slot.get(&first, labels), SeriesRef::Slot(_)));
    }
}
