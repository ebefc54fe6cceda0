//! What operators watch: access logs (and, beside them, metrics and traces).

pub mod access_log;
