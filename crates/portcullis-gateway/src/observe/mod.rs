//! What operators watch: traces (and, beside them, metrics).

pub mod trace;
