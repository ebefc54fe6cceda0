//! A local function's configuration, and its validation into the form the
//! pool runs from.
//!
//! Validation happens once, in [`LocalFunction::new`](super::LocalFunction::new),
//! so a typo in a command or an unusable directory is reported when the gateway
//! loads its configuration, not on the first request that reaches the function.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http::HeaderValue;

/// Lambda's default function timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// Lambda's longest function timeout (15 minutes).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(900);
/// Lambda's default memory size, in MB.
pub const DEFAULT_MEMORY_MB: u32 = 128;
/// How many processes a function runs at once unless told otherwise.
///
/// Lambda's own default (the account's unreserved pool, 1,000) makes no sense
/// for processes on one machine: each is a whole interpreter. Eight keeps a
/// browser's parallel requests (six per host) from being throttled while
/// bounding memory to a few hundred MB for typical Python or Node runtimes.
pub const DEFAULT_RESERVED_CONCURRENCY: usize = 8;
/// The region functions are told they run in unless told otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The account id in the function ARN handed to the runtime
/// (`Lambda-Runtime-Invoked-Function-Arn`), unless told otherwise.
pub const DEFAULT_ACCOUNT_ID: &str = "000000000000";

/// The environment variables this host sets itself. Lambda rejects a
/// configuration that sets its reserved keys; so do we, rather than silently
/// overriding the user's value.
const RESERVED_ENV: &[(&str, &str)] = &[
    (
        "AWS_LAMBDA_RUNTIME_API",
        "it is the Runtime API endpoint of each process",
    ),
    (
        "AWS_LAMBDA_FUNCTION_NAME",
        "set the function's name instead",
    ),
    (
        "AWS_LAMBDA_FUNCTION_VERSION",
        "local functions are always $LATEST",
    ),
    ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "set memory_mb instead"),
    (
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "it is derived from the function's name",
    ),
    ("AWS_LAMBDA_LOG_STREAM_NAME", "it is chosen per process"),
    (
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "local functions initialise on demand",
    ),
    ("AWS_REGION", "set region instead"),
    ("AWS_DEFAULT_REGION", "set region instead"),
    ("_HANDLER", "set handler instead"),
    ("LAMBDA_TASK_ROOT", "set cwd instead"),
];

/// How to run one function as local processes.
///
/// Build one with [`LocalSpec::new`] (which fills in Lambda's defaults) and
/// change the public fields as needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSpec {
    /// The function's name: 1 to 64 characters of `A-Z a-z 0-9 - _`, as Lambda allows.
    pub name: String,
    /// The program and its arguments. Run directly, without a shell; a
    /// program without a `/` is looked up on `PATH` (the `PATH` of [`env`](Self::env)
    /// if it sets one, else the gateway's).
    pub command: Vec<String>,
    /// Environment variables added to the gateway's own environment (which the
    /// process inherits, so `PATH`, `HOME` and local AWS credentials reach the
    /// handler as they would in a shell).
    pub env: BTreeMap<String, String>,
    /// The working directory, also exported as `LAMBDA_TASK_ROOT`. Defaults to
    /// the gateway's working directory.
    pub cwd: Option<PathBuf>,
    /// How long one invocation may run before the process is killed
    /// (Lambda's default is 3 s, its maximum 15 minutes).
    pub timeout: Duration,
    /// How many processes may run at once, each serving one invocation at a
    /// time as a Lambda execution environment does. Calls above it are
    /// throttled, or wait in [`queue`](Self::queue) when that is set.
    pub reserved_concurrency: usize,
    /// Exported as `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`; not enforced.
    pub memory_mb: u32,
    /// Exported as `_HANDLER`, which runtime clients read when no handler is
    /// given on their command line.
    pub handler: Option<String>,
    /// Exported as `AWS_REGION` and `AWS_DEFAULT_REGION`, and used in the function ARN.
    pub region: String,
    /// The account id in the function ARN the runtime is given.
    pub account_id: String,
    /// Opt-in waiting for callers above the reserved concurrency. `None` (the
    /// default) throttles them at once, as Lambda does.
    pub queue: Option<QueueSpec>,
}

/// A bounded queue in front of a function whose processes are all busy.
///
/// Lambda has no such thing for synchronous calls (it answers 429 at once);
/// locally it smooths bursts from a browser or a test suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSpec {
    /// How many callers may wait at once; one more is throttled.
    pub depth: usize,
    /// How long a caller waits for a process before it is throttled.
    pub max_wait: Duration,
}

impl LocalSpec {
    /// A spec with Lambda's defaults: 3 s timeout, 128 MB, `us-east-1`, no
    /// queue, and [`DEFAULT_RESERVED_CONCURRENCY`] processes.
    pub fn new(
        name: impl Into<String>,
        command: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            name: name.into(),
            command: command.into_iter().map(Into::into).collect(),
            env: BTreeMap::new(),
            cwd: None,
            timeout: DEFAULT_TIMEOUT,
            reserved_concurrency: DEFAULT_RESERVED_CONCURRENCY,
            memory_mb: DEFAULT_MEMORY_MB,
            handler: None,
            region: DEFAULT_REGION.to_owned(),
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            queue: None,
        }
    }
}

/// Why a local function's configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// The command names no program.
    #[error(
        "function {function:?} has an empty command: give the program and its arguments, \
         e.g. [\"python3\", \"-m\", \"awslambdaric\", \"app.handler\"]"
    )]
    EmptyCommand {
        /// The function.
        function: String,
    },
    /// The name is not one Lambda would accept.
    #[error("function name {function:?} is not valid: {reason}")]
    InvalidName {
        /// The function.
        function: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The program is not on `PATH` (or not at the path given).
    #[error(
        "function {function:?}: program {program:?} was not found (searched {searched}); \
         install it, fix the command, or give the program's full path"
    )]
    ProgramNotFound {
        /// The function.
        function: String,
        /// The program as the command names it.
        program: String,
        /// Where it was looked for.
        searched: String,
    },
    /// The program exists but cannot be executed.
    #[error(
        "function {function:?}: program {program:?} at {} is not an executable file; \
         check that it is a file and has its execute bit (chmod +x)",
        path.display()
    )]
    NotExecutable {
        /// The function.
        function: String,
        /// The program as the command names it.
        program: String,
        /// Where it was found.
        path: PathBuf,
    },
    /// The working directory cannot be used.
    #[error("function {function:?}: working directory {} cannot be used: {reason}", path.display())]
    InvalidCwd {
        /// The function.
        function: String,
        /// The directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The environment sets a variable this host sets itself.
    #[error("function {function:?}: environment variable {key:?} is reserved: {hint}")]
    ReservedEnv {
        /// The function.
        function: String,
        /// The variable.
        key: String,
        /// What to do instead.
        hint: &'static str,
    },
    /// An environment variable cannot be given to a process.
    #[error(
        "function {function:?}: environment variable {key:?} cannot be passed to a process: {reason}"
    )]
    InvalidEnv {
        /// The function.
        function: String,
        /// The variable.
        key: String,
        /// Why.
        reason: &'static str,
    },
    /// A numeric setting is out of range.
    #[error("function {function:?}: {setting} {message}")]
    InvalidSetting {
        /// The function.
        function: String,
        /// The setting.
        setting: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
}

/// A validated spec, with everything the hot path needs precomputed.
#[derive(Debug)]
pub(super) struct Resolved {
    pub(super) name: String,
    /// The program as the command names it, for error messages.
    pub(super) program_name: String,
    /// Where the program was found, which is what is run (so a later change of
    /// the gateway's `PATH` or working directory does not change it).
    pub(super) program: PathBuf,
    pub(super) args: Vec<String>,
    pub(super) cwd: PathBuf,
    /// Every variable but the per-process ones (`AWS_LAMBDA_RUNTIME_API`,
    /// `AWS_LAMBDA_LOG_STREAM_NAME`).
    pub(super) env: Vec<(String, String)>,
    pub(super) timeout: Duration,
    pub(super) reserved_concurrency: usize,
    pub(super) queue: Option<QueueSpec>,
    /// `Lambda-Runtime-Invoked-Function-Arn`, built once.
    pub(super) arn: HeaderValue,
}

impl Resolved {
    pub(super) fn new(spec: LocalSpec) -> Result<Self, LocalError> {
        let function = spec.name.clone();
        validate_name(&spec.name)?;
        let setting = |setting: &'static str, message: String| LocalError::InvalidSetting {
            function: function.clone(),
            setting,
            message,
        };
        if spec.timeout.is_zero() || spec.timeout > MAX_TIMEOUT {
            return Err(setting(
                "timeout",
                format!(
                    "{:?} is out of range: Lambda allows more than 0 s and at most 900 s",
                    spec.timeout
                ),
            ));
        }
        if !(128..=10_240).contains(&spec.memory_mb) {
            return Err(setting(
                "memory_mb",
                format!(
                    "{} is out of range: Lambda allows 128 to 10240",
                    spec.memory_mb
                ),
            ));
        }
        if spec.reserved_concurrency == 0 {
            return Err(setting(
                "reserved_concurrency",
                "is 0, so the function could never run; give at least 1".to_owned(),
            ));
        }
        if let Some(queue) = spec.queue
            && (queue.depth == 0 || queue.max_wait.is_zero())
        {
            return Err(setting(
                "queue",
                "needs a depth and a max_wait above 0 (or no queue at all)".to_owned(),
            ));
        }
        if spec.region.is_empty()
            || !spec
                .region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(setting(
                "region",
                format!("{:?} is not a region name such as us-east-1", spec.region),
            ));
        }
        if spec.account_id.len() != 12 || !spec.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(setting(
                "account_id",
                format!("{:?} is not 12 digits", spec.account_id),
            ));
        }
        for (key, value) in &spec.env {
            if let Some((_, hint)) = RESERVED_ENV.iter().find(|(reserved, _)| reserved == key) {
                return Err(LocalError::ReservedEnv {
                    function,
                    key: key.clone(),
                    hint,
                });
            }
            let reason = if key.is_empty() {
                Some("the name is empty")
            } else if key.contains('=') {
                Some("the name contains '='")
            } else if key.contains('\0') || value.contains('\0') {
                Some("it contains a NUL byte")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(LocalError::InvalidEnv {
                    function,
                    key: key.clone(),
                    reason,
                });
            }
        }

        let cwd = resolve_cwd(&function, spec.cwd.as_deref())?;
        let Some((program_name, args)) = spec.command.split_first() else {
            return Err(LocalError::EmptyCommand { function });
        };
        if program_name.is_empty() {
            return Err(LocalError::EmptyCommand { function });
        }
        let path_var = spec
            .env
            .get("PATH")
            .map(OsString::from)
            .or_else(|| std::env::var_os("PATH"));
        let program = resolve_program(&function, program_name, &cwd, path_var)?;

        let arn = format!(
            "arn:aws:lambda:{}:{}:function:{}",
            spec.region, spec.account_id, spec.name
        );
        // Every part was checked to be ASCII letters, digits and punctuation.
        let arn = HeaderValue::from_str(&arn)
            .map_err(|_| setting("name", "cannot appear in an ARN".to_owned()))?;

        let mut env: Vec<(String, String)> = spec.env.into_iter().collect();
        env.extend([
            ("AWS_LAMBDA_FUNCTION_NAME".to_owned(), spec.name.clone()),
            (
                "AWS_LAMBDA_FUNCTION_VERSION".to_owned(),
                "$LATEST".to_owned(),
            ),
            (
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE".to_owned(),
                spec.memory_mb.to_string(),
            ),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME".to_owned(),
                format!("/aws/lambda/{}", spec.name),
            ),
            (
                "AWS_LAMBDA_INITIALIZATION_TYPE".to_owned(),
                "on-demand".to_owned(),
            ),
            ("AWS_REGION".to_owned(), spec.region.clone()),
            ("AWS_DEFAULT_REGION".to_owned(), spec.region),
            (
                "LAMBDA_TASK_ROOT".to_owned(),
                cwd.to_string_lossy().into_owned(),
            ),
        ]);
        if let Some(handler) = spec.handler {
            env.push(("_HANDLER".to_owned(), handler));
        }

        Ok(Self {
            name: spec.name,
            program_name: program_name.clone(),
            program,
            args: args.to_vec(),
            cwd,
            env,
            timeout: spec.timeout,
            reserved_concurrency: spec.reserved_concurrency,
            queue: spec.queue,
            arn,
        })
    }
}

fn validate_name(name: &str) -> Result<(), LocalError> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name.len() > 64 {
        Some("it is longer than 64 characters")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Some("Lambda allows only letters, digits, '-' and '_'")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(LocalError::InvalidName {
            function: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

fn resolve_cwd(function: &str, cwd: Option<&Path>) -> Result<PathBuf, LocalError> {
    let invalid = |path: PathBuf, reason: String| LocalError::InvalidCwd {
        function: function.to_owned(),
        path,
        reason,
    };
    let here = std::env::current_dir().map_err(|e| {
        invalid(
            PathBuf::from("."),
            format!("the gateway's own working directory is unreadable: {e}"),
        )
    })?;
    let Some(cwd) = cwd else { return Ok(here) };
    let absolute = here.join(cwd);
    match std::fs::metadata(&absolute) {
        Ok(meta) if meta.is_dir() => Ok(absolute),
        Ok(_) => Err(invalid(absolute, "it is not a directory".to_owned())),
        Err(e) => Err(invalid(absolute, e.to_string())),
    }
}

fn resolve_program(
    function: &str,
    program: &str,
    cwd: &Path,
    path_var: Option<OsString>,
) -> Result<PathBuf, LocalError> {
    let check = |path: PathBuf| -> Result<PathBuf, LocalError> {
        if is_executable(&path) {
            Ok(path)
        } else {
            Err(LocalError::NotExecutable {
                function: function.to_owned(),
                program: program.to_owned(),
                path,
            })
        }
    };
    if program.contains('/') {
        // Relative to the function's directory, as a shell started there would resolve it.
        let path = cwd.join(program);
        if !path.exists() {
            return Err(LocalError::ProgramNotFound {
                function: function.to_owned(),
                program: program.to_owned(),
                searched: path.display().to_string(),
            });
        }
        return check(path);
    }
    let mut first_non_executable = None;
    let path_var = path_var.unwrap_or_default();
    for dir in std::env::split_paths(&path_var) {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let candidate = cwd.join(dir).join(program);
        if is_executable(&candidate) {
            return Ok(candidate);
        }
        if first_non_executable.is_none() && candidate.exists() {
            first_non_executable = Some(candidate);
        }
    }
    match first_non_executable {
        Some(path) => check(path),
        None => Err(LocalError::ProgramNotFound {
            function: function.to_owned(),
            program: program.to_owned(),
            searched: format!("PATH={}", path_var.to_string_lossy()),
        }),
    }
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_command_names_the_function() {
        let err = Resolved::new(LocalSpec::new("f", Vec::<String>::new())).unwrap_err();
        assert!(matches!(err, LocalError::EmptyCommand { .. }));
        assert!(err.to_string().contains("\"f\""), "{err}");
    }

    #[test]
    fn missing_program_names_function_and_program() {
        let err =
            Resolved::new(LocalSpec::new("fn-1", ["no-such-program-portcullis"])).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, LocalError::ProgramNotFound { .. }), "{text}");
        assert!(
            text.contains("fn-1") && text.contains("no-such-program-portcullis"),
            "{text}"
        );
    }

    #[test]
    fn reserved_env_is_refused() {
        let mut spec = LocalSpec::new("f", ["sh"]);
        spec.env.insert("AWS_REGION".into(), "eu-west-1".into());
        assert!(matches!(
            Resolved::new(spec),
            Err(LocalError::ReservedEnv { .. })
        ));
    }

    #[test]
    fn settings_are_range_checked() {
        let mut spec = LocalSpec::new("f", ["sh"]);
        spec.timeout = Duration::ZERO;
        assert!(matches!(
            Resolved::new(spec.clone()),
            Err(LocalError::InvalidSetting {
                setting: "timeout",
                ..
            })
        ));
        spec.timeout = DEFAULT_TIMEOUT;
        spec.reserved_concurrency = 0;
        assert!(matches!(
            Resolved::new(spec.clone()),
            Err(LocalError::InvalidSetting {
                setting: "reserved_concurrency",
                ..
            })
        ));
        spec.reserved_concurrency = 1;
        spec.name = "bad name".into();
        assert!(matches!(
            Resolved::new(spec),
            Err(LocalError::InvalidName { .. })
        ));
    }

    #[test]
    fn resolves_program_and_builds_the_lambda_environment() {
        let mut spec = LocalSpec::new("f", ["sh", "-c", "true"]);
        spec.handler = Some("app.handler".into());
        let resolved = Resolved::new(spec).unwrap();
        assert!(resolved.program.is_absolute());
        assert_eq!(
            resolved.arn,
            "arn:aws:lambda:us-east-1:000000000000:function:f"
        );
        let get = |key: &str| {
            resolved
                .env
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("_HANDLER"), Some("app.handler"));
        assert_eq!(get("AWS_LAMBDA_LOG_GROUP_NAME"), Some("/aws/lambda/f"));
        assert_eq!(get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), Some("128"));
    }
}
