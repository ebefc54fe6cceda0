//! Deploying an imported API to its stages: checking the stages, then
//! checking that every `${stageVariables.NAME}` its integration URIs use is
//! defined in every stage (API Gateway would fail such requests at run time;
//! a gateway that can tell at load time says so).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::model::{Api, DEFAULT_NAME, IntegrationKind, Route, Stage};
use super::problems::Problems;
use super::stage;

/// Where a stage was defined, for problems about it.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    /// The file (the config file, or the command line).
    pub(crate) file: PathBuf,
    /// The location inside it (`apis[0].stages[1]`, `--stage`).
    pub(crate) location: String,
}

/// A stage as written, before checking.
pub(crate) struct StageInput<'a> {
    /// Its name.
    pub(crate) name: &'a str,
    /// Its variables in order: name, value, and where the variable is written.
    pub(crate) variables: Vec<(&'a str, &'a str, String)>,
    /// Where the stage is defined.
    pub(crate) site: Site,
    /// Where its name is written.
    pub(crate) name_at: String,
}

/// Checks stages and their variables; returns the stages with their sites.
pub(crate) fn stages(inputs: Vec<StageInput<'_>>, problems: &mut Problems) -> Vec<(Stage, Site)> {
    let mut out: Vec<(Stage, Site)> = Vec::new();
    for input in inputs {
        let file = input.site.file.clone();
        if let Err(message) = stage::check_stage_name(input.name) {
            problems.at(&file, &input.name_at, message);
        }
        if let Some((_, first)) = out.iter().find(|(s, _)| s.name == input.name) {
            problems.at(
                &file,
                &input.name_at,
                format!(
                    "stage `{}` is also defined at {}",
                    input.name, first.location
                ),
            );
        }
        if input.variables.len() > stage::MAX_VARIABLES {
            problems.at(
                &file,
                &input.site.location,
                format!(
                    "{} stage variables; a stage has at most {} (limits)",
                    input.variables.len(),
                    stage::MAX_VARIABLES
                ),
            );
        }
        let mut variables = BTreeMap::new();
        for (name, value, at) in &input.variables {
            for message in stage::check_variable(name, value) {
                problems.at(&file, at, message);
            }
            if variables
                .insert((*name).to_owned(), (*value).to_owned())
                .is_some()
            {
                problems.at(&file, at, format!("stage variable `{name}` is given twice"));
            }
        }
        out.push((
            Stage {
                name: input.name.to_owned(),
                variables,
                throttling: Default::default(),
                access_log: None,
                cache: None,
            },
            input.site,
        ));
    }
    out
}

/// Checks that every stage defines the stage variables of every integration
/// URI, and that each URI is a valid URL with the stage's values.
pub(crate) fn check_uri_variables(api: &Api, sites: &[Site], problems: &mut Problems) {
    for (stage, site) in api.stages.iter().zip(sites) {
        let mut reported = HashSet::new();
        for route in &api.routes {
            let uri = match &route.integration.kind {
                IntegrationKind::HttpProxy { uri, .. } | IntegrationKind::Http { uri, .. } => uri,
                // A stage variable may only pick a Lambda alias, which local functions ignore.
                IntegrationKind::Mock
                | IntegrationKind::Lambda { .. }
                | IntegrationKind::AwsService(_)
                | IntegrationKind::AwsRest(_)
                | IntegrationKind::Unserved { .. } => continue,
            };
            let missing: Vec<&str> = stage::uri_variables(uri)
                .into_iter()
                .filter(|name| !stage.variables.contains_key(*name))
                .collect();
            for name in &missing {
                if reported.insert((*name).to_owned()) {
                    problems.at(
                        &site.file,
                        &site.location,
                        format!(
                            "stage `{}` does not define stage variable `{name}`, which the integration uri of {} uses \
                             ({}: {}); API Gateway would fail those requests at run time",
                            stage.name,
                            route_name(route),
                            display(&api.source),
                            route.location,
                        ),
                    );
                }
            }
            if missing.is_empty()
                && let Err(message) = stage::check_http_uri(uri, Some(&stage.variables))
            {
                problems.at(
                        &site.file,
                        &site.location,
                        format!(
                            "with stage `{}`'s variables, the integration uri of {} ({}: {}) is not usable: {message}",
                            stage.name,
                            route_name(route),
                            display(&api.source),
                            route.location,
                        ),
                    );
            }
        }
    }
}

/// `GET /pets`, `ANY /{proxy+}`, or `$default`.
fn route_name(route: &Route) -> String {
    if route.path == DEFAULT_NAME {
        route.path.clone()
    } else {
        format!("{} {}", route.method.as_str(), route.path)
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
