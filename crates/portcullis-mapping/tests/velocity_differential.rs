//! Differential test: the VTL engine, in stock-Velocity mode (`NullRendering::Literal`),
//! against Apache Velocity 1.7 itself (Debian's `velocity` package on a headless JDK).
//!
//! Every case (hand-written in `velocity/corpus.rs`, plus generated ones) is rendered
//! by both; `velocity/Render.java` renders them all in one JVM. A case matches when
//! both print the same text, or both reject the template while parsing, or both fail
//! while rendering (error messages are not compared). Cases listed in
//! `KNOWN_DIFFERENCES` or `AWS_DIFFERENCES` must differ, every other case must match,
//! so neither list can go stale. Templates hold their own values (a `#set` prologue):
//! the public API sets no top-level variables other than AWS's, and stock Velocity has
//! none of those, so the cases use none of them.
//!
//! Needs `javac`, `java` and `/usr/share/java/velocity.jar` (with commons-collections3
//! and commons-lang): `scripts/test.sh` installs them.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use portcullis_mapping::input::RequestParams;
use portcullis_mapping::{Input, NullRendering, Scope, Template};

#[path = "velocity/corpus.rs"]
mod corpus;

/// Cases where the engine (stock-Velocity mode) and Velocity 1.7 disagree, with why.
/// "documented:" the difference is described in `docs/mapping-templates.md`;
/// "engine:" the engine departs from 1.7 where it could follow it;
/// "1.7 quirk:" Velocity 1.7 does something odd (a lexer or introspection bug) that
/// the engine does not copy. Each listed case must still differ (checked).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    // Documented.
    (
        "math/long-overflow",
        "documented: long overflow wraps; 1.7 switches to BigInteger",
    ),
    (
        "math/long-multiply-overflow",
        "documented: long overflow wraps; 1.7 switches to BigInteger",
    ),
    (
        "math/huge-literal",
        "documented: an integer literal past a long is a syntax error; 1.7 makes a BigInteger",
    ),
    (
        "macro/argument-reevaluated",
        "documented: macro arguments are evaluated once, at the call; 1.7 re-evaluates them at each use",
    ),
    (
        "map/int-keys",
        "documented: map keys are strings, so $m.get('1') finds the key 1",
    ),
    (
        "map/index-with-number",
        "documented: map keys are strings, so $m[0] finds the key \"0\"",
    ),
    (
        "map/contains-itself",
        "documented: a map put inside itself fails the render; Java prints (this Map)",
    ),
    (
        "list/contains-itself",
        "documented: a list added to itself fails the render; Java prints (this Collection)",
    ),
    (
        "map/indirect-cycle-unprinted",
        "documented: a cycle fails the render when made; Java fails only when printing it",
    ),
    (
        "foreach/break-scoped",
        "documented: $foreach.parent is not supported, so #break($foreach.parent) ends only the inner loop",
    ),
    (
        "directive/foreach-parent",
        "documented: $foreach.parent is not supported",
    ),
    (
        "directive/evaluate",
        "documented: #evaluate fails the render",
    ),
    (
        "parse/expression-argument",
        "documented: method arguments may be expressions; 1.7 rejects them",
    ),
    (
        "parse/expression-in-list",
        "documented: list elements may be expressions; 1.7 rejects them",
    ),
    (
        "parse/expression-index",
        "documented: indexes may be expressions; 1.7 rejects them",
    ),
    // The engine departs from 1.7.
    (
        "math/unary-minus-reference",
        "engine: accepts -$a; 1.7 allows a minus sign only on number literals",
    ),
    (
        "foreach/range-strings",
        "engine: accepts ['1'..'3']; 1.7 allows only integer literals and references in a range",
    ),
    (
        "foreach/range-floats",
        "engine: accepts [1.5..3]; 1.7 allows only integer literals and references in a range",
    ),
    (
        "parse/bad-foreach",
        "engine: #foreach without `in` is a syntax error; 1.7 parses it and renders nothing",
    ),
    (
        "comment/unclosed-block",
        "engine: an unclosed #* is a syntax error; 1.7 comments out the rest of the template",
    ),
    (
        "directive/unknown-with-assignment",
        "engine: #name($a = 1) with no such macro is text; 1.7 rejects `=` in macro arguments",
    ),
    (
        "macro/without-parentheses",
        "engine: #name and #{name} without parentheses are text; 1.7 calls the macro when one has that name",
    ),
    (
        "macro/null-argument-printed",
        "engine: a null macro argument prints as the parameter ($v); 1.7 prints the argument as written ($nope) (stock-Velocity mode only)",
    ),
    (
        "str/split-printed",
        "engine: a String[] prints as [a, b]; Java prints its type and identity hash",
    ),
    (
        "methods/string-static",
        "engine: String.format called on a string is unknown (null); valueOf works",
    ),
    (
        "foreach/modify-while-iterating",
        "engine: adding to a list a #foreach walks goes unnoticed; Java throws ConcurrentModificationException",
    ),
    (
        "loop/set-element-while-iterating",
        "engine: #foreach walks a snapshot; Java's iterator sees an element replaced during the loop",
    ),
    (
        "loop/list-set-while-iterating",
        "engine: #foreach walks a snapshot; Java's iterator sees an element replaced during the loop",
    ),
    (
        "loop/map-replace-while-iterating",
        "engine: #foreach walks a snapshot; Java's iterator sees a map value replaced during the loop",
    ),
    (
        "loop/null-element-pins-variable",
        "engine: for a null element 1.7 keeps the loop variable null for the whole body, ignoring #set",
    ),
    (
        "loop/null-element-nested-same-name",
        "engine: for a null element 1.7 keeps the loop variable null, even for a nested loop of the same name",
    ),
    // Velocity 1.7 quirks the engine does not copy.
    (
        "str/no-arg-method-given-args",
        "1.7 quirk: it calls String.length() given an argument, and Java throws IllegalArgumentException; the engine gives null",
    ),
    (
        "list/no-arg-method-given-args",
        "1.7 quirk: it calls List.size() given an argument, and Java throws IllegalArgumentException; the engine gives null",
    ),
    (
        "escape/before-set",
        "1.7 quirk: backslashes before #set print as written (\\\\#set prints both); the engine halves them as before other directives",
    ),
    (
        "comment/line-after-property",
        "1.7 quirk: ## right after $a.b is text, not a comment",
    ),
    (
        "lexer/bang-without-name",
        "1.7 quirk: $! followed by no name prints $",
    ),
    (
        "lexer/dollar-at-end",
        "1.7 quirk: a template ending in $ is a lexical error",
    ),
    (
        "lexer/hash-at-end",
        "1.7 quirk: a template ending in # is a lexical error",
    ),
    (
        "lexer/dollar-before-directive",
        "1.7 quirk: a $ right before a directive disappears",
    ),
    (
        "lexer/dollar-space-before-set",
        "1.7 quirk: `$ ` right before #set disappears",
    ),
    (
        "lexer/hash-space-before-set",
        "1.7 quirk: `# ` right before #set disappears",
    ),
];

/// Cases where the engine follows API Gateway, which differs from stock Velocity 1.7
/// on purpose (the `aws/` cases, rendered in the engine's default mode). Each listed
/// case must still differ (checked); the other `aws/` cases must match.
const AWS_DIFFERENCES: &[(&str, &str)] = &[
    (
        "aws/null-prints-empty",
        "a null reference prints as nothing on API Gateway; 1.7 prints it as written",
    ),
    (
        "aws/missing-key-prints-empty",
        "a missing key or method result prints as nothing on API Gateway",
    ),
    (
        "aws/null-in-string",
        "a null inside a double-quoted string interpolates as nothing on API Gateway",
    ),
    (
        "aws/null-macro-argument",
        "a null macro argument prints as nothing on API Gateway",
    ),
    (
        "aws/null-equals-empty-string",
        "null == \"\" is true on API Gateway; false in 1.7",
    ),
];

const JARS: [&str; 3] = [
    "/usr/share/java/velocity.jar",
    "/usr/share/java/commons-collections3.jar",
    "/usr/share/java/commons-lang.jar",
];

const SETUP_HINT: &str = "run scripts/test.sh, which installs the Debian packages \
     `velocity` and `default-jdk-headless` when they are missing";

/// What one engine made of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Rendered: the output.
    Output(String),
    /// Rejected while parsing (the message is for reading only).
    Parse(String),
    /// Failed while rendering (the message is for reading only).
    Runtime(String),
}

impl Outcome {
    fn same_as(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Output(a), Outcome::Output(b)) => a == b,
            (Outcome::Parse(_), Outcome::Parse(_)) | (Outcome::Runtime(_), Outcome::Runtime(_)) => {
                true
            }
            _ => false,
        }
    }
}

fn rust_render(src: &str, nulls: NullRendering) -> Outcome {
    let template = match Template::compile("case", src) {
        Ok(t) => t.with_null_rendering(nulls),
        Err(e) => return Outcome::Parse(e.to_string()),
    };
    let input = Input::new("", RequestParams::default());
    match template.render(&Scope::new(&input)) {
        Ok(out) => Outcome::Output(out),
        Err(e) => Outcome::Runtime(e.to_string()),
    }
}

/// Checks the tools are there, naming what is missing and how to get it.
fn require_tools() {
    for tool in ["javac", "java"] {
        let found = Command::new(tool)
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(found, "`{tool}` is not on PATH: {SETUP_HINT}");
    }
    for jar in JARS {
        assert!(Path::new(jar).is_file(), "{jar} is missing: {SETUP_HINT}");
    }
}

/// Compiles the harness into the target directory; returns the classpath to run it.
fn compile_harness() -> String {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/velocity/Render.java");
    let classes = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("velocity-harness");
    std::fs::create_dir_all(&classes).expect("create the harness class directory");
    let output = Command::new("javac")
        .arg("-nowarn")
        .arg("-d")
        .arg(&classes)
        .arg("-cp")
        .arg(JARS[0])
        .arg(&source)
        .output()
        .expect("run javac");
    assert!(
        output.status.success(),
        "javac failed on {}:\n{}",
        source.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut classpath = classes.display().to_string();
    for jar in JARS {
        classpath.push(':');
        classpath.push_str(jar);
    }
    classpath
}

/// Renders every case with Velocity 1.7, in order.
fn java_render(classpath: &str, cases: &[Case]) -> Vec<Outcome> {
    let mut input = Vec::new();
    for Case { id, src, .. } in cases {
        assert!(!id.contains(['\t', '\n']), "case id {id:?}");
        input.extend_from_slice(format!("{id}\t{}\n", src.len()).as_bytes());
        input.extend_from_slice(src.as_bytes());
        input.push(b'\n');
    }
    let mut child = Command::new("java")
        // UTF-8 whatever the locale: `getBytes()` uses the default charset,
        // which is UTF-8 where API Gateway runs templates.
        .args([
            "-Xss16m",
            "-Dfile.encoding=UTF-8",
            "-cp",
            classpath,
            "Render",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start java");
    let mut stdin = child.stdin.take().expect("java stdin");
    // Written from another thread: the JVM answers while it reads.
    let writer = std::thread::spawn(move || {
        stdin.write_all(&input).expect("write the cases to java");
    });
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .expect("java stdout")
        .read_to_end(&mut stdout)
        .expect("read java's answers");
    let status = child.wait_with_output().expect("wait for java");
    writer.join().expect("writer thread");
    assert!(
        status.status.success(),
        "the Velocity harness failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );

    let mut outcomes = Vec::with_capacity(cases.len());
    let mut rest = &stdout[..];
    for Case { id, .. } in cases {
        let newline = rest
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or_else(|| panic!("no answer from java for case {id}"));
        let header = std::str::from_utf8(&rest[..newline]).expect("UTF-8 header");
        let fields: Vec<&str> = header.split('\t').collect();
        assert_eq!(fields.len(), 3, "bad header from java: {header:?}");
        assert_eq!(fields[0], id, "answers out of order");
        let len: usize = fields[2].parse().expect("length");
        let body = &rest[newline + 1..newline + 1 + len];
        assert_eq!(rest[newline + 1 + len], b'\n', "framing after case {id}");
        rest = &rest[newline + 2 + len..];
        let text = String::from_utf8(body.to_vec()).expect("UTF-8 output");
        outcomes.push(match fields[1] {
            "OK" => Outcome::Output(text),
            "PARSE" => Outcome::Parse(text),
            "RUNTIME" => Outcome::Runtime(text),
            other => panic!("unknown status {other:?} for case {id}"),
        });
    }
    assert!(rest.is_empty(), "java answered more cases than were asked");
    outcomes
}

#[path = "velocity/generated.rs"]
mod generated;

const GENERATED_CASES: usize = 300;

/// One template, rendered by both engines.
struct Case {
    id: String,
    src: String,
    /// How the engine prints nulls: `Literal` (stock Velocity) but for the `aws/` cases.
    nulls: NullRendering,
}

fn all_cases() -> Vec<Case> {
    let case = |(id, src): &(&str, &str), nulls| Case {
        id: id.to_string(),
        src: src.to_string(),
        nulls,
    };
    let mut cases: Vec<Case> = corpus::CASES
        .iter()
        .map(|c| case(c, NullRendering::Literal))
        .chain(
            corpus::AWS_MODE_CASES
                .iter()
                .map(|c| case(c, NullRendering::Empty)),
        )
        .collect();
    let mut rng = generated::Rng::new(0x9E37_79B9_7F4A_7C15);
    for i in 0..GENERATED_CASES {
        cases.push(Case {
            id: format!("gen/{i:03}"),
            src: rng.template(),
            nulls: NullRendering::Literal,
        });
    }
    cases
}

#[test]
fn engine_matches_velocity_1_7() {
    require_tools();
    let cases = all_cases();
    let mut ids = std::collections::HashSet::new();
    for case in &cases {
        assert!(
            ids.insert(case.id.as_str()),
            "duplicate case id {}",
            case.id
        );
    }
    let mut listed = std::collections::HashSet::new();
    for (id, _) in KNOWN_DIFFERENCES.iter().chain(AWS_DIFFERENCES) {
        assert!(ids.contains(id), "listed difference {id} is not a case");
        assert!(listed.insert(*id), "{id} is listed twice");
    }
    for (id, _) in AWS_DIFFERENCES {
        assert!(
            id.starts_with("aws/"),
            "{id}: AWS differences are aws/ cases"
        );
    }
    assert!(corpus::CASES.len() >= 150, "the hand-written corpus shrank");

    let classpath = compile_harness();
    let java = java_render(&classpath, &cases);

    let mut unexpected = Vec::new();
    let mut matched = 0;
    for (case, java) in cases.iter().zip(&java) {
        let rust = rust_render(&case.src, case.nulls);
        let same = rust.same_as(java);
        matched += usize::from(same);
        if same == listed.contains(case.id.as_str()) {
            let what = if same {
                "is listed as a difference but matches"
            } else {
                "differs"
            };
            unexpected.push(format!(
                "{}: {what}\n  template: {:?}\n  velocity: {java:?}\n  engine:   {rust:?}",
                case.id, case.src
            ));
        }
    }
    println!(
        "{} cases ({} hand-written, {} in API Gateway mode, {GENERATED_CASES} generated): \
         {matched} match, {} known differences, {} AWS differences",
        cases.len(),
        corpus::CASES.len(),
        corpus::AWS_MODE_CASES.len(),
        KNOWN_DIFFERENCES.len(),
        AWS_DIFFERENCES.len()
    );
    assert!(
        unexpected.is_empty(),
        "{} unexpected outcomes:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
