//! The functions Lambda integrations call: `functions:` in the config file and
//! `--function NAME=COMMAND` on the command line.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::model::{
    Api, FunctionConfig, IntegrationKind, LocalFunctionConfig, RemoteFunctionConfig,
};
use super::native::{CommandEntry, FunctionEntry, RemoteEntry};
use super::problems::{Problems, child};
use super::settings::Base;

/// Lambda's default function timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// Lambda's longest function timeout, in seconds.
const MAX_TIMEOUT_SECONDS: u64 = 900;
/// Lambda's default memory size.
const DEFAULT_MEMORY_MB: u32 = 128;
/// Lambda's memory bounds.
const MEMORY_MB: std::ops::RangeInclusive<u32> = 128..=10_240;
/// Processes a local function may run at once unless told otherwise: enough for
/// a developer's parallel requests, few enough not to swamp a laptop.
pub(crate) const DEFAULT_CONCURRENCY: usize = 10;

/// A local function with every default: what `--function NAME=COMMAND` gives.
pub(crate) fn local(command: Vec<String>) -> LocalFunctionConfig {
    LocalFunctionConfig {
        command,
        cwd: None,
        environment: BTreeMap::new(),
        handler: None,
        timeout: DEFAULT_TIMEOUT,
        memory_mb: DEFAULT_MEMORY_MB,
        reserved_concurrency: DEFAULT_CONCURRENCY,
        queue: 0,
        code_stamp: None,
    }
}

/// Splits a command line as a POSIX shell splits words (quotes, backslashes), without running a shell.
pub(crate) fn split_command(line: &str) -> Result<Vec<String>, String> {
    let words = shlex::split(line)
        .ok_or_else(|| format!("cannot split `{line}` into words: a quote is not closed"))?;
    if words.is_empty() {
        return Err("the command is empty".to_owned());
    }
    Ok(words)
}

/// Reads `--function NAME=COMMAND` flags.
pub(crate) fn from_flags(
    flags: &[(String, String)],
    problems: &mut Problems,
    out: &mut BTreeMap<String, FunctionConfig>,
) {
    for (name, line) in flags {
        if let Err(message) = check_function_name(name) {
            problems.flag("--function", message);
            continue;
        }
        match split_command(line) {
            Ok(words) => {
                out.insert(name.clone(), FunctionConfig::Local(local(words)));
            }
            Err(message) => problems.flag("--function", format!("{name}: {message}")),
        }
    }
}

/// Checks `functions:` of the config file.
pub(crate) fn from_file(
    entries: BTreeMap<String, FunctionEntry>,
    base: &Base<'_>,
    problems: &mut Problems,
) -> BTreeMap<String, FunctionConfig> {
    let mut out = BTreeMap::new();
    for (name, entry) in entries {
        let at = child("functions", &name);
        if let Err(message) = check_function_name(&name) {
            problems.at(base.file, &at, message);
            continue;
        }
        if let Some(function) = entry_config(&name, entry, &at, base, problems) {
            out.insert(name, function);
        }
    }
    out
}

fn entry_config(
    name: &str,
    entry: FunctionEntry,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<FunctionConfig> {
    let file = base.file;
    if let Some(remote) = entry.remote {
        let local_only = [
            ("command", entry.command.is_some()),
            ("cwd", entry.cwd.is_some()),
            ("environment", !entry.environment.is_empty()),
            ("handler", entry.handler.is_some()),
            ("timeout_seconds", entry.timeout_seconds.is_some()),
            ("memory_mb", entry.memory_mb.is_some()),
            ("reserved_concurrency", entry.reserved_concurrency.is_some()),
            ("queue", entry.queue.is_some()),
        ];
        let mut fine = true;
        for (key, given) in local_only {
            if given {
                problems.at(file, child(at, key), format!("`{key}` applies to local functions; a remote function is configured in Lambda"));
                fine = false;
            }
        }
        let remote = remote_config(name, remote, &child(at, "remote"), file, problems)?;
        return fine.then_some(FunctionConfig::Remote(remote));
    }
    let Some(command) = entry.command else {
        problems.at(
            file,
            at,
            "a function needs `command` (run locally) or `remote` (called through the Invoke API)",
        );
        return None;
    };
    let command = match command {
        CommandEntry::Line(line) => split_command(&line),
        CommandEntry::Words(words) if words.is_empty() || words[0].is_empty() => {
            Err("the command is empty".to_owned())
        }
        CommandEntry::Words(words) => Ok(words),
    };
    let command = command
        .map_err(|message| problems.at(file, child(at, "command"), message))
        .ok()?;
    let mut command = command;
    if command[0].contains('/') && Path::new(&command[0]).is_relative() {
        // `./bootstrap` or `../venv/bin/python`: relative to the config file, like every path in it.
        command[0] = base.resolve(&command[0]).to_string_lossy().into_owned();
    }
    let mut config = local(command);
    config.cwd = entry.cwd.map(|dir| base.resolve(&dir));
    if let Some(dir) = &config.cwd
        && !dir.is_dir()
    {
        problems.at(
            file,
            child(at, "cwd"),
            format!("`{}` is not a folder", dir.display()),
        );
    }
    config.environment = entry
        .environment
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect();
    config.handler = entry.handler;
    if let Some(seconds) = entry.timeout_seconds {
        if (1..=MAX_TIMEOUT_SECONDS).contains(&seconds) {
            config.timeout = Duration::from_secs(seconds);
        } else {
            problems.at(file, child(at, "timeout_seconds"), format!("{seconds} is not a function timeout; Lambda allows 1 to {MAX_TIMEOUT_SECONDS} seconds"));
        }
    }
    if let Some(memory) = entry.memory_mb {
        if MEMORY_MB.contains(&memory) {
            config.memory_mb = memory;
        } else {
            problems.at(
                file,
                child(at, "memory_mb"),
                format!(
                    "{memory} MB is not a memory size; Lambda allows {} to {} MB",
                    MEMORY_MB.start(),
                    MEMORY_MB.end()
                ),
            );
        }
    }
    if let Some(concurrency) = entry.reserved_concurrency {
        if concurrency == 0 {
            problems.at(
                file,
                child(at, "reserved_concurrency"),
                "0 would throttle every call; give at least 1",
            );
        } else {
            config.reserved_concurrency = concurrency;
        }
    }
    config.queue = entry.queue.unwrap_or(0);
    Some(FunctionConfig::Local(config))
}

fn remote_config(
    name: &str,
    entry: RemoteEntry,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> Option<RemoteFunctionConfig> {
    let function = entry.function.unwrap_or_else(|| name.to_owned());
    // arn:aws:lambda:REGION:ACCOUNT:function:NAME carries its region.
    let arn_region = function
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|region| !region.is_empty())
        .map(str::to_owned);
    let region = entry
        .region
        .or(arn_region)
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok());
    let Some(region) = region else {
        problems.at(
            file,
            at,
            "no region: set `region`, use a function ARN, or set AWS_REGION",
        );
        return None;
    };
    if let Some(endpoint) = &entry.endpoint
        && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
    {
        problems.at(
            file,
            child(at, "endpoint"),
            format!("`{endpoint}` is not an http:// or https:// URL"),
        );
        return None;
    }
    Some(RemoteFunctionConfig {
        function,
        region,
        endpoint: entry.endpoint,
        profile: entry.profile,
    })
}

/// Lambda function names: 1 to 64 letters, digits, hyphens and underscores.
///
/// # Errors
/// A message naming the rule the name breaks.
/// Notes one warning for `api` listing the functions its Lambda integrations
/// name that `functions` does not configure, with their routes: those routes
/// answer AWS's 500 for a function it cannot invoke until they are configured.
pub(crate) fn warn_unconfigured(
    api: &Api,
    functions: &BTreeMap<String, FunctionConfig>,
    problems: &mut Problems,
) {
    let mut missing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut first_at = None;
    for route in &api.routes {
        if let IntegrationKind::Lambda { function, .. } = &route.integration.kind
            && !functions.contains_key(&function.name)
        {
            first_at.get_or_insert_with(|| {
                child(
                    &child(&route.location, "x-amazon-apigateway-integration"),
                    "uri",
                )
            });
            let label = if route.path == super::model::DEFAULT_NAME {
                route.path.clone()
            } else {
                format!("{} {}", route.method.as_str(), route.path)
            };
            missing.entry(&function.name).or_default().push(label);
        }
    }
    for (name, authorizer) in &api.authorizers {
        if let super::model::AuthorizerKind::Lambda(lambda) = &authorizer.kind
            && !functions.contains_key(&lambda.function.name)
        {
            first_at.get_or_insert_with(|| {
                child(
                    &child(&authorizer.location, "x-amazon-apigateway-authorizer"),
                    "authorizerUri",
                )
            });
            missing
                .entry(&lambda.function.name)
                .or_default()
                .push(format!("authorizer {name}"));
        }
    }
    let Some(at) = first_at else { return };
    let list: Vec<String> = missing
        .iter()
        .map(|(name, routes)| format!("`{name}` ({})", routes.join(", ")))
        .collect();
    let example = missing.keys().next().copied().unwrap_or("NAME");
    problems.warn(
        &api.source,
        at,
        format!(
            "Lambda functions not configured: {}; their routes answer 500 Internal Server Error \
             until each is given, as --function {example}=COMMAND or under `functions:` in a config file",
            list.join("; ")
        ),
    );
}

pub(crate) fn check_function_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a function name (1 to 64 letters, digits, `-` and `_`)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_like_a_shell() {
        assert_eq!(
            split_command(r#"python3 -m awslambdaric 'app.handler' "a b" c\ d"#).unwrap(),
            ["python3", "-m", "awslambdaric", "app.handler", "a b", "c d"]
        );
        assert!(
            split_command("python3 'open")
                .unwrap_err()
                .contains("quote")
        );
        assert!(split_command("   ").unwrap_err().contains("empty"));
    }
}
