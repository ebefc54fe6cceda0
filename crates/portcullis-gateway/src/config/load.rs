//! Loading a whole gateway configuration from its source: a native config
//! file, or OpenAPI files named on the command line.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::access_log;
use super::admin::{self, AdminFlag};
use super::aws_variables::AwsVariables;
use super::deploy::{self, Site, StageInput};
use super::domains;
use super::error::ConfigError;
use super::functions;
use super::iam;
use super::jwt;
use super::limits;
use super::model::{
    Api, ApiType, DEFAULT_NAME, GatewayConfig, Listener, ReloadSettings, UpstreamSettings,
};
use super::native::{self, ApiEntry, NativeFile};
use super::openapi::{id_from_file_stem, import_openapi, is_api_id};
use super::problems::{COMMAND_LINE, Problems, child, item};
use super::resource_policy;
use super::settings::{self, Base};
use super::stage;
use super::vpc_links::{self, VpcLinks};

/// Where the configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A native YAML config file (`--config FILE`).
    Config(PathBuf),
    /// OpenAPI definitions, one API each (`--openapi FILE...`).
    OpenApi(Vec<PathBuf>),
    /// A SAM or CloudFormation template (`--template FILE`).
    Template(TemplateSource),
}

/// A SAM or CloudFormation template and what `sam local` takes beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateSource {
    /// The template (YAML with CloudFormation's short tags, or JSON).
    pub path: PathBuf,
    /// `--parameter-overrides`: parameter values (and `Fn::ImportValue`
    /// exports), by name.
    pub parameter_overrides: Vec<(String, String)>,
    /// `--env-vars`: SAM's JSON of environment variables.
    pub env_vars: Option<PathBuf>,
    /// `--runtime-command RUNTIME=COMMAND`: how a runtime's functions start.
    pub runtime_commands: Vec<(String, String)>,
}

/// Command-line settings that override or complete the source.
///
/// `listen` applies to both sources; the others only to [`Source::OpenApi`]
/// (a config file sets stages, types and ids itself).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--listen`: replaces every configured listener.
    pub listen: Option<SocketAddr>,
    /// `--stage`: the one stage to serve, at `/{stage}/...` (default `$default`, at the root).
    pub stage: Option<String>,
    /// `--stage-variable K=V`, in order.
    pub stage_variables: Vec<(String, String)>,
    /// `--api-type`: read the definitions as this API type.
    pub api_type: Option<ApiType>,
    /// `--api-id`: the API id (one OpenAPI file only).
    pub api_id: Option<String>,
    /// `--function NAME=COMMAND`, in order: local functions; they replace
    /// config-file functions of the same name.
    pub functions: Vec<(String, String)>,
    /// `--vpc-link ID=URL`, in order: local URLs for VPC links; they replace
    /// config-file links of the same id.
    pub vpc_links: Vec<(String, String)>,
    /// `--region`: what `${AWS::Region}` resolves to (default `us-east-1`).
    pub region: Option<String>,
    /// `--account-id`: what `${AWS::AccountId}` resolves to (default `000000000000`).
    pub account_id: Option<String>,
    /// `--jwks ISSUER=URL` or `--jwks POOL_ID=URL`, in order: where an
    /// issuer's (or a Cognito user pool's) keys are served locally.
    pub jwks: Vec<(String, String)>,
    /// `--api-key VALUE`: a key (id `cli`) in a plan without limits covering
    /// every stage of every REST API.
    pub api_key: Option<String>,
    /// `--access-log FORMAT`: stages without an access log of their own log
    /// each request to standard output in this format (or preset).
    pub access_log: Option<String>,
    /// `--strict`: every warning is an error.
    pub strict: bool,
    /// `--watch` (templates): reload when the template, a file it reads or
    /// a function's code changes.
    pub watch: bool,
    /// `--admin ADDR` or `--no-admin`: where the admin listener listens, or
    /// that it is off (replacing the file's `admin`).
    pub admin: Option<AdminFlag>,
}

/// Loads and checks a configuration.
///
/// Every file read is listed in [`GatewayConfig::files`]; what is served
/// differently from AWS in [`GatewayConfig::warnings`]. Never panics on any
/// input.
///
/// # Errors
/// Every problem found, across all files, each naming its file and location;
/// with [`Overrides::strict`], every warning too.
pub fn load(source: &Source, overrides: &Overrides) -> Result<GatewayConfig, ConfigError> {
    let mut problems = Problems::new();
    let mut config = match source {
        Source::Config(path) => from_config_file(path, overrides, &mut problems),
        Source::OpenApi(paths) => from_openapi_files(paths, overrides, &mut problems),
        Source::Template(template) => {
            super::template::load::from_template(template, overrides, &mut problems)
        }
    };
    if let Some(address) = overrides.listen {
        config.listeners = vec![Listener { address, tls: None }];
    }
    config.admin = admin::resolve(
        config.admin,
        overrides.admin,
        &config.listeners,
        &mut problems,
    );
    functions::from_flags(&overrides.functions, &mut problems, &mut config.functions);
    jwt::from_flags(&overrides.jwks, &mut problems, &mut config.jwt);
    if let Some(format) = &overrides.access_log {
        access_log::from_flag(format, &mut config.apis, &mut problems);
    }
    // A template's usage plans took the key already (each plan gets it).
    let taken = matches!(source, Source::Template(_)) && !config.usage_plans.is_empty();
    if let Some(value) = overrides.api_key.as_ref().filter(|_| !taken) {
        limits::from_flag(
            value,
            &config.apis,
            &mut config.api_keys,
            &mut config.usage_plans,
            &mut problems,
        );
    }
    for api in &config.apis {
        functions::warn_unconfigured(api, &config.functions, &mut problems);
        super::credentials::warn_unhonoured(api, &config.aws, &mut problems);
    }
    if overrides.strict {
        problems.make_warnings_errors();
    }
    problems.finish(config).map(|checked| GatewayConfig {
        warnings: checked.warnings,
        ..checked.value
    })
}

/// A configuration with every default and nothing to serve.
pub(super) fn empty_config() -> GatewayConfig {
    GatewayConfig {
        apis: Vec::new(),
        listeners: settings::default_listeners(),
        domains: Vec::new(),
        reload: ReloadSettings {
            watch: false,
            debounce: Duration::from_millis(native::default_debounce_ms()),
        },
        shutdown_grace: Duration::from_secs(native::default_grace_seconds()),
        upstream: UpstreamSettings::default(),
        functions: BTreeMap::new(),
        aws: AwsVariables::default().account(),
        iam: Default::default(),
        jwt: Default::default(),
        api_keys: Vec::new(),
        usage_plans: Vec::new(),
        throttling: Default::default(),
        redis: None,
        caching: Default::default(),
        admin: Some(super::model::AdminSettings::DEFAULT),
        tracing: Default::default(),
        files: Vec::new(),
        warnings: Vec::new(),
    }
}

pub(super) fn read(path: &Path, problems: &mut Problems, file: &Path, at: &str) -> Option<String> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                problems.at(path, "", "the file is not UTF-8 text");
                None
            }
        },
        Err(error) => {
            problems.at(
                file,
                at,
                format!("cannot read `{}`: {error}", path.display()),
            );
            None
        }
    }
}

// ===== --openapi =====

fn from_openapi_files(
    paths: &[PathBuf],
    overrides: &Overrides,
    problems: &mut Problems,
) -> GatewayConfig {
    let mut config = empty_config();
    if paths.is_empty() {
        problems.flag("--openapi", "no OpenAPI file given");
    }
    if let Some(id) = &overrides.api_id {
        if paths.len() > 1 {
            problems.flag("--api-id", format!("--api-id names one API, but {} OpenAPI files are given; use a config file to set each id", paths.len()));
        }
        if !is_api_id(id) {
            problems.flag(
                "--api-id",
                format!("`{id}` is not an API id (letters, digits, `_` and `-`)"),
            );
        }
    }
    let name = overrides.stage.as_deref().unwrap_or(DEFAULT_NAME);
    let input = StageInput {
        name,
        variables: overrides
            .stage_variables
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str(), format!("--stage-variable {k}")))
            .collect(),
        site: Site {
            file: PathBuf::from(COMMAND_LINE),
            location: if overrides.stage.is_some() {
                "--stage"
            } else {
                "--stage-variable"
            }
            .to_owned(),
        },
        name_at: "--stage".to_owned(),
    };
    let stages = deploy::stages(vec![input], problems);
    let env = import_env(None, overrides, problems);
    config.aws = env.variables.account();
    let mut ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in paths {
        config.files.push(path.clone());
        let Some(text) = read(path, problems, path, "") else {
            continue;
        };
        let text = env.variables.substitute(&text);
        let mut api = match import_openapi(&text, path, overrides.api_type) {
            Ok(imported) => {
                problems.extend_warnings(imported.warnings);
                imported.api
            }
            Err(error) => {
                problems.extend(error);
                continue;
            }
        };
        if let Some(id) = &overrides.api_id {
            api.id = id.clone();
        }
        if let Some(first) = ids.insert(api.id.clone(), path.clone()) {
            problems.at(
                path,
                "",
                format!(
                    "API id `{}` is also the id of {}; give each API its own id in a config file",
                    api.id,
                    first.display()
                ),
            );
        }
        deploy_stages(&mut api, &stages, &env.vpc_links, problems);
        resource_policy::check(&mut api, &env.variables, problems);
        config.apis.push(api);
    }
    config
}

/// Sets one AWS variable, or says why the value cannot be it.
type Setter = fn(&mut AwsVariables, &str) -> Result<(), String>;

/// What imports depend on besides the definition: AWS variables and VPC links.
pub(crate) struct ImportEnv {
    pub(crate) variables: AwsVariables,
    pub(crate) vpc_links: VpcLinks,
}

/// The import environment from the config file (`file`, when there is one)
/// and the command line, which wins.
pub(super) fn import_env(
    file: Option<(&NativeFile, &Path)>,
    overrides: &Overrides,
    problems: &mut Problems,
) -> ImportEnv {
    // The command line's links come last: they replace the file's of the same id.
    let mut vpc_links = VpcLinks::new();
    let from_file = file.into_iter().flat_map(|(native, path)| {
        native
            .vpc_links
            .iter()
            .map(move |(id, url)| (id, url, Some(path)))
    });
    let from_flags = overrides.vpc_links.iter().map(|(id, url)| (id, url, None));
    for (id, url, written_in) in from_file.chain(from_flags) {
        match (
            stage::check_http_uri(url, Some(&BTreeMap::new())),
            written_in,
        ) {
            (Ok(()), _) => {
                vpc_links.insert(id.clone(), url.clone());
            }
            (Err(message), Some(path)) => problems.at(path, child("vpc_links", id), message),
            (Err(message), None) => problems.flag("--vpc-link", format!("{id}: {message}")),
        }
    }
    // Each value from the command line, else the file; reported where it was written.
    let mut variables = AwsVariables::default();
    let aws = file.map(|(native, path)| (&native.aws, path));
    let settings: [(_, _, _, Setter); 2] = [
        (
            &overrides.region,
            aws.and_then(|(a, _)| a.region.as_ref()),
            ("--region", "aws.region"),
            AwsVariables::set_region,
        ),
        (
            &overrides.account_id,
            aws.and_then(|(a, _)| a.account_id.as_ref()),
            ("--account-id", "aws.account_id"),
            AwsVariables::set_account_id,
        ),
    ];
    for (flag_value, file_value, (flag, key), set) in settings {
        if let Some(value) = flag_value
            && let Err(message) = set(&mut variables, value)
        {
            problems.flag(flag, message);
        } else if flag_value.is_none()
            && let (Some(value), Some((_, path))) = (file_value, aws)
            && let Err(message) = set(&mut variables, value)
        {
            problems.at(path, key, message);
        }
    }
    ImportEnv {
        variables,
        vpc_links,
    }
}

/// Gives `api` its stages, resolves its VPC links against them, then checks
/// its integration URIs with each stage's variables.
pub(super) fn deploy_stages(
    api: &mut Api,
    stages: &[(super::model::Stage, Site)],
    links: &VpcLinks,
    problems: &mut Problems,
) {
    api.stages = stages.iter().map(|(stage, _)| stage.clone()).collect();
    vpc_links::resolve(api, links, problems);
    let sites: Vec<Site> = stages.iter().map(|(_, site)| site.clone()).collect();
    deploy::check_uri_variables(api, &sites, problems);
}

// ===== --config =====

fn from_config_file(path: &Path, overrides: &Overrides, problems: &mut Problems) -> GatewayConfig {
    let mut config = empty_config();
    config.files.push(path.to_path_buf());
    let flags = [
        ("--stage", overrides.stage.is_some()),
        ("--stage-variable", !overrides.stage_variables.is_empty()),
        ("--api-type", overrides.api_type.is_some()),
        ("--api-id", overrides.api_id.is_some()),
    ];
    for (flag, given) in flags {
        if given {
            problems.flag(
                flag,
                format!(
                    "{flag} applies to --openapi only; set stages, types and ids in the config file"
                ),
            );
        }
    }
    let Some(text) = read(path, problems, path, "") else {
        return config;
    };
    let file = match native::parse(&text, path) {
        Ok(file) => file,
        Err(problem) => {
            problems.push(problem);
            return config;
        }
    };
    // `gateway.yaml` has the parent "": files beside it stay plain relative paths.
    let dir = path.parent().unwrap_or(Path::new(""));
    let base = Base { file: path, dir };
    let env = import_env(Some((&file, path)), overrides, problems);
    config.listeners = settings::listeners(file.listeners, &base, problems, &mut config.files);
    if file.apis.is_empty() && file.template.is_none() {
        problems.at(
            path,
            "apis",
            "no APIs; add an entry with `openapi: FILE`, or a `template`",
        );
    }
    let mut failed = HashSet::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for (i, entry) in file.apis.iter().enumerate() {
        let at = item("apis", i);
        match api_from_entry(entry, &at, &base, &env, problems, &mut config.files) {
            Some(api) => {
                let id_at = if entry.id.is_some() {
                    child(&at, "id")
                } else {
                    child(&at, "openapi")
                };
                if let Some(first) = ids.insert(api.id.clone(), at.clone()) {
                    problems.at(
                        path,
                        id_at,
                        format!(
                            "API id `{}` is also the id of {first}; set `id` to tell them apart",
                            api.id
                        ),
                    );
                }
                config.apis.push(api);
            }
            None => {
                failed.insert(
                    entry
                        .id
                        .clone()
                        .unwrap_or_else(|| id_from_file_stem(Path::new(&entry.openapi))),
                );
            }
        }
    }
    let template = file.template.as_ref().map(|entry| {
        let source = TemplateSource {
            path: base.resolve(&entry.path),
            parameter_overrides: entry
                .parameter_overrides
                .iter()
                .map(|(k, v)| (k.clone(), v.0.clone()))
                .collect(),
            env_vars: entry.env_vars.as_deref().map(|p| base.resolve(p)),
            runtime_commands: entry
                .runtime_commands
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        // `--api-key` joins the file's key handling (a plan of its own).
        super::template::load::read_template(&source, &env, None, problems)
    });
    if let Some(parts) = &template {
        for api in &parts.apis {
            if let Some(first) = ids.insert(api.id.clone(), "template".to_owned()) {
                problems.at(
                    path,
                    "template",
                    format!(
                        "the template's API `{}` has the id of {first}; set that entry's `id` to tell them apart",
                        api.id
                    ),
                );
            }
        }
        config.apis.extend(parts.apis.iter().cloned());
        config.files.extend(parts.files.iter().cloned());
    }
    // Ids of loaded APIs are known; a failed one could have had any id.
    if !failed.is_empty() {
        failed.extend(
            file.domains
                .iter()
                .flat_map(|d| d.mappings.iter().map(|m| m.api.clone()))
                .filter(|id| !ids.contains_key(id)),
        );
    }
    config.domains = domains::domains(file.domains, &config.apis, &failed, path, problems);
    config.upstream = settings::upstream(file.upstream, &base, problems, &mut config.files);
    config.reload = settings::reload(file.reload, &base, problems);
    config.shutdown_grace = settings::shutdown_grace(file.shutdown, &base, problems);
    config.functions = functions::from_file(file.functions, &base, problems);
    if let Some(parts) = &template {
        for (name, function) in &parts.functions {
            if config.functions.contains_key(name) {
                problems.at(
                    path,
                    child("functions", name),
                    format!("the template defines function `{name}` too; rename one of them"),
                );
            } else {
                config.functions.insert(name.clone(), function.clone());
            }
        }
        if config.reload.watch {
            config.files.extend(parts.code_files.iter().cloned());
        }
    }
    config.jwt = jwt::from_file(file.jwt, &base, problems);
    config.iam = iam::from_file(file.iam, &base, problems);
    config.api_keys = limits::api_keys(file.api_keys, &base, problems);
    config.usage_plans = limits::usage_plans(
        file.usage_plans,
        &config.api_keys,
        &config.apis,
        &base,
        problems,
    );
    if let Some(parts) = template {
        for key in parts.api_keys {
            if config
                .api_keys
                .iter()
                .any(|k| k.id == key.id || k.value == key.value)
            {
                problems.at(
                    path,
                    "api_keys",
                    format!(
                        "the template's API key `{}` has the id or value of a key here",
                        key.id
                    ),
                );
            } else {
                config.api_keys.push(key);
            }
        }
        for plan in parts.usage_plans {
            if config.usage_plans.iter().any(|p| p.id == plan.id) {
                problems.at(
                    path,
                    "usage_plans",
                    format!(
                        "the template's usage plan `{}` has the id of a plan here",
                        plan.id
                    ),
                );
            } else {
                config.usage_plans.push(plan);
            }
        }
    }
    config.throttling = limits::throttling(file.throttling, &base, problems);
    config.redis = file.redis.and_then(|r| limits::redis(r, &base, problems));
    config.caching = super::caching::caching(file.caching, config.redis.is_some(), &base, problems);
    super::caching::warn_encrypted_in_memory(&config.apis, &config.caching, &base, problems);
    config.admin = admin::from_file(file.admin, path, problems);
    if let Some(entry) = &file.access_log {
        for api in &mut config.apis {
            let settings =
                access_log::from_entry(entry, api.api_type, "access_log", &base, problems);
            for stage in api.stages.iter_mut().filter(|s| s.access_log.is_none()) {
                stage.access_log.clone_from(&settings);
            }
        }
    }
    config.tracing = super::telemetry::from_file(file.tracing, &base, problems);
    config.aws = env.variables.account();
    config.aws.endpoints = super::aws_variables::endpoints(&file.aws.endpoints, &base, problems);
    config.aws.assume_roles = file.aws.assume_roles;
    config
}

fn api_from_entry(
    entry: &ApiEntry,
    at: &str,
    base: &Base<'_>,
    env: &ImportEnv,
    problems: &mut Problems,
    files: &mut Vec<PathBuf>,
) -> Option<Api> {
    let openapi_at = child(at, "openapi");
    if entry.openapi.is_empty() {
        problems.at(base.file, &openapi_at, "the OpenAPI file path is empty");
        return None;
    }
    if let Some(id) = &entry.id
        && !is_api_id(id)
    {
        problems.at(
            base.file,
            child(at, "id"),
            format!("`{id}` is not an API id (letters, digits, `_` and `-`)"),
        );
    }
    let stage_inputs: Vec<StageInput<'_>> = match &entry.stages {
        None => vec![StageInput {
            name: DEFAULT_NAME,
            variables: Vec::new(),
            site: Site {
                file: base.file.to_path_buf(),
                location: at.to_owned(),
            },
            name_at: at.to_owned(),
        }],
        Some(list) => {
            if list.is_empty() {
                problems.at(
                    base.file,
                    child(at, "stages"),
                    "no stages; leave `stages` out for one $default stage",
                );
            }
            list.iter()
                .enumerate()
                .map(|(j, stage)| {
                    let stage_at = item(&child(at, "stages"), j);
                    let variables_at = child(&stage_at, "variables");
                    StageInput {
                        name: &stage.name,
                        variables: stage
                            .variables
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.0.as_str(), child(&variables_at, k)))
                            .collect(),
                        site: Site {
                            file: base.file.to_path_buf(),
                            location: stage_at.clone(),
                        },
                        name_at: child(&stage_at, "name"),
                    }
                })
                .collect()
        }
    };
    let stages = deploy::stages(stage_inputs, problems);
    let openapi_path = base.resolve(&entry.openapi);
    files.push(openapi_path.clone());
    let text = read(&openapi_path, problems, base.file, &openapi_at)?;
    let text = env.variables.substitute(&text);
    let mut api = match import_openapi(&text, &openapi_path, entry.api_type.map(ApiType::from)) {
        Ok(imported) => {
            problems.extend_warnings(imported.warnings);
            imported.api
        }
        Err(error) => {
            problems.extend(error);
            return None;
        }
    };
    if let Some(id) = &entry.id {
        api.id = id.clone();
    }
    deploy_stages(&mut api, &stages, &env.vpc_links, problems);
    if let Some(list) = &entry.stages {
        for (j, stage) in list.iter().enumerate() {
            let stage_at = item(&child(at, "stages"), j);
            apply_stage_settings(&mut api, stage, &stage_at, base, problems);
        }
    }
    resource_policy::check(&mut api, &env.variables, problems);
    Some(api)
}

/// A stage's throttles, access log and cache, checked against its API and
/// set on the deployed stage of that name.
pub(crate) fn apply_stage_settings(
    api: &mut Api,
    stage: &native::StageEntry,
    stage_at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) {
    let throttling = limits::stage_throttling(stage, api, stage_at, base, problems);
    let access_log = stage.access_log.as_ref().and_then(|entry| {
        access_log::from_entry(
            entry,
            api.api_type,
            &child(stage_at, "access_log"),
            base,
            problems,
        )
    });
    let cache = stage.cache.as_ref().and_then(|entry| {
        super::caching::stage_caching(entry, api, &child(stage_at, "cache"), base, problems)
    });
    if let Some(deployed) = api.stages.iter_mut().find(|s| s.name == stage.name) {
        deployed.throttling = throttling;
        deployed.access_log = access_log;
        deployed.cache = cache;
    }
}
