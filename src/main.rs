//! The `portcullis` binary: parses arguments and hands over to the gateway crate.

#![forbid(unsafe_code)]

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use portcullis_gateway::app;
use portcullis_gateway::config::{AdminFlag, ApiType, Overrides, Source, TemplateSource};
use portcullis_gateway::server::Threading;

#[derive(Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Amazon API Gateway's data plane, self-hosted"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the APIs.
    Serve {
        #[command(flatten)]
        source: SourceArgs,
        /// Threads serving requests (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// How connections are spread over the workers: `per-core` (one
        /// single-threaded runtime per worker, each accepting on its own
        /// SO_REUSEPORT socket) or `work-stealing` (one shared runtime).
        #[arg(long, value_enum, default_value_t = Runtime::PerCore)]
        runtime: Runtime,
        /// Log JSON lines instead of text.
        #[arg(long)]
        log_json: bool,
    },
    /// Check a configuration or OpenAPI files: lists every error and warning
    /// found; exits non-zero on errors only (and on warnings with --strict).
    Validate {
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Print the route table.
    Routes {
        #[command(flatten)]
        source: SourceArgs,
    },
}

/// `--runtime`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Runtime {
    PerCore,
    WorkStealing,
}

#[derive(Args)]
struct SourceArgs {
    /// Native YAML configuration file.
    #[arg(long, conflicts_with_all = ["openapi", "template"])]
    config: Option<PathBuf>,
    /// AWS OpenAPI 3 / Swagger 2 export (repeatable).
    #[arg(long, required_unless_present_any = ["config", "template"], conflicts_with = "template")]
    openapi: Vec<PathBuf>,
    /// A SAM or CloudFormation template: its functions run as local
    /// processes, its APIs are served.
    #[arg(long)]
    template: Option<PathBuf>,
    /// Template parameter values, as `sam` takes them: `Key=Value` or
    /// `ParameterKey=Key,ParameterValue=Value`, several per argument
    /// separated by spaces; also the exports `Fn::ImportValue` reads.
    #[arg(long = "parameter-overrides", num_args = 1.., value_name = "KEY=VALUE", requires = "template")]
    parameter_overrides: Vec<String>,
    /// Environment variables for the template's functions: SAM's JSON
    /// (`{"Parameters": {...}, "FunctionLogicalId": {...}}`).
    #[arg(long = "env-vars", value_name = "FILE", requires = "template")]
    env_vars: Option<PathBuf>,
    /// How a runtime's functions start, RUNTIME=COMMAND (repeatable): RUNTIME
    /// is a runtime (`python3.12`) or its family (`python`, `nodejs`,
    /// `provided`, `java`); the function's handler is added to COMMAND.
    #[arg(long = "runtime-command", value_parser = parse_key_value, value_name = "RUNTIME=COMMAND", requires = "template")]
    runtime_commands: Vec<(String, String)>,
    /// Reload when the template, a file it reads (includes, definitions,
    /// --env-vars) or a function's code changes; functions whose code
    /// changed start new processes, requests in flight finish on the old.
    #[arg(long, requires = "template")]
    watch: bool,
    /// Listen address (default 127.0.0.1:3000).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Serve under this stage name (`/{stage}/...`); default: at the root.
    #[arg(long)]
    stage: Option<String>,
    /// Stage variable KEY=VALUE (repeatable).
    #[arg(long = "stage-variable", value_parser = parse_key_value)]
    stage_variables: Vec<(String, String)>,
    /// API type, when not detected from the definition.
    #[arg(long, value_enum)]
    api_type: Option<ApiTypeArg>,
    /// API id, when not taken from the definition.
    #[arg(long)]
    api_id: Option<String>,
    /// A local Lambda function NAME=COMMAND (repeatable): integrations whose
    /// URI names the function NAME run COMMAND, split into words as a shell
    /// splits them and run without a shell.
    #[arg(long = "function", value_parser = parse_key_value, value_name = "NAME=COMMAND")]
    functions: Vec<(String, String)>,
    /// A local URL standing in for a VPC link ID=URL (repeatable): private
    /// integrations through link ID send their requests to URL.
    #[arg(long = "vpc-link", value_parser = parse_key_value, value_name = "ID=URL")]
    vpc_links: Vec<(String, String)>,
    /// Where a JWT issuer's keys are served locally, ISSUER=URL, or a Cognito
    /// user pool's, POOL_ID=URL (repeatable): JWT and Cognito authorizers
    /// fetch that JWKS instead of discovering it from the issuer.
    #[arg(long = "jwks", value_parser = parse_key_value, value_name = "ISSUER=URL")]
    jwks: Vec<(String, String)>,
    /// An API key (id `cli`) accepted on every stage of every REST API, in a
    /// usage plan without limits: for methods with `apiKeyRequired`. Config
    /// files declare keys and usage plans with limits under `api_keys` and `usage_plans`.
    #[arg(long = "api-key", value_name = "VALUE")]
    api_key: Option<String>,
    /// Log every request of every stage without an access log of its own to
    /// standard output, in this format: AWS's `$context` variables in any
    /// text, or a preset: CLF, JSON, XML, CSV.
    #[arg(long = "access-log", value_name = "FORMAT")]
    access_log: Option<String>,
    /// The region `${AWS::Region}` resolves to in definitions (default us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// The account id `${AWS::AccountId}` resolves to (default 000000000000).
    #[arg(long)]
    account_id: Option<String>,
    /// Treat every warning (what is served differently from AWS) as an error.
    #[arg(long)]
    strict: bool,
    /// The admin listener's address, loopback only (health, readiness,
    /// metrics, reload, usage). Default: 127.0.0.1, the first listener's port + 1.
    #[arg(long, value_name = "ADDR", conflicts_with = "no_admin")]
    admin: Option<SocketAddr>,
    /// Turn the admin listener off.
    #[arg(long)]
    no_admin: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ApiTypeArg {
    Rest,
    Http,
}

/// `--parameter-overrides` values: `K=V` or `ParameterKey=K,ParameterValue=V`,
/// several separated by spaces (quoted as a shell quotes).
fn parameter_overrides(values: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for value in values {
        let words = shlex::split(value)
            .ok_or_else(|| format!("cannot split {value:?}: a quote is not closed"))?;
        for word in words {
            let pair = match word.strip_prefix("ParameterKey=") {
                Some(rest) => rest
                    .split_once(",ParameterValue=")
                    .map(|(k, v)| (k.to_owned(), v.to_owned())),
                None => word
                    .split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned())),
            };
            out.push(pair.ok_or_else(|| {
                format!("expected KEY=VALUE or ParameterKey=KEY,ParameterValue=VALUE, got {word:?}")
            })?);
        }
    }
    Ok(out)
}

fn parse_key_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {text:?}"))
}

impl SourceArgs {
    fn split(self) -> Result<(Source, Overrides), String> {
        let source = match (self.config, self.template) {
            (Some(file), _) => Source::Config(file),
            (None, Some(path)) => Source::Template(TemplateSource {
                path,
                parameter_overrides: parameter_overrides(&self.parameter_overrides)?,
                env_vars: self.env_vars,
                runtime_commands: self.runtime_commands,
            }),
            (None, None) => Source::OpenApi(self.openapi),
        };
        let overrides = Overrides {
            listen: self.listen,
            stage: self.stage,
            stage_variables: self.stage_variables,
            api_type: self.api_type.map(|t| match t {
                ApiTypeArg::Rest => ApiType::Rest,
                ApiTypeArg::Http => ApiType::Http,
            }),
            api_id: self.api_id,
            functions: self.functions,
            vpc_links: self.vpc_links,
            jwks: self.jwks,
            api_key: self.api_key,
            access_log: self.access_log,
            region: self.region,
            account_id: self.account_id,
            strict: self.strict,
            watch: self.watch,
            admin: match (self.admin, self.no_admin) {
                (_, true) => Some(AdminFlag::Off),
                (Some(address), false) => Some(AdminFlag::At(address)),
                (None, false) => None,
            },
        };
        Ok((source, overrides))
    }

    /// [`split`](Self::split), or `None` once the error is printed.
    fn split_or_report(self) -> Option<(Source, Overrides)> {
        self.split()
            .map_err(|error| eprintln!("portcullis: --parameter-overrides: {error}"))
            .ok()
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve {
            source,
            workers,
            runtime,
            log_json,
        } => {
            let Some((source, overrides)) = source.split_or_report() else {
                return ExitCode::from(2);
            };
            let workers = workers
                .and_then(|n| NonZeroUsize::new(n.max(1)))
                .or_else(|| std::thread::available_parallelism().ok())
                .unwrap_or(NonZeroUsize::MIN);
            let (mut runtime, threading) = match runtime {
                Runtime::PerCore => (
                    tokio::runtime::Builder::new_current_thread(),
                    Threading::PerCore { cores: workers },
                ),
                Runtime::WorkStealing => {
                    let mut builder = tokio::runtime::Builder::new_multi_thread();
                    builder.worker_threads(workers.get());
                    (builder, Threading::WorkStealing)
                }
            };
            runtime.enable_all();
            // Installed once the configuration has loaded: it says where spans go.
            let logging = if log_json {
                app::Logging::Json
            } else {
                app::Logging::Text
            };
            let runtime = match runtime.build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    eprintln!("portcullis: cannot start the runtime: {error}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(app::serve(source, overrides, logging, threading)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("portcullis: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Validate { source } => {
            let Some((source, overrides)) = source.split_or_report() else {
                return ExitCode::from(2);
            };
            let outcome = app::check(&source, &overrides);
            let report = app::validation_report(&outcome);
            if outcome.is_ok() {
                print!("{report}");
                ExitCode::SUCCESS
            } else {
                eprint!("{report}");
                ExitCode::FAILURE
            }
        }
        Command::Routes { source } => {
            let Some((source, overrides)) = source.split_or_report() else {
                return ExitCode::from(2);
            };
            match app::check(&source, &overrides) {
                Ok((config, _)) => {
                    print!("{}", app::route_table(&config));
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("{error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
