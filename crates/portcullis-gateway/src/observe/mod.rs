//! What operators watch: access logs, metrics and traces.

pub mod access_log;
pub mod metrics;
pub mod trace;
