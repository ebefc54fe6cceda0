//! `AWS::Serverless::Function` as a local function: its runtime's command,
//! its code directory, environment, timeout, memory and concurrency.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::functions::{DEFAULT_CONCURRENCY, local, split_command};
use crate::config::model::{FunctionConfig, LocalFunctionConfig};
use crate::config::openapi::tree::Node;
use crate::config::problems::{Problems, child};

use super::{note_unused, number, text};

/// What every function of a template is read with.
pub(super) struct Setup<'a> {
    /// The template, for problems.
    pub(super) file: &'a Path,
    /// Where `CodeUri` is relative to.
    pub(super) dir: &'a Path,
    /// `--runtime-command RUNTIME=COMMAND`, in order.
    pub(super) runtime_commands: &'a [(String, String)],
    /// `--env-vars`.
    pub(super) env_vars: &'a EnvVars,
}

/// `--env-vars FILE`: SAM's JSON, variables by function logical id, and
/// under `Parameters` for every function. As with `sam local`, only
/// variables the template declares are set.
#[derive(Debug, Default)]
pub(crate) struct EnvVars {
    all: BTreeMap<String, String>,
    by_function: BTreeMap<String, BTreeMap<String, String>>,
}

impl EnvVars {
    /// Reads SAM's env-vars JSON.
    ///
    /// # Errors
    /// A message when the text is not that JSON shape.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let top = json.as_object().ok_or(
            "the top level is an object: {\"Parameters\": {...}, \"FunctionLogicalId\": {...}}",
        )?;
        let mut out = Self::default();
        for (key, value) in top {
            let variables = value
                .as_object()
                .ok_or_else(|| format!("`{key}` holds {value}, not an object of variables"))?
                .iter()
                .map(|(name, value)| {
                    let text = match value {
                        serde_json::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    (name.clone(), text)
                })
                .collect();
            if key == "Parameters" {
                out.all = variables;
            } else {
                out.by_function.insert(key.clone(), variables);
            }
        }
        Ok(out)
    }
}

/// The properties of a function this translation reads.
const USED: &[&str] = &[
    "FunctionName",
    "CodeUri",
    "Handler",
    "Runtime",
    "Timeout",
    "MemorySize",
    "Environment",
    "ReservedConcurrentExecutions",
    "Events",
    // Metadata only: nothing to honour.
    "Description",
    "Tags",
    "Architectures",
];

/// The function `logical_id` defines: its name (`FunctionName`, else the
/// logical id, as its ARN names it) and how to run it; `None` (with a
/// warning) when it cannot run locally.
pub(super) fn function(
    logical_id: &str,
    properties: &Node,
    setup: &Setup<'_>,
    code_seen: &mut Vec<PathBuf>,
    problems: &mut Problems,
) -> Option<(String, FunctionConfig)> {
    let at = format!("Resources.{logical_id}.Properties");
    note_unused(setup.file, &at, properties, USED, problems);
    let name = text(properties.get("FunctionName"))
        .unwrap_or(logical_id)
        .to_owned();
    if properties.get("InlineCode").is_some()
        || text(properties.get("PackageType")) == Some("Image")
    {
        problems.warn(
            setup.file,
            &at,
            format!("function {logical_id} is an image or inline code, which is not run locally yet: its routes answer 500"),
        );
        return None;
    }
    let runtime = text(properties.get("Runtime")).unwrap_or_default();
    let handler = text(properties.get("Handler")).map(str::to_owned);
    let code = code_dir(logical_id, properties, setup, &at, problems)?;
    let command = match command(runtime, handler.as_deref(), &code, setup.runtime_commands) {
        Ok(command) => command,
        Err(message) => {
            problems.warn(
                setup.file,
                child(&at, "Runtime"),
                format!("function {logical_id}: {message}; its routes answer 500"),
            );
            return None;
        }
    };
    let mut config: LocalFunctionConfig = local(command);
    let (stamp, files) = code_files(&code);
    config.code_stamp = Some(stamp);
    code_seen.extend(files);
    config.cwd = Some(code);
    config.handler = handler;
    if let Some(seconds) = number(properties.get("Timeout")) {
        if (1..=900).contains(&seconds) {
            config.timeout = Duration::from_secs(seconds as u64);
        } else {
            problems.at(
                setup.file,
                child(&at, "Timeout"),
                format!("{seconds} is not a Lambda timeout (1 to 900 seconds)"),
            );
        }
    }
    if let Some(memory) = number(properties.get("MemorySize")) {
        match u32::try_from(memory) {
            Ok(memory) if (128..=10_240).contains(&memory) => config.memory_mb = memory,
            _ => problems.at(
                setup.file,
                child(&at, "MemorySize"),
                format!("{memory} is not a Lambda memory size (128 to 10240 MB)"),
            ),
        }
    }
    if let Some(reserved) = number(properties.get("ReservedConcurrentExecutions")) {
        match usize::try_from(reserved) {
            Ok(0) => problems.warn(
                setup.file,
                child(&at, "ReservedConcurrentExecutions"),
                format!(
                    "0 disables function {logical_id} on AWS; locally it runs one process at a time"
                ),
            ),
            Ok(reserved) => config.reserved_concurrency = reserved,
            Err(_) => problems.at(
                setup.file,
                child(&at, "ReservedConcurrentExecutions"),
                format!("{reserved} is not a number of executions"),
            ),
        }
        if config.reserved_concurrency == 0 {
            config.reserved_concurrency = 1;
        }
    } else {
        config.reserved_concurrency = DEFAULT_CONCURRENCY;
    }
    config.environment = environment(logical_id, properties, setup, &at, problems);
    Some((name, FunctionConfig::Local(config)))
}

/// Most files of a code directory read for its stamp and watched.
const MAX_CODE_FILES: usize = 5_000;

/// A digest of the files under `dir` (paths, sizes, modification times) and
/// the files themselves; hidden entries, `__pycache__`, `node_modules` and
/// `target` are left out, as are files past [`MAX_CODE_FILES`].
fn code_files(dir: &Path) -> (u64, Vec<PathBuf>) {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.')
                || matches!(name.as_ref(), "__pycache__" | "node_modules" | "target")
            {
                continue;
            }
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                pending.push(path);
            } else if files.len() < MAX_CODE_FILES {
                path.hash(&mut hasher);
                meta.len().hash(&mut hasher);
                meta.modified().ok().hash(&mut hasher);
                files.push(path);
            }
        }
    }
    (hasher.finish(), files)
}

/// The code's directory: SAM's build output (`.aws-sam/build/{id}`) when
/// there is one, else `CodeUri` (a local path) beside the template.
fn code_dir(
    logical_id: &str,
    properties: &Node,
    setup: &Setup<'_>,
    at: &str,
    problems: &mut Problems,
) -> Option<PathBuf> {
    let built = setup.dir.join(".aws-sam").join("build").join(logical_id);
    if built.is_dir() {
        return Some(built);
    }
    match properties.get("CodeUri") {
        None => Some(setup.dir.to_path_buf()),
        Some(Node::Str(uri)) if uri.starts_with("s3://") => {
            problems.warn(
                setup.file,
                child(at, "CodeUri"),
                format!("function {logical_id}'s code is in S3 ({uri}); give a local path to run it: its routes answer 500"),
            );
            None
        }
        // Rebuilt from its components: `src/` names `src` (no trailing
        // slash in LAMBDA_TASK_ROOT).
        Some(Node::Str(path)) => Some(setup.dir.join(path).components().collect()),
        Some(_) => {
            problems.warn(
                setup.file,
                child(at, "CodeUri"),
                format!("function {logical_id}'s code is in S3 (Bucket/Key); give a local path to run it: its routes answer 500"),
            );
            None
        }
    }
}

/// How a runtime is started: `--runtime-command` for the runtime (or its
/// family: `python`, `nodejs`, `provided`, ...) with the handler added,
/// else the official runtime interface client for Python and Node.js, and
/// the code's own `bootstrap` for OS-only runtimes.
fn command(
    runtime: &str,
    handler: Option<&str>,
    code: &Path,
    given: &[(String, String)],
) -> Result<Vec<String>, String> {
    let family = runtime.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == 'x');
    let family = family.split('.').next().unwrap_or(family);
    let os_only = runtime.starts_with("provided") || runtime == "go1.x";
    let handler_words = || handler.map(|h| vec![h.to_owned()]).unwrap_or_default();
    if let Some((_, line)) = given
        .iter()
        .rev()
        .find(|(key, _)| key == runtime || key == family)
    {
        let mut words = split_command(line)?;
        if !os_only {
            words.extend(handler_words());
        }
        return Ok(words);
    }
    if runtime.starts_with("python3") {
        let mut words = vec![
            "python3".to_owned(),
            "-m".to_owned(),
            "awslambdaric".to_owned(),
        ];
        words.extend(handler_words());
        return Ok(words);
    }
    if runtime.starts_with("nodejs") {
        let mut words = vec![
            "npx".to_owned(),
            "--no-install".to_owned(),
            "aws-lambda-ric".to_owned(),
        ];
        words.extend(handler_words());
        return Ok(words);
    }
    if os_only {
        // Absolute: the process starts in the code directory, so a
        // relative path would be read from there.
        let bootstrap = std::path::absolute(code.join("bootstrap"))
            .map_err(|e| format!("cannot resolve the bootstrap's path: {e}"))?;
        if !bootstrap.is_file() {
            return Err(format!(
                "{} has no `bootstrap` (build it there: `cargo lambda build`, a `cargo build` binary named bootstrap, a Go build), or give --runtime-command {runtime}=PATH",
                code.display()
            ));
        }
        return Ok(vec![bootstrap.to_string_lossy().into_owned()]);
    }
    if runtime.is_empty() {
        return Err("no Runtime: give one, or a command with --runtime-command".to_owned());
    }
    Err(format!(
        "no local command for runtime {runtime}: give one with --runtime-command {runtime}=COMMAND"
    ))
}

/// `Environment.Variables`, with `--env-vars` values for the variables the
/// template declares.
fn environment(
    logical_id: &str,
    properties: &Node,
    setup: &Setup<'_>,
    at: &str,
    problems: &mut Problems,
) -> BTreeMap<String, String> {
    let at = child(&child(at, "Environment"), "Variables");
    let mut out = BTreeMap::new();
    if let Some(entries) = properties
        .get("Environment")
        .and_then(|e| e.get("Variables"))
        .and_then(Node::as_map)
    {
        for (name, value) in entries {
            match scalar(value) {
                Some(text) => {
                    out.insert(name.clone(), text);
                }
                None => problems.at(
                    setup.file,
                    child(&at, name),
                    format!("an environment variable is text, not {}", value.kind()),
                ),
            }
        }
    }
    let given = setup.env_vars.all.iter().chain(
        setup
            .env_vars
            .by_function
            .get(logical_id)
            .into_iter()
            .flatten(),
    );
    for (name, value) in given {
        if let Some(slot) = out.get_mut(name) {
            slot.clone_from(value);
        }
    }
    out
}

/// A scalar's text (`Timeout: 3` in an environment is the text `3`).
fn scalar(node: &Node) -> Option<String> {
    match node {
        Node::Str(text) => Some(text.clone()),
        Node::Int(i) => Some(i.to_string()),
        Node::Float(x) => Some(x.to_string()),
        Node::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_start_their_official_clients_or_bootstrap() {
        let code = Path::new("/code");
        assert_eq!(
            command("python3.12", Some("app.handler"), code, &[]).unwrap(),
            ["python3", "-m", "awslambdaric", "app.handler"]
        );
        assert_eq!(
            command("nodejs20.x", Some("index.handler"), code, &[]).unwrap(),
            ["npx", "--no-install", "aws-lambda-ric", "index.handler"]
        );
        let missing = command("provided.al2023", Some("bootstrap"), code, &[]).unwrap_err();
        assert!(
            missing.contains("--runtime-command provided.al2023=PATH"),
            "{missing}"
        );
        let given = [("provided".to_owned(), "/bin/my-runtime".to_owned())];
        assert_eq!(
            command("provided.al2023", Some("bootstrap"), code, &given).unwrap(),
            ["/bin/my-runtime"]
        );
        let given = [(
            "python".to_owned(),
            "/venv/bin/python -m awslambdaric".to_owned(),
        )];
        assert_eq!(
            command("python3.11", Some("app.h"), code, &given).unwrap(),
            ["/venv/bin/python", "-m", "awslambdaric", "app.h"]
        );
        let java = command("java21", Some("A::h"), code, &[]).unwrap_err();
        assert!(java.contains("--runtime-command java21=COMMAND"), "{java}");
        let given = [("java21".to_owned(), "java -cp app.jar Main".to_owned())];
        assert_eq!(
            command("java21", Some("A::h"), code, &given).unwrap(),
            ["java", "-cp", "app.jar", "Main", "A::h"]
        );
    }

    #[test]
    fn env_vars_files_set_declared_variables_only() {
        let vars = EnvVars::parse(
            r#"{"Parameters": {"STAGE": "local", "EXTRA": "x"}, "Hello": {"TABLE": "items-local"}}"#,
        )
        .unwrap();
        let properties = crate::config::openapi::tree::parse(
            "{Environment: {Variables: {STAGE: prod, TABLE: items, RETRIES: 3}}}",
        )
        .unwrap();
        let setup = Setup {
            file: Path::new("template.yaml"),
            dir: Path::new("."),
            runtime_commands: &[],
            env_vars: &vars,
        };
        let mut problems = Problems::new();
        let env = environment(
            "Hello",
            &properties,
            &setup,
            "Resources.Hello.Properties",
            &mut problems,
        );
        assert_eq!(
            env.into_iter().collect::<Vec<_>>(),
            [
                ("RETRIES".to_owned(), "3".to_owned()),
                ("STAGE".to_owned(), "local".to_owned()),
                ("TABLE".to_owned(), "items-local".to_owned())
            ]
        );
        assert!(EnvVars::parse("[1]").is_err());
        assert!(EnvVars::parse(r#"{"Hello": 3}"#).is_err());
    }
}
