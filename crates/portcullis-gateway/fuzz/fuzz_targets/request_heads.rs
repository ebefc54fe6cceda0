//! The HTTP/1 framing tracker that records header spellings: any byte stream,
//! split anywhere, yields the same heads as fed whole, and nothing panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_gateway::server::spellings::{Spellings, Tracker};

fn heads(chunks: &[&[u8]]) -> (Vec<Vec<String>>, bool) {
    let spellings = Spellings::default();
    let mut tracker = Tracker::new(spellings.clone(), 64 * 1024);
    for chunk in chunks {
        tracker.feed(chunk);
    }
    let mut out = Vec::new();
    while let Some(names) = spellings.take() {
        out.push(names.names().map(str::to_owned).collect());
    }
    (out, tracker.is_following())
}

fuzz_target!(|data: &[u8]| {
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let cut = usize::from(cut) % (stream.len() + 1);
    let whole = heads(&[stream]);
    let split = heads(&[&stream[..cut], &stream[cut..]]);
    assert_eq!(whole, split, "split at {cut}");
});
