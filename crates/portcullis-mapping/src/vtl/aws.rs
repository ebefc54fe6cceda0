//! The AWS variable layer (`$input`, `$util`, Java `toString`) as the engine uses it.

use std::fmt;

use crate::value::Value;

/// Java `toString` into a bounded writer.
pub(crate) fn write_java<W: fmt::Write + ?Sized>(value: &Value, out: &mut W) -> fmt::Result {
    crate::render::write_java(value, out, 0)
}

pub(crate) mod util {
    pub(crate) use crate::util::{
        base64_decode, base64_encode, escape_javascript, parse_json, try_url_decode, url_encode,
    };
}
