//! `access_log` in the config file (per stage, or for every stage) and
//! `--access-log` on the command line: checked here, compiled by
//! `observe::access_log`.

use std::path::Path;

use super::model::{AccessLogSettings, Api, ApiType, LogDestination};
use super::native::AccessLogEntry;
use super::problems::{Problems, child};
use super::settings::Base;
use crate::observe::access_log::LogFormat;

/// A stage's `access_log` entry at `at`, checked for an API of `api_type`.
pub(crate) fn from_entry(
    entry: &AccessLogEntry,
    api_type: ApiType,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<AccessLogSettings> {
    let format_ok = check_format(
        &entry.format,
        api_type,
        base.file,
        &child(at, "format"),
        problems,
    );
    let destination = match entry.destination.as_deref() {
        None | Some("stdout") => LogDestination::Stdout,
        Some("stderr") => LogDestination::Stderr,
        Some("") => {
            problems.at(
                base.file,
                child(at, "destination"),
                "the destination is empty; write `stdout`, `stderr` or a file path",
            );
            return None;
        }
        Some(path) => LogDestination::File(base.resolve(path)),
    };
    format_ok.then(|| AccessLogSettings {
        format: entry.format.clone(),
        destination,
    })
}

/// `--access-log FORMAT`: every stage without its own access log logs to
/// standard output in `format`.
pub(crate) fn from_flag(format: &str, apis: &mut [Api], problems: &mut Problems) {
    for api in apis {
        if !check_format(
            format,
            api.api_type,
            Path::new(super::problems::COMMAND_LINE),
            "--access-log",
            problems,
        ) {
            return;
        }
        for stage in api.stages.iter_mut().filter(|s| s.access_log.is_none()) {
            stage.access_log = Some(AccessLogSettings {
                format: format.to_owned(),
                destination: LogDestination::Stdout,
            });
        }
    }
}

/// Whether `format` can be used; an error or warning at `file`/`at` otherwise.
fn check_format(
    format: &str,
    api_type: ApiType,
    file: &Path,
    at: &str,
    problems: &mut Problems,
) -> bool {
    match LogFormat::parse(format, api_type) {
        Ok(parsed) => {
            for name in parsed.unknown {
                problems.warn(
                    file,
                    at,
                    format!("$context.{name} is not a $context variable AWS documents for access logs: logged as `-`"),
                );
            }
            true
        }
        Err(error) => {
            problems.at(file, at, error.to_string());
            false
        }
    }
}
