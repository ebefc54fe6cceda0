use super::*;

/// A test of an error variant.
type Check = fn(&InsertError) -> bool;

fn router(keys: &[&str]) -> HttpRouter<usize> {
    let mut router = HttpRouter::new();
    for (i, key) in keys.iter().enumerate() {
        router.insert(key, i).unwrap();
    }
    router
}

fn route<'r>(router: &'r HttpRouter<usize>, method: &str, path: &str) -> &'r str {
    router.at(method, path).map_or("", |m| m.route)
}

/// The routes of the example in `http-api-develop-routes.md`.
fn guide_example() -> HttpRouter<usize> {
    router(&[
        "GET /pets/dog/1",
        "GET /pets/dog/{id}",
        "GET /pets/{proxy+}",
        "ANY /{proxy+}",
        "$default",
    ])
}

#[test]
fn guide_row_1_full_static_match() {
    let r = guide_example();
    let m = r.at("GET", "/pets/dog/1").unwrap();
    assert_eq!((m.route, *m.value), ("GET /pets/dog/1", 0));
    assert!(m.params.is_empty());
}

#[test]
fn guide_row_2_full_match_with_variable() {
    let r = guide_example();
    let m = r.at("GET", "/pets/dog/2").unwrap();
    assert_eq!(
        (m.route, m.params.get("id")),
        ("GET /pets/dog/{id}", Some("2"))
    );
}

#[test]
fn guide_row_3_greedy_with_method() {
    let r = guide_example();
    let m = r.at("GET", "/pets/cat/1").unwrap();
    assert_eq!(
        (m.route, m.params.get("proxy")),
        ("GET /pets/{proxy+}", Some("cat/1"))
    );
}

#[test]
fn guide_row_4_any_greedy_beats_default() {
    let r = guide_example();
    let m = r.at("POST", "/test/5").unwrap();
    assert_eq!(
        (m.route, m.params.get("proxy")),
        ("ANY /{proxy+}", Some("test/5"))
    );
    // POST to a path only GET routes match fully also lands on ANY /{proxy+}.
    assert_eq!(route(&r, "POST", "/pets/dog/1"), "ANY /{proxy+}");
}

#[test]
fn default_catches_the_rest() {
    let r = guide_example();
    let m = r.at("GET", "/").unwrap();
    assert_eq!((m.route, *m.value), ("$default", 4));
    assert!(m.params.is_empty());
    assert_eq!(route(&r, "TRACE", "/"), "$default");
    assert_eq!(route(&r, "TRACE", "/pets/dog/1"), "ANY /{proxy+}");
}

#[test]
fn without_default_nothing_matches() {
    let r = router(&["GET /pets"]);
    assert!(r.at("POST", "/pets").is_none());
    assert!(r.at("GET", "/toys").is_none());
}

#[test]
fn full_match_beats_any_greedy_match() {
    // Unlike REST's per-segment rule, the literal `a` does not decide: a full
    // match anywhere wins over a greedy one.
    let r = router(&["GET /a/{proxy+}", "GET /{x}/b/c"]);
    assert_eq!(route(&r, "GET", "/a/b/c"), "GET /{x}/b/c");
    assert_eq!(route(&r, "GET", "/a/b/d"), "GET /a/{proxy+}");
}

#[test]
fn most_specific_greedy_wins() {
    let r = router(&[
        "ANY /{proxy+}",
        "GET /pets/{proxy+}",
        "ANY /pets/{proxy+}",
        "GET /{x}/{rest+}",
    ]);
    assert_eq!(route(&r, "GET", "/pets/a"), "GET /pets/{proxy+}");
    assert_eq!(route(&r, "PUT", "/pets/a"), "ANY /pets/{proxy+}");
    assert_eq!(route(&r, "GET", "/toys/a"), "GET /{x}/{rest+}");
    assert_eq!(route(&r, "PUT", "/toys/a"), "ANY /{proxy+}");
    assert_eq!(route(&r, "GET", "/toys"), "ANY /{proxy+}");
}

#[test]
fn explicit_method_beats_any_on_the_same_path() {
    let r = router(&["ANY /pets", "GET /pets"]);
    assert_eq!(*r.at("GET", "/pets").unwrap().value, 1);
    assert_eq!(*r.at("DELETE", "/pets").unwrap().value, 0);
    assert_eq!(*r.at("teapot", "/pets").unwrap().value, 0);
}

#[test]
fn trailing_slash_is_ignored_in_requests() {
    let r = router(&["GET /pets", "GET /pets/{id}", "GET /"]);
    assert_eq!(route(&r, "GET", "/pets/"), "GET /pets");
    assert_eq!(route(&r, "GET", "/pets/1/"), "GET /pets/{id}");
    assert_eq!(r.at("GET", "/pets/1/").unwrap().params.get("id"), Some("1"));
    assert_eq!(route(&r, "GET", "/"), "GET /");
    assert_eq!(route(&r, "GET", ""), "GET /");
}

#[test]
fn route_key_errors() {
    let mut r = HttpRouter::new();
    r.insert("GET /pets/{id}", 0).unwrap();
    r.insert("$default", 1).unwrap();
    let cases: [(&str, Check); 12] = [
        ("", |e| matches!(e, InsertError::Empty)),
        ("GET", |e| matches!(e, InsertError::InvalidRouteKey { .. })),
        ("/pets", |e| {
            matches!(e, InsertError::InvalidRouteKey { .. })
        }),
        ("$Default", |e| {
            matches!(e, InsertError::InvalidRouteKey { .. })
        }),
        (
            "get /x",
            |e| matches!(e, InsertError::InvalidMethod { method, .. } if method == "get"),
        ),
        ("FETCH /x", |e| {
            matches!(e, InsertError::InvalidMethod { .. })
        }),
        ("GET  /x", |e| {
            matches!(e, InsertError::MissingLeadingSlash { .. })
        }),
        ("GET /x/", |e| {
            matches!(e, InsertError::TrailingSlash { .. })
        }),
        ("GET /{proxy+}/x", |e| {
            matches!(e, InsertError::GreedyNotLast { .. })
        }),
        (
            "GET /pets/{name}",
            |e| matches!(e, InsertError::ParamNameConflict { with, .. } if with == "GET /pets/{id}"),
        ),
        (
            "GET /pets/{id}",
            |e| matches!(e, InsertError::Conflict { with, .. } if with == "GET /pets/{id}"),
        ),
        ("$default", |e| matches!(e, InsertError::Conflict { .. })),
    ];
    for (key, check) in cases {
        let error = r.insert(key, 9).unwrap_err();
        assert!(check(&error), "{key:?}: {error}");
    }
    assert_eq!(r.len(), 2);
    // The same path with another method is another route.
    r.insert("POST /pets/{id}", 2).unwrap();
    r.insert("ANY /pets/{id}", 3).unwrap();
    assert_eq!(r.len(), 4);
}

#[test]
fn iter_lists_route_keys_in_insertion_order() {
    let r = router(&["$default", "GET /b", "ANY /{proxy+}"]);
    let keys: Vec<_> = r.iter().map(|(k, v)| (k, *v)).collect();
    assert_eq!(keys, [("$default", 0), ("GET /b", 1), ("ANY /{proxy+}", 2)]);
    assert!(!r.is_empty());
    assert!(format!("{r:?}").contains("\"$default\": 0"));
}
