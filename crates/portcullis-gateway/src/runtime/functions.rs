//! The functions Lambda integrations call, started from the configuration and
//! kept across reloads: a reload that leaves a function's settings alone keeps
//! its warm processes.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use portcullis_lambda::Function;
use portcullis_lambda::local::{LocalFunction, LocalSpec, QueueSpec};
use portcullis_lambda::remote::{CredentialSource, RemoteFunction, RemoteSpec};

use crate::config::{FunctionConfig, Problem};

/// How long a queued caller may wait for a process: API Gateway's longest
/// integration timeout, which bounds the wait anyway.
const MAX_QUEUE_WAIT: Duration = Duration::from_secs(30);

/// Every configured function, by name.
#[derive(Debug, Default)]
pub struct Functions {
    by_name: HashMap<String, (FunctionConfig, Function)>,
}

impl Functions {
    /// Prepares the configured functions (starting no process: local functions
    /// start on their first call), reusing those of `previous` whose settings
    /// did not change.
    ///
    /// # Errors
    /// Each function that cannot be used (program not found, bad directory, ...).
    pub fn prepare(
        configs: &BTreeMap<String, FunctionConfig>,
        previous: Option<&Functions>,
    ) -> Result<Self, Vec<Problem>> {
        let mut by_name = HashMap::with_capacity(configs.len());
        let mut problems = Vec::new();
        for (name, config) in configs {
            if let Some((old, function)) = previous.and_then(|p| p.by_name.get(name))
                && old == config
            {
                by_name.insert(name.clone(), (config.clone(), function.clone()));
                continue;
            }
            match prepare(name, config) {
                Ok(function) => {
                    by_name.insert(name.clone(), (config.clone(), function));
                }
                Err(message) => problems.push(Problem::new(Path::new("functions"), name, message)),
            }
        }
        if problems.is_empty() {
            Ok(Self { by_name })
        } else {
            Err(problems)
        }
    }

    /// The function named `name`.
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.by_name.get(name).map(|(_, function)| function)
    }

    /// Stops every local function's processes and waits for them to exit.
    pub async fn shutdown(&self) {
        for (_, function) in self.by_name.values() {
            if let Function::Local(local) = function {
                local.shutdown().await;
            }
        }
    }
}

fn prepare(name: &str, config: &FunctionConfig) -> Result<Function, String> {
    match config {
        FunctionConfig::Local(local) => {
            let mut spec = LocalSpec::new(name, local.command.clone());
            spec.env = local.environment.clone();
            spec.cwd = local.cwd.clone();
            spec.timeout = local.timeout;
            spec.reserved_concurrency = local.reserved_concurrency;
            spec.memory_mb = local.memory_mb;
            spec.handler = local.handler.clone();
            if let Ok(region) = std::env::var("AWS_REGION") {
                spec.region = region;
            }
            if local.queue > 0 {
                spec.queue = Some(QueueSpec {
                    depth: local.queue,
                    max_wait: MAX_QUEUE_WAIT,
                });
            }
            LocalFunction::new(spec)
                .map(|f| Function::Local(Arc::new(f)))
                .map_err(|e| e.to_string())
        }
        FunctionConfig::Remote(remote) => {
            let mut spec = RemoteSpec::new(name, remote.function.clone(), remote.region.clone());
            if let Some(endpoint) = &remote.endpoint {
                spec.endpoint = Some(
                    endpoint
                        .parse()
                        .map_err(|e| format!("endpoint `{endpoint}` is not a URL: {e}"))?,
                );
            }
            if let Some(profile) = &remote.profile {
                spec.credentials = CredentialSource::Profile(profile.clone());
            }
            RemoteFunction::new(spec)
                .map(|f| Function::Remote(Arc::new(f)))
                .map_err(|e| e.to_string())
        }
    }
}
