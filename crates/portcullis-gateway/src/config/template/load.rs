//! `--template`: a SAM or CloudFormation template read into a gateway
//! configuration: parsed, its intrinsics resolved with the parameter
//! overrides, translated (functions and APIs), and each API's definition
//! imported as an OpenAPI file is, with its stage.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::intrinsics::{self, Inputs};
use super::sam::{self, EnvVars};
use super::yaml;
use crate::config::deploy::{self, Site, StageInput};
use crate::config::error::{ConfigError, Problem};
use crate::config::load::{
    ImportEnv, TemplateSource, apply_stage_settings, deploy_stages, empty_config, import_env, read,
};
use crate::config::model::{Api, ApiKey, FunctionConfig, GatewayConfig, UsagePlan};
use crate::config::openapi::import_tree;
use crate::config::problems::{Problems, child};
use crate::config::settings::Base;
use crate::config::{Overrides, resource_policy};

/// The transform that makes a template a SAM template.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// Reads the template `source` names, as the whole configuration
/// (`--template`).
pub(crate) fn from_template(
    source: &TemplateSource,
    overrides: &Overrides,
    problems: &mut Problems,
) -> GatewayConfig {
    let mut config = empty_config();
    let env = import_env(None, overrides, problems);
    config.aws = env.variables.account();
    let parts = read_template(source, &env, overrides.api_key.as_deref(), problems);
    config.files.extend(parts.files);
    if overrides.watch {
        config.reload.watch = true;
        config.files.extend(parts.code_files);
    }
    config.functions = parts.functions;
    config.apis = parts.apis;
    config.api_keys = parts.api_keys;
    config.usage_plans = parts.usage_plans;
    crate::config::caching::warn_encrypted_in_memory(
        &config.apis,
        &config.caching,
        &Base {
            file: &source.path,
            dir: template_dir(&source.path),
        },
        problems,
    );
    config
}

/// What a template adds to a configuration: its APIs (imported, with their
/// stages), functions, usage plans and keys, and the files it read.
#[derive(Debug, Default)]
pub(crate) struct TemplateParts {
    pub(crate) apis: Vec<Api>,
    pub(crate) functions: BTreeMap<String, FunctionConfig>,
    pub(crate) api_keys: Vec<ApiKey>,
    pub(crate) usage_plans: Vec<UsagePlan>,
    /// The template and the files it reads (includes, definitions, env vars).
    pub(crate) files: Vec<PathBuf>,
    /// The functions' code files, which `--watch` also watches.
    pub(crate) code_files: Vec<PathBuf>,
}

/// The template's directory: `CodeUri`, includes and definitions are
/// relative to it.
fn template_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Reads, resolves and translates the template `source` names. With
/// `flag_key` (`--api-key`), that key joins every usage plan the template
/// defines.
pub(crate) fn read_template(
    source: &TemplateSource,
    env: &ImportEnv,
    flag_key: Option<&str>,
    problems: &mut Problems,
) -> TemplateParts {
    let mut out = TemplateParts::default();
    let aws = env.variables.account();
    let path = &source.path;
    out.files.push(path.clone());
    let Some(text) = read(path, problems, path, "") else {
        return out;
    };
    let root = match yaml::parse(&text) {
        Ok(root) => root,
        Err(error) => {
            problems.at(
                path,
                error.location,
                format!("not valid JSON or YAML: {}", error.message),
            );
            return out;
        }
    };
    check_transform(&root, path, problems);
    let dir = template_dir(path);
    let stack_name = stack_name(dir);
    let values: BTreeMap<String, String> = source.parameter_overrides.iter().cloned().collect();
    let unused = |location: &str| sam::unused_at(&root, location);
    let inputs = Inputs {
        overrides: &values,
        imports: &values,
        region: &aws.region,
        account_id: &aws.account_id,
        stack_name: &stack_name,
        base_dir: dir,
        // What fails to resolve where Portcullis looks no further (an
        // AppSync API, a function's file system) cannot change what it serves.
        unused: Some(&unused),
    };
    let resolved = match intrinsics::resolve(&root, &inputs) {
        Ok(resolved) => resolved,
        Err(errors) => {
            for error in errors {
                problems.at(path, error.location, error.message);
            }
            return out;
        }
    };
    for (location, message) in &resolved.warnings {
        problems.warn(path, location, message.clone());
    }
    out.files.extend(resolved.included.iter().cloned());
    let env_vars = match &source.env_vars {
        None => EnvVars::default(),
        Some(file) => {
            out.files.push(file.clone());
            read(file, problems, file, "")
                .and_then(|text| match EnvVars::parse(&text) {
                    Ok(vars) => Some(vars),
                    Err(message) => {
                        problems.at(file, "", format!("not SAM's env-vars JSON: {message}"));
                        None
                    }
                })
                .unwrap_or_default()
        }
    };
    let setup = sam::Setup {
        file: path,
        dir,
        stack_name: &stack_name,
        region: &aws.region,
        account_id: &aws.account_id,
        partition: env.variables.partition(),
        runtime_commands: &source.runtime_commands,
        env_vars: &env_vars,
    };
    let translated = sam::translate(
        &resolved.resources,
        resolved.globals.as_ref(),
        &setup,
        problems,
    );
    out.functions = translated.functions;
    out.code_files = translated.code_files;
    let mut plans = translated.plans;
    if let Some(value) = flag_key.filter(|_| !plans.plans.is_empty()) {
        sam::add_flag_key(&mut plans, value);
    }
    let base = Base { file: path, dir };
    for mut definition in translated.apis {
        with_title(&mut definition.document, &definition.logical_id);
        let imported = import_tree(&definition.document, path, Some(definition.api_type));
        let mut api = match imported {
            Ok(imported) => {
                problems.extend_warnings(placed(imported.warnings, &definition.document_at));
                imported.api
            }
            Err(error) => {
                problems.extend(ConfigError {
                    problems: placed(error.problems, &definition.document_at),
                    warnings: placed(error.warnings, &definition.document_at),
                });
                continue;
            }
        };
        // Ids are host name labels (`{id}.execute-api...`): lower case, as AWS's are.
        api.id = definition.logical_id.to_ascii_lowercase();
        let inputs = definition
            .stages
            .iter()
            .map(|stage| StageInput {
                name: &stage.name,
                variables: stage
                    .variables
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str(),
                            v.as_str(),
                            child(&child(&stage.at, "Variables"), k),
                        )
                    })
                    .collect(),
                site: Site {
                    file: path.clone(),
                    location: stage.at.clone(),
                },
                name_at: child(&stage.at, "StageName"),
            })
            .collect();
        let stages = deploy::stages(inputs, problems);
        deploy_stages(&mut api, &stages, &env.vpc_links, problems);
        for stage in &definition.stages {
            let entry = stage.settings.entry(&stage.name, &api, path, problems);
            apply_stage_settings(&mut api, &entry, &stage.at, &base, problems);
        }
        resource_policy::check(&mut api, &env.variables, problems);
        out.apis.push(api);
    }
    for plan in &plans.plans {
        for stage in &plan.api_stages {
            let known = out.apis.iter().any(|api| {
                api.id == stage.api_id && api.stages.iter().any(|s| s.name == stage.stage)
            });
            if !known {
                problems.at(
                    path,
                    format!("Resources.{}", plan.id),
                    format!("usage plan {} names API `{}` stage `{}`, which this template does not serve", plan.id, stage.api_id, stage.stage),
                );
            }
        }
    }
    out.api_keys = plans.keys;
    out.usage_plans = plans.plans;
    out
}

/// A definition without `info.title` gets the API's logical id as its
/// title: a template's API is named by its resource (and its `Name`), so
/// AWS deploys bodies without one.
fn with_title(document: &mut super::super::openapi::tree::Node, logical_id: &str) {
    use super::super::openapi::tree::Node;
    if document
        .get("info")
        .and_then(|info| info.get("title"))
        .is_some()
    {
        return;
    }
    let Node::Map(top) = document else { return };
    let title = ("title".to_owned(), Node::Str(logical_id.to_owned()));
    match top.iter_mut().find(|(k, _)| k == "info") {
        Some((_, Node::Map(info))) => info.push(title),
        Some((_, other)) => *other = Node::Map(vec![title]),
        None => top.push((
            "info".to_owned(),
            Node::Map(vec![
                title,
                ("version".to_owned(), Node::Str("1.0".to_owned())),
            ]),
        )),
    }
}

/// Problems found in a definition, placed inside the template resource it
/// came from (`Resources.MyApi.Properties.DefinitionBody.paths./x.get...`).
fn placed(problems: Vec<Problem>, document_at: &str) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|mut problem| {
            problem.location = if problem.location.is_empty() {
                document_at.to_owned()
            } else {
                format!("{document_at}.{}", problem.location)
            };
            problem
        })
        .collect()
}

/// A template with SAM resources needs SAM's transform, as CloudFormation
/// refuses them without it.
fn check_transform(root: &super::super::openapi::tree::Node, path: &Path, problems: &mut Problems) {
    use super::super::openapi::tree::Node;
    let declared = match root.get("Transform") {
        Some(Node::Str(name)) => name == SAM_TRANSFORM,
        Some(Node::Seq(names)) => names.iter().any(|n| n.as_str() == Some(SAM_TRANSFORM)),
        _ => false,
    };
    let serverless = root
        .get("Resources")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .find(|(_, r)| {
            r.get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::Serverless::"))
        });
    if let (false, Some((id, _))) = (declared, serverless) {
        problems.at(
            path,
            "Transform",
            format!("{id} is a SAM resource, which needs `Transform: {SAM_TRANSFORM}`, as CloudFormation requires"),
        );
    }
}

/// The stack's name: the template directory's name, as a project is
/// usually named, made a valid stack name.
fn stack_name(dir: &Path) -> String {
    let name: String = std::fs::canonicalize(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-');
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        "portcullis".to_owned()
    } else {
        name.to_owned()
    }
}
