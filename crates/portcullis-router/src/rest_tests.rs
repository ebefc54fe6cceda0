use super::*;

/// A test of an error variant.
type Check = fn(&InsertError) -> bool;

fn router(routes: &[(Method, &str)]) -> RestRouter<usize> {
    let mut router = RestRouter::new();
    for (i, (method, path)) in routes.iter().enumerate() {
        router.insert(*method, path, i).unwrap();
    }
    router
}

/// The resource answering `method path`, or "" when none does.
fn resource<'r>(router: &'r RestRouter<usize>, method: &str, path: &str) -> &'r str {
    router.at(method, path).map_or("", |m| m.route)
}

use Method::*;

#[test]
fn literal_beats_param_beats_greedy() {
    let r = router(&[
        (Get, "/pets/dog"),
        (Get, "/pets/{id}"),
        (Get, "/pets/{proxy+}"),
    ]);
    assert_eq!(resource(&r, "GET", "/pets/dog"), "/pets/dog");
    assert_eq!(resource(&r, "GET", "/pets/cat"), "/pets/{id}");
    assert_eq!(resource(&r, "GET", "/pets/cat/1"), "/pets/{proxy+}");
    assert_eq!(resource(&r, "GET", "/pets/dog/1"), "/pets/{proxy+}");
}

#[test]
fn dead_end_literal_backtracks_to_param() {
    let r = router(&[(Get, "/a/b/c"), (Get, "/a/{x}/d"), (Get, "/{y}/b/e")]);
    assert_eq!(resource(&r, "GET", "/a/b/c"), "/a/b/c");
    assert_eq!(resource(&r, "GET", "/a/b/d"), "/a/{x}/d");
    assert_eq!(resource(&r, "GET", "/a/b/e"), "/{y}/b/e");
    let m = r.at("GET", "/a/b/d").unwrap();
    assert_eq!(m.params.get("x"), Some("b"));
    assert_eq!(resource(&r, "GET", "/a/b/f"), "");
}

#[test]
fn precedence_is_per_segment_from_the_left() {
    // At the first segment `a` beats `{x}`, so the greedy route under `a` wins
    // over a full match under `{x}` (HTTP APIs decide this the other way).
    let r = router(&[(Get, "/a/{proxy+}"), (Get, "/{x}/b/c")]);
    assert_eq!(resource(&r, "GET", "/a/b/c"), "/a/{proxy+}");
    assert_eq!(resource(&r, "GET", "/z/b/c"), "/{x}/b/c");
}

#[test]
fn missing_method_falls_through_to_greedy() {
    // AWS: a resource answers only the methods it defines; POST /pets with only
    // GET on /pets is served by ANY /{proxy+}.
    let r = router(&[(Get, "/pets"), (Any, "/{proxy+}")]);
    assert_eq!(resource(&r, "GET", "/pets"), "/pets");
    let post = r.at("POST", "/pets").unwrap();
    assert_eq!(post.route, "/{proxy+}");
    assert_eq!(post.params.get("proxy"), Some("pets"));
}

#[test]
fn methodless_and_options_only_resources_fall_through() {
    let r = router(&[
        (Any, "/{proxy+}"),
        (Get, "/jobs/{operation}"),
        (Options, "/cors_only"),
    ]);
    assert_eq!(resource(&r, "GET", "/jobs/reboot"), "/jobs/{operation}");
    assert_eq!(resource(&r, "GET", "/jobs"), "/{proxy+}");
    assert_eq!(resource(&r, "POST", "/jobs"), "/{proxy+}");
    assert_eq!(resource(&r, "POST", "/jobs/reboot"), "/{proxy+}");
    assert_eq!(resource(&r, "GET", "/cors_only"), "/{proxy+}");
    assert_eq!(resource(&r, "OPTIONS", "/cors_only"), "/cors_only");
}

#[test]
fn missing_method_falls_through_to_param_sibling() {
    let r = router(&[
        (Patch, "/users/me"),
        (Get, "/users/{userId}"),
        (Post, "/roles/provision"),
        (Get, "/roles/{roleId}"),
    ]);
    assert_eq!(resource(&r, "PATCH", "/users/me"), "/users/me");
    assert_eq!(resource(&r, "GET", "/users/me"), "/users/{userId}");
    assert_eq!(resource(&r, "POST", "/users/me"), "");
    assert_eq!(resource(&r, "POST", "/roles/provision"), "/roles/provision");
    assert_eq!(resource(&r, "GET", "/roles/provision"), "/roles/{roleId}");
}

#[test]
fn explicit_method_beats_any_on_the_same_resource() {
    let r = router(&[(Any, "/pets"), (Get, "/pets")]);
    assert_eq!(*r.at("GET", "/pets").unwrap().value, 1);
    assert_eq!(*r.at("PUT", "/pets").unwrap().value, 0);
}

#[test]
fn more_specific_any_beats_less_specific_method() {
    let r = router(&[(Any, "/pets"), (Get, "/{proxy+}")]);
    assert_eq!(resource(&r, "GET", "/pets"), "/pets");
    assert_eq!(resource(&r, "GET", "/toys"), "/{proxy+}");
}

#[test]
fn unknown_and_lowercase_methods_match_only_any() {
    let r = router(&[(Get, "/a"), (Any, "/b")]);
    for method in ["TRACE", "get", "CONNECT", "", "ANY"] {
        assert_eq!(resource(&r, method, "/a"), "", "{method}");
        assert_eq!(resource(&r, method, "/b"), "/b", "{method}");
    }
}

#[test]
fn head_is_not_get() {
    let r = router(&[(Get, "/a")]);
    assert!(r.at("HEAD", "/a").is_none());
}

#[test]
fn root_is_its_own_resource() {
    let r = router(&[(Any, "/{proxy+}")]);
    assert!(r.at("GET", "/").is_none());
    assert!(r.at("GET", "").is_none());
    assert!(r.at("GET", "///").is_none());
    let r = router(&[(Any, "/{proxy+}"), (Get, "/")]);
    assert_eq!(resource(&r, "GET", "/"), "/");
    assert_eq!(resource(&r, "GET", ""), "/");
    assert_eq!(resource(&r, "POST", "/"), "");
    assert!(r.at("GET", "/").unwrap().params.is_empty());
}

#[test]
fn greedy_takes_the_rest_without_trailing_slash() {
    let r = router(&[(Any, "/files/{path+}")]);
    let m = r.at("GET", "/files/a/b%2Fc/d.txt/").unwrap();
    assert_eq!(m.params.get("path"), Some("a/b%2Fc/d.txt"));
    assert_eq!(m.params.get("path+"), None);
    assert!(r.at("GET", "/files").is_none());
    assert!(r.at("GET", "/files/").is_none());
    assert!(r.at("GET", "/files//").is_none());
}

#[test]
fn nested_proxy_resources() {
    let r = router(&[
        (Any, "/{proxy+}"),
        (Any, "/parent/{proxy+}"),
        (Any, "/parent/{child}/{proxy+}"),
    ]);
    assert_eq!(resource(&r, "GET", "/x/y"), "/{proxy+}");
    assert_eq!(resource(&r, "GET", "/parent"), "/{proxy+}");
    assert_eq!(resource(&r, "GET", "/parent/a"), "/parent/{proxy+}");
    let m = r.at("GET", "/parent/a/b/c").unwrap();
    assert_eq!(m.route, "/parent/{child}/{proxy+}");
    let params: Vec<_> = m.params.iter().collect();
    assert_eq!(params, [("child", "a"), ("proxy", "b/c")]);
}

#[test]
fn trailing_and_repeated_slashes() {
    let r = router(&[(Get, "/foo"), (Get, "/foo/{id}")]);
    assert_eq!(resource(&r, "GET", "/foo/"), "/foo");
    assert_eq!(resource(&r, "GET", "//foo//"), "/foo");
    let m = r.at("GET", "/foo//7/").unwrap();
    assert_eq!((m.route, m.params.get("id")), ("/foo/{id}", Some("7")));
    assert_eq!(resource(&r, "GET", "foo"), "/foo");
}

#[test]
fn inserted_trailing_slash_is_dropped() {
    let mut r = router(&[(Get, "/pets/")]);
    assert_eq!(resource(&r, "GET", "/pets"), "/pets");
    assert_eq!(r.iter().next().unwrap().1, "/pets");
    let error = r.insert(Get, "/pets", 9).unwrap_err();
    assert_eq!(
        error,
        InsertError::Conflict {
            route: "GET /pets".into(),
            with: "GET /pets".into()
        }
    );
}

#[test]
fn literals_are_exact_and_case_sensitive() {
    let r = router(&[(Get, "/pets"), (Get, "/pets/x")]);
    assert!(r.at("GET", "/Pets").is_none());
    assert!(r.at("GET", "/pet").is_none());
    assert!(r.at("GET", "/petss").is_none());
    assert!(r.at("GET", "/pets%2Fx").is_none());
    assert!(r.at("GET", "/p%65ts").is_none());
}

#[test]
fn params_are_raw_slices() {
    let r = router(&[(Get, "/a/{x}")]);
    let m = r.at("GET", "/a/%E2%82%AC%20+").unwrap();
    assert_eq!(m.params.get("x"), Some("%E2%82%AC%20+"));
    assert!(r.at("GET", "/a/b/c").is_none());
}

#[test]
fn conflicts_name_the_existing_route() {
    let mut r = router(&[(Get, "/items/{id}/attachments")]);
    assert_eq!(
        r.insert(Get, "/items/{itemId}", 1).unwrap_err(),
        InsertError::ParamNameConflict {
            route: "GET /items/{itemId}".into(),
            name: "itemId".into(),
            existing: "id".into(),
            with: "GET /items/{id}/attachments".into(),
        }
    );
    assert_eq!(r.len(), 1);
    r.insert(Get, "/items/{id}", 1).unwrap();
    r.insert(Any, "/items/{id}", 2).unwrap();
    assert!(matches!(
        r.insert(Any, "/items/{id}", 3),
        Err(InsertError::Conflict { with, .. }) if with == "ANY /items/{id}"
    ));
    assert!(matches!(r.insert(Get, "/items/{id}/{rest+}", 3), Ok(())));
    assert!(matches!(
        r.insert(Get, "/items/{id}/{path+}", 4),
        Err(InsertError::ParamNameConflict { existing, .. }) if existing == "rest"
    ));
    assert_eq!(r.len(), 4);
}

#[test]
fn refused_routes_leave_no_trace() {
    let mut r = RestRouter::new();
    r.insert(Get, "/a/{id}", 0).unwrap();
    // Fails at the third segment, after creating nothing.
    assert!(r.insert(Get, "/b/c/{x}/{y}/{x}", 1).is_err());
    assert!(r.insert(Get, "/a/{other}/z", 1).is_err());
    assert!(r.at("GET", "/b/c/1/2/3").is_none());
    r.insert(Get, "/b/c/{x}/{y}", 1).unwrap();
    assert_eq!(r.len(), 2);
}

#[test]
fn malformed_paths_are_refused() {
    let mut r = RestRouter::new();
    let cases: [(&str, Check); 7] = [
        ("", |e| matches!(e, InsertError::Empty)),
        ("pets", |e| {
            matches!(e, InsertError::MissingLeadingSlash { .. })
        }),
        ("/a/{id", |e| {
            matches!(e, InsertError::UnbalancedBraces { .. })
        }),
        ("/a/{}", |e| matches!(e, InsertError::EmptyParamName { .. })),
        ("/{proxy+}/child", |e| {
            matches!(e, InsertError::GreedyNotLast { .. })
        }),
        ("/a//b", |e| matches!(e, InsertError::EmptySegment { .. })),
        ("/a b", |e| {
            matches!(e, InsertError::InvalidCharacter { .. })
        }),
    ];
    for (path, check) in cases {
        let error = r.insert(Get, path, 0).unwrap_err();
        assert!(check(&error), "{path}: {error}");
        assert!(error.to_string().contains(path), "{error}");
    }
    assert!(r.is_empty());
}

#[test]
fn iter_lists_routes_in_insertion_order() {
    let r = router(&[(Get, "/b"), (Any, "/a/{id}"), (Post, "/b/")]);
    let all: Vec<_> = r.iter().map(|(m, p, v)| (m, p, *v)).collect();
    assert_eq!(all, [(Get, "/b", 0), (Any, "/a/{id}", 1), (Post, "/b", 2)]);
    assert_eq!(r.len(), 3);
    assert!(format!("{r:?}").contains("\"ANY /a/{id}\": 1"));
}

#[test]
fn many_literal_siblings() {
    let mut r = RestRouter::new();
    for i in 0..2000 {
        r.insert(Get, &format!("/svc{i}/health"), i).unwrap();
        r.insert(Get, &format!("/svc{i}/items/{{id}}"), i).unwrap();
    }
    for i in (0..2000).step_by(37) {
        assert_eq!(*r.at("GET", &format!("/svc{i}/health")).unwrap().value, i);
        let path = format!("/svc{i}/items/x{i}");
        let m = r.at("GET", &path).unwrap();
        assert_eq!(m.params.get("id"), Some(&*format!("x{i}")));
    }
    assert!(r.at("GET", "/svc2000/health").is_none());
}
