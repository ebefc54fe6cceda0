//! Lookup cost of `RestRouter` and `HttpRouter` against `matchit`, on the same
//! route sets and paths, at 10, 100, 1,000 and 10,000 routes.
//!
//! Run: `cargo bench -p portcullis-router --bench router`. Each sample looks up
//! a batch of `BATCH` different paths spread over the route set (so neither
//! router is timed on one hot path); the per-lookup time is the reported time
//! divided by `BATCH` (criterion also prints it as throughput, in elements/s).
//! Parameterised lookups read every parameter value, which is where `matchit`
//! does its capture work and `portcullis-router` does its slicing.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use portcullis_router::{HttpRouter, Method, RestRouter};

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
const BATCH: usize = 64;

/// Route `k` of a set: three kinds of route per service, like a real API.
fn route(k: usize) -> String {
    let svc = k / 3;
    match k % 3 {
        0 => format!("/svc{svc}/health"),
        1 => format!("/svc{svc}/items/{{id}}"),
        _ => format!("/svc{svc}/users/{{id}}/orders"),
    }
}

/// `BATCH` request paths of one kind, spread over the first `size` routes.
fn paths(size: usize, parameterised: bool) -> Vec<String> {
    let services = size.div_ceil(3);
    (0..BATCH)
        .map(|i| {
            // A stride co-prime with most sizes spreads the batch.
            let svc = (i * 7919) % services;
            let k = svc * 3;
            if !parameterised {
                return format!("/svc{svc}/health");
            }
            if i % 2 == 0 && k + 1 < size {
                format!("/svc{svc}/items/item-{}", i * 31)
            } else if k + 2 < size {
                format!("/svc{svc}/users/u{i}/orders")
            } else {
                format!("/svc0/items/item-{i}")
            }
        })
        .collect()
}

fn lookups(c: &mut Criterion) {
    for parameterised in [false, true] {
        let kind = if parameterised { "param" } else { "static" };
        let mut group = c.benchmark_group(format!("lookup/{kind}"));
        group.throughput(Throughput::Elements(BATCH as u64));
        for size in SIZES {
            let routes: Vec<String> = (0..size).map(route).collect();
            let paths = paths(size, parameterised);

            let mut matchit = matchit::Router::new();
            let mut rest = RestRouter::new();
            let mut http = HttpRouter::new();
            for (i, r) in routes.iter().enumerate() {
                matchit.insert(r.as_str(), i).unwrap();
                rest.insert(Method::Get, r, i).unwrap();
                http.insert(&format!("GET {r}"), i).unwrap();
            }

            group.bench_with_input(BenchmarkId::new("matchit", size), &paths, |b, paths| {
                b.iter(|| {
                    let mut sum = 0;
                    for path in paths {
                        let m = matchit.at(black_box(path)).unwrap();
                        sum += *m.value;
                        for (_, value) in m.params.iter() {
                            sum += black_box(value).len();
                        }
                    }
                    sum
                })
            });
            group.bench_with_input(BenchmarkId::new("rest", size), &paths, |b, paths| {
                b.iter(|| {
                    let mut sum = 0;
                    for path in paths {
                        let m = rest.at(black_box("GET"), black_box(path)).unwrap();
                        sum += *m.value;
                        for (_, value) in m.params.iter() {
                            sum += black_box(value).len();
                        }
                    }
                    sum
                })
            });
            group.bench_with_input(BenchmarkId::new("http", size), &paths, |b, paths| {
                b.iter(|| {
                    let mut sum = 0;
                    for path in paths {
                        let m = http.at(black_box("GET"), black_box(path)).unwrap();
                        sum += *m.value;
                        for (_, value) in m.params.iter() {
                            sum += black_box(value).len();
                        }
                    }
                    sum
                })
            });
        }
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = lookups
}
criterion_main!(benches);
