//! `Accept-Encoding` negotiation on any bytes, split into header lines
//! anywhere: never panics, picks only a coding the input names, and reading
//! the lines apart is the same as reading them joined by a comma.

#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_gateway::coding::negotiate;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, value)) = data.split_first() else {
        return;
    };
    let whole = negotiate([value]);
    if let Some(coding) = whole {
        let name = coding.name().as_bytes();
        let lower = value.to_ascii_lowercase();
        assert!(lower.windows(name.len()).any(|w| w == name), "{coding} not in {value:?}");
    }
    // Two header lines are one list: the same as the lines joined with a comma.
    let cut = usize::from(cut) % (value.len() + 1);
    let (first, second) = value.split_at(cut);
    let joined = [first, b",", second].concat();
    assert_eq!(negotiate([first, second]), negotiate([&joined[..]]));
});
