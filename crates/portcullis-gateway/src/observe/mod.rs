//! What operators watch: access logs and metrics (and, beside them, traces).

pub mod access_log;
pub mod metrics;
