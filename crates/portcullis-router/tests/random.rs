//! Pseudo-random tests, standing in for the fuzz targets on a stable toolchain.
//!
//! `garbage_never_panics` feeds arbitrary strings through `insert` and `at`.
//! `matches_reference` builds routers from random but valid route sets and checks
//! every lookup against a brute-force reading of the precedence rules: of all
//! routes matching the path and method, the one with the most specific segments
//! from the left (literal < param < greedy), its own method before `ANY`; for
//! HTTP APIs non-greedy routes first, `$default` last.

use portcullis_router::{HttpRouter, Method, RestRouter, percent_decode, percent_decode_query};

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NASTY: &[&str] = &[
    "/",
    "/",
    "/",
    "{",
    "}",
    "+",
    "%",
    "%2F",
    "%zz",
    "a",
    "b",
    "é",
    "\0",
    " ",
    "$default",
    "GET ",
    "ANY ",
    "{proxy+}",
    "{id}",
    "{}",
    "//",
    "?",
    "\u{FFFD}",
    "GET",
    "\u{1F600}",
];

fn garbage(rng: &mut Rng) -> String {
    (0..rng.below(12)).map(|_| rng.pick(NASTY)).collect()
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..300 {
        let mut rest = RestRouter::new();
        let mut http = HttpRouter::new();
        for i in 0..20 {
            let route = garbage(&mut rng);
            let method = Method::ALL[rng.below(8)];
            let _ = rest.insert(method, &route, i);
            let _ = http.insert(&route, i);
            let _ = http.insert(&format!("{method} {route}"), i);
        }
        for _ in 0..50 {
            let path = garbage(&mut rng);
            let method = rng.pick(&["GET", "POST", "ANY", "get", "", "ÄÖ"]);
            for m in [rest.at(method, &path), http.at(method, &path)]
                .into_iter()
                .flatten()
            {
                for (name, value) in m.params.iter() {
                    assert_eq!(m.params.get(name), Some(value));
                    assert!(path.contains(value));
                    let _ = percent_decode(value);
                }
            }
            let _ = percent_decode(&path);
            let _ = percent_decode_query(&path);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg<'a> {
    Literal(&'a str),
    Param(&'a str),
    Greedy(&'a str),
}

fn segments(template: &str) -> Vec<Seg<'_>> {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => match name.strip_suffix('+') {
                    Some(name) => Seg::Greedy(name),
                    None => Seg::Param(name),
                },
                None => Seg::Literal(s),
            },
        )
        .collect()
}

/// Per-segment ranks (literal 0, param 1, greedy 2) if `template` matches `path`.
fn ranks(template: &str, path: &str) -> Option<Vec<u8>> {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let segs = segments(template);
    let greedy = matches!(segs.last(), Some(Seg::Greedy(_)));
    if greedy && parts.len() < segs.len() || !greedy && parts.len() != segs.len() {
        return None;
    }
    let mut ranks = Vec::new();
    for (seg, part) in segs.iter().zip(&parts) {
        ranks.push(match seg {
            Seg::Literal(text) if text == part => 0,
            Seg::Literal(_) => return None,
            Seg::Param(_) => 1,
            Seg::Greedy(_) => 2,
        });
    }
    Some(ranks)
}

/// Expected winner among `(method, template)` routes: its index.
fn reference(routes: &[(Method, String)], method: &str, path: &str, http: bool) -> Option<usize> {
    let requested = Method::parse(method).filter(|m| *m != Method::Any);
    routes
        .iter()
        .enumerate()
        .filter_map(|(i, (m, template))| {
            let any = if Some(*m) == requested {
                false
            } else if *m == Method::Any {
                true
            } else {
                return None;
            };
            let ranks = ranks(template, path)?;
            let greedy = http && ranks.last() == Some(&2);
            Some(((greedy, ranks, any), i))
        })
        .min()
        .map(|(_, i)| i)
}

const SEGMENTS: &[&str] = &["a", "b", "c", "{x}", "{y}", "{p+}", "{q+}"];
const PARTS: &[&str] = &["a", "b", "c", "d"];
const METHODS: &[&str] = &["GET", "POST", "PUT", "get", "TRACE"];

fn random_template(rng: &mut Rng) -> String {
    let len = rng.below(4);
    let mut template: String = (0..len)
        .map(|_| format!("/{}", rng.pick(SEGMENTS)))
        .collect();
    if template.is_empty() {
        template.push('/');
    }
    template
}

#[test]
fn matches_reference() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let (mut rest_hits, mut http_hits, mut greedy_hits) = (0, 0, 0);
    for round in 0..400 {
        let mut rest = RestRouter::new();
        let mut http = HttpRouter::new();
        let mut rest_routes = Vec::new();
        let mut http_routes = Vec::new();
        let with_default = round % 3 == 0;
        if with_default {
            http.insert("$default", usize::MAX).unwrap();
        }
        for _ in 0..rng.below(12) + 1 {
            let template = random_template(&mut rng);
            let method = [Method::Get, Method::Post, Method::Any][rng.below(3)];
            if rest.insert(method, &template, rest_routes.len()).is_ok() {
                rest_routes.push((method, template.clone()));
            }
            if http
                .insert(&format!("{method} {template}"), http_routes.len())
                .is_ok()
            {
                http_routes.push((method, template));
            }
        }
        for _ in 0..40 {
            let mut path = String::new();
            for _ in 0..rng.below(5) {
                path.push_str(if rng.below(6) == 0 { "//" } else { "/" });
                path.push_str(rng.pick(PARTS));
            }
            if rng.below(4) == 0 {
                path.push('/');
            }
            let method = rng.pick(METHODS);

            let got = rest.at(method, &path).map(|m| *m.value);
            let want = reference(&rest_routes, method, &path, false);
            rest_hits += usize::from(got.is_some());
            greedy_hits += usize::from(got.is_some_and(|i| rest_routes[i].1.ends_with("+}")));
            assert_eq!(got, want, "REST {method} {path:?} in {rest_routes:?}");

            let got = http.at(method, &path).map(|m| *m.value);
            let want =
                reference(&http_routes, method, &path, true).or(with_default.then_some(usize::MAX));
            assert_eq!(got, want, "HTTP {method} {path:?} in {http_routes:?}");
            http_hits += usize::from(got.is_some_and(|i| i != usize::MAX));

            if let Some(m) = rest.at(method, &path) {
                let template = &rest_routes[*m.value].1;
                assert_eq!(m.route, template.as_str());
                check_params(template, &path, m.params.iter().collect());
            }
        }
    }
    // The route sets are dense enough for most lookups to match something.
    assert!(
        rest_hits > 4000 && http_hits > 4000 && greedy_hits > 1000,
        "{rest_hits} {http_hits} {greedy_hits}"
    );
}

/// The parameters, read independently from the template and the path.
fn check_params(template: &str, path: &str, got: Vec<(&str, &str)>) {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut want = Vec::new();
    for (i, seg) in segments(template).into_iter().enumerate() {
        match seg {
            Seg::Literal(_) => {}
            Seg::Param(name) => want.push((name.to_owned(), parts[i].to_owned())),
            Seg::Greedy(name) => want.push((name.to_owned(), parts[i..].join("/"))),
        }
    }
    let got: Vec<(String, String)> = got
        .into_iter()
        .map(|(n, v)| {
            (
                n.to_owned(),
                v.split('/')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("/"),
            )
        })
        .collect();
    assert_eq!(got, want, "{template} {path}");
}
