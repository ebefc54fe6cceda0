//! The Java methods templates call on strings, lists, maps, `$input` and `$util`.

mod aws;
mod list;
mod map;
mod string;
