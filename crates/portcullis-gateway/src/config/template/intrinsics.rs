//! Resolving a CloudFormation template's intrinsic functions locally.
//!
//! [`resolve`] reads the `Parameters` (overrides, defaults, constraints), the
//! `Mappings` and the `Conditions`, drops the resources whose condition is
//! false, and resolves every intrinsic function (`Ref`, `Fn::Sub`,
//! `Fn::GetAtt`, `Fn::If`, ...) in the resources' `Properties` and
//! `Metadata` and in SAM's `Globals`, `DefinitionBody` and `Body` included.
//! `AWS::Include` transforms read local files. What `Ref` and `Fn::GetAtt`
//! give for a resource is in [`super::resources`].
//!
//! Resources are resolved in file order, except that a resource referenced
//! before its turn is resolved then, so that `Ref` sees its resolved name
//! property (`TableName: !Sub '${AWS::StackName}-items'`). A resource that
//! references itself, or two that reference each other, see the other's
//! properties as written.
//!
//! Every problem is reported with its location
//! (`Resources.MyFn.Properties.Environment.Variables.TABLE`), not just the first.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use indexmap::IndexMap;

use super::parameters::{self, is_logical_id, scalar_text};
use super::resources::{self, Env};
use crate::config::openapi::tree::Node;

/// Says what the caller does not use at a location, if anything.
pub(crate) type Unused<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// What a template is resolved with.
#[derive(Clone, Copy)]
pub(crate) struct Inputs<'a> {
    /// `--parameter-overrides` as given (`Name` → value text).
    pub(crate) overrides: &'a BTreeMap<String, String>,
    /// `Fn::ImportValue` exports, by export name (also from `--parameter-overrides`).
    pub(crate) imports: &'a BTreeMap<String, String>,
    /// AWS::Region, AWS::AccountId (partition/URL suffix follow the region: aws-cn for cn-*, aws-us-gov for us-gov-*).
    pub(crate) region: &'a str,
    pub(crate) account_id: &'a str,
    /// AWS::StackName (default the template's directory name, decided by the caller).
    pub(crate) stack_name: &'a str,
    /// Where `AWS::Include` / `DefinitionUri` / `BodyS3Location` local paths are relative to.
    pub(crate) base_dir: &'a Path,
    /// What the caller does not use at a location (`Resources.Id.Properties.Key`),
    /// if anything: a mapping entry there that fails to resolve is left out,
    /// its problems becoming warnings that say so.
    pub(crate) unused: Option<&'a Unused<'a>>,
}

/// A template with every intrinsic resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    /// `Resources`, in file order, without those whose `Condition` is false; each resource's
    /// `Properties` (and `Metadata`) resolved; the `Type`, `Condition`, `DependsOn` kept.
    /// (Other attributes, `DeletionPolicy` and the like, are kept as written.)
    pub(crate) resources: Vec<(String, Node)>,
    /// `Globals` (SAM), resolved the same way (SAM allows intrinsics there).
    pub(crate) globals: Option<Node>,
    /// The parameters' final values (after defaults and overrides), for the caller's messages.
    pub(crate) parameters: BTreeMap<String, Node>,
    /// Files read through AWS::Include (for --watch).
    pub(crate) included: Vec<PathBuf>,
    /// Non-fatal notes (e.g. an override naming no parameter), as (location, message).
    pub(crate) warnings: Vec<(String, String)>,
}

/// An error naming where (`Resources.MyFn.Properties.Environment.Variables.TABLE`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    /// Dotted path into the template; `[n]` for list items. Empty for the whole template.
    pub(crate) location: String,
    /// What is wrong.
    pub(crate) message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

/// Resolves `root` (a whole template). Every problem found is returned, not just the first.
pub(crate) fn resolve(root: &Node, inputs: &Inputs<'_>) -> Result<Resolved, Vec<TemplateError>> {
    let mut cx = Cx::new(inputs);
    let resolved = cx.run(root);
    if cx.errors.is_empty() {
        Ok(resolved)
    } else {
        Err(cx.errors)
    }
}

/// `(partition, URL suffix)` of a region.
fn partition_of(region: &str) -> (&'static str, &'static str) {
    if region.starts_with("cn-") {
        ("aws-cn", "amazonaws.com.cn")
    } else if region.starts_with("us-gov-") {
        ("aws-us-gov", "amazonaws.com")
    } else {
        ("aws", "amazonaws.com")
    }
}

/// The sections a template may have (SAM adds `Globals`).
const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Globals",
    "Hooks",
];

/// Past this depth (nested values, intrinsics, conditions) resolving stops:
/// templates are far shallower, and the stack stays small.
const MAX_DEPTH: usize = 300;

/// Resources resolved early because another one references them, at most
/// this many deep; deeper, a reference sees the properties as written.
const MAX_EARLY: usize = 4;

static NULL: Node = Node::Null;

/// A problem was found and recorded; the value is unusable.
#[derive(Debug, Clone, Copy)]
struct Failed;

/// A resolved value: `None` is `AWS::NoValue` (the enclosing property or
/// list item goes away).
type R = Result<Option<Node>, Failed>;

#[derive(Debug, Clone)]
enum Slot<T> {
    Pending,
    Busy,
    /// `None`: resolving it failed (the problems are recorded).
    Done(Option<T>),
}

struct Condition {
    raw: Rc<Node>,
    slot: Slot<bool>,
}

/// A resource's resolved `Properties` and `Metadata` (`None` when absent or `AWS::NoValue`).
#[derive(Debug)]
struct Sections {
    properties: Option<Node>,
    metadata: Option<Node>,
}

struct Resource {
    type_: String,
    condition: Option<String>,
    /// The resource as written (after `AWS::Include`).
    body: Rc<Node>,
    /// The properties as written, for references that cannot wait for them.
    raw: Rc<Sections>,
    /// Made by SAM (`MyFunctionRole`, `ServerlessRestApi`): referable, not returned.
    implicit: bool,
    /// Its declaration is wrong (reported); references to it fail quietly.
    broken: bool,
    slot: Slot<Rc<Sections>>,
}

struct Cx<'i> {
    inputs: &'i Inputs<'i>,
    partition: &'static str,
    url_suffix: &'static str,
    params: BTreeMap<String, Node>,
    /// Every declared parameter, with a value or not (a failed one is reported once).
    declared: BTreeSet<String>,
    mappings: Node,
    conditions: IndexMap<String, Condition>,
    /// The conditions being evaluated, outermost first (for cycles).
    evaluating: Vec<String>,
    resources: IndexMap<String, Resource>,
    sam: bool,
    /// The exports `Fn::ImportValue` read.
    imported: BTreeSet<String>,
    depth: usize,
    too_deep: bool,
    early: usize,
    errors: Vec<TemplateError>,
    warnings: Vec<(String, String)>,
    included: Vec<PathBuf>,
}

fn child(location: &str, key: &str) -> String {
    if location.is_empty() {
        key.to_owned()
    } else {
        format!("{location}.{key}")
    }
}

fn index(location: &str, i: usize) -> String {
    format!("{location}[{i}]")
}

impl<'i> Cx<'i> {
    fn new(inputs: &'i Inputs<'i>) -> Self {
        let (partition, url_suffix) = partition_of(inputs.region);
        Self {
            inputs,
            partition,
            url_suffix,
            params: BTreeMap::new(),
            declared: BTreeSet::new(),
            mappings: Node::Null,
            conditions: IndexMap::new(),
            evaluating: Vec::new(),
            resources: IndexMap::new(),
            sam: false,
            imported: BTreeSet::new(),
            depth: 0,
            too_deep: false,
            early: 0,
            errors: Vec::new(),
            warnings: Vec::new(),
            included: Vec::new(),
        }
    }

    fn fail(&mut self, location: &str, message: impl Into<String>) -> Failed {
        self.errors.push(TemplateError {
            location: location.to_owned(),
            message: message.into(),
        });
        Failed
    }

    /// Whether the entry at `location`, which failed with the errors from
    /// `mark` on, is one the caller does not use; if so they become warnings.
    fn forgive(&mut self, mark: usize, location: &str) -> bool {
        let Some(what) = self.inputs.unused.and_then(|unused| unused(location)) else {
            return false;
        };
        for error in self.errors.split_off(mark) {
            self.warnings.push((
                error.location,
                format!(
                    "{} (left out: Portcullis does not use {what})",
                    error.message
                ),
            ));
        }
        true
    }

    fn warn(&mut self, location: &str, message: impl Into<String>) {
        self.warnings.push((location.to_owned(), message.into()));
    }

    fn env(&self) -> Env<'i> {
        Env {
            region: self.inputs.region,
            account_id: self.inputs.account_id,
            partition: self.partition,
            url_suffix: self.url_suffix,
            stack_name: self.inputs.stack_name,
        }
    }

    /// One level deeper; fails (once reported) past [`MAX_DEPTH`].
    fn enter(&mut self, location: &str) -> Result<(), Failed> {
        if self.depth >= MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                self.fail(location, "nested too deeply to resolve");
            }
            return Err(Failed);
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ===== the template =====

    fn run(&mut self, root: &Node) -> Resolved {
        let mut resolved = Resolved {
            resources: Vec::new(),
            globals: None,
            parameters: BTreeMap::new(),
            included: Vec::new(),
            warnings: Vec::new(),
        };
        let Some(sections) = root.as_map() else {
            self.fail(
                "",
                format!(
                    "a template must be a mapping of sections, not {}",
                    root.kind()
                ),
            );
            return resolved;
        };
        for (key, _) in sections {
            if !SECTIONS.contains(&key.as_str()) {
                self.warn(key, "is not a template section; it is ignored");
            }
        }
        let mut root = root.clone();

        self.params = parameters::read(
            root.get("Parameters"),
            self.inputs.overrides,
            &mut self.errors,
            &mut self.warnings,
        );
        if let Some(Node::Map(declared)) = root.get("Parameters") {
            self.declared = declared.iter().map(|(name, _)| name.clone()).collect();
        }

        if let Some(transform) = root.get("Transform").cloned() {
            self.transforms(&transform, &mut root);
        }

        self.read_mappings(root.get("Mappings"));
        self.read_conditions(root.get("Conditions"));
        self.read_resources(root.get("Resources"));
        if self.sam {
            self.add_sam_implicit_resources();
        }
        self.check_depends_on();

        let names: Vec<String> = self.conditions.keys().cloned().collect();
        for name in names {
            let location = format!("Conditions.{name}");
            self.condition(&name, &location);
        }

        let mut kept = Vec::new();
        for i in 0..self.resources.len() {
            let Some((id, resource)) = self.resources.get_index(i) else {
                continue;
            };
            if resource.implicit || resource.broken {
                continue;
            }
            if let Some(condition) = resource.condition.clone() {
                let location = format!("Resources.{id}.Condition");
                if self.condition(&condition, &location) != Some(true) {
                    continue;
                }
            }
            if self.resource_sections(i).is_some() {
                kept.push(i);
            }
        }

        if let Some(globals) = root.get("Globals") {
            let globals = self.expand(globals, "Globals", false);
            if let Ok(value) = self.value(&globals, "Globals") {
                resolved.globals = value;
            }
        }

        for i in kept {
            let Some((id, resource)) = self.resources.get_index_mut(i) else {
                continue;
            };
            let Slot::Done(Some(sections)) = std::mem::replace(&mut resource.slot, Slot::Pending)
            else {
                continue;
            };
            let sections = Rc::try_unwrap(sections).unwrap_or_else(|shared| Sections {
                properties: shared.properties.clone(),
                metadata: shared.metadata.clone(),
            });
            let mut properties = sections.properties;
            let mut metadata = sections.metadata;
            let mut out = Vec::new();
            for (key, value) in resource.body.as_map().unwrap_or_default() {
                match key.as_str() {
                    "Properties" => {
                        if let Some(p) = properties.take() {
                            out.push((key.clone(), p));
                        }
                    }
                    "Metadata" => {
                        if let Some(m) = metadata.take() {
                            out.push((key.clone(), m));
                        }
                    }
                    _ => out.push((key.clone(), value.clone())),
                }
            }
            resolved.resources.push((id.clone(), Node::Map(out)));
        }

        // Overrides may also be exports (`Fn::ImportValue`); the others are mistakes.
        for name in self.inputs.overrides.keys() {
            if !self.declared.contains(name) && !self.imported.contains(name) {
                self.warn(
                    "--parameter-overrides",
                    format!(
                        "`{name}` names no parameter of the template (nor an export it imports); \
                         it is ignored"
                    ),
                );
            }
        }

        resolved.parameters = std::mem::take(&mut self.params);
        resolved.included = std::mem::take(&mut self.included);
        resolved.warnings = std::mem::take(&mut self.warnings);
        resolved
    }

    /// The top-level `Transform`: SAM and the language extensions are noted,
    /// `AWS::Include` is merged into the template, other macros are warned about.
    fn transforms(&mut self, transform: &Node, root: &mut Node) {
        let items: Vec<(String, &Node)> = match transform {
            Node::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (index("Transform", i), item))
                .collect(),
            other => vec![("Transform".to_owned(), other)],
        };
        for (location, item) in items {
            match item {
                Node::Str(name) => match name.as_str() {
                    "AWS::Serverless-2016-10-31" => self.sam = true,
                    "AWS::LanguageExtensions" => {}
                    "AWS::Include" => {
                        self.fail(
                            &location,
                            "AWS::Include needs Parameters: {Location: path}; write it as \
                             {Name: AWS::Include, Parameters: {Location: path}}",
                        );
                    }
                    other => self.warn(
                        &location,
                        format!("the macro `{other}` is not run locally; the template is read without it"),
                    ),
                },
                Node::Map(_) => match item.get("Name").and_then(Node::as_str) {
                    Some("AWS::Include") => {
                        if let Ok(content) = self.include(item, &location) {
                            self.merge_into_root(content, &location, root);
                        }
                    }
                    Some("AWS::Serverless-2016-10-31") => self.sam = true,
                    Some("AWS::LanguageExtensions") => {}
                    Some(other) => self.warn(
                        &location,
                        format!("the macro `{other}` is not run locally; the template is read without it"),
                    ),
                    None => {
                        self.fail(&location, "a transform needs a Name");
                    }
                },
                other => {
                    self.fail(
                        &location,
                        format!("must be a transform name or a list of them, not {}", other.kind()),
                    );
                }
            }
        }
    }

    fn read_mappings(&mut self, section: Option<&Node>) {
        let Some(section) = section else { return };
        let section = self.expand(section, "Mappings", false);
        match &section {
            Node::Null => {}
            Node::Map(maps) => {
                for (name, map) in maps {
                    let location = format!("Mappings.{name}");
                    match map {
                        Node::Map(keys) => {
                            for (key, values) in keys {
                                if values.as_map().is_none() {
                                    self.fail(
                                        &child(&location, key),
                                        format!("must be a mapping of second-level keys to values, not {}", values.kind()),
                                    );
                                }
                            }
                        }
                        other => {
                            self.fail(
                                &location,
                                format!(
                                    "must be a mapping of top-level keys, not {}",
                                    other.kind()
                                ),
                            );
                        }
                    }
                }
            }
            other => {
                self.fail(
                    "Mappings",
                    format!("must be a mapping of mappings, not {}", other.kind()),
                );
            }
        }
        self.mappings = section;
    }

    fn read_conditions(&mut self, section: Option<&Node>) {
        let Some(section) = section else { return };
        let section = self.expand(section, "Conditions", false);
        match section {
            Node::Null => {}
            Node::Map(conditions) => {
                for (name, raw) in conditions {
                    if !is_logical_id(&name) {
                        self.fail(
                            &format!("Conditions.{name}"),
                            format!("`{name}` is not a valid condition name: names are alphanumeric (A-Z, a-z, 0-9)"),
                        );
                        continue;
                    }
                    self.conditions.insert(
                        name,
                        Condition {
                            raw: Rc::new(raw),
                            slot: Slot::Pending,
                        },
                    );
                }
            }
            other => {
                self.fail(
                    "Conditions",
                    format!(
                        "must be a mapping of condition names to conditions, not {}",
                        other.kind()
                    ),
                );
            }
        }
    }

    fn read_resources(&mut self, section: Option<&Node>) {
        let Some(section) = section else {
            self.fail("Resources", "the template has no Resources section");
            return;
        };
        let section = self.expand(section, "Resources", false);
        let Node::Map(entries) = section else {
            self.fail(
                "Resources",
                format!(
                    "must be a mapping of logical ids to resources, not {}",
                    section.kind()
                ),
            );
            return;
        };
        for (id, body) in entries {
            let location = format!("Resources.{id}");
            if id.starts_with("Fn::ForEach") {
                self.fail(
                    &location,
                    "Fn::ForEach (AWS::LanguageExtensions) is not supported locally; write the resources out",
                );
                continue;
            }
            if !is_logical_id(&id) {
                self.fail(
                    &location,
                    format!("`{id}` is not a valid logical id: logical ids are alphanumeric (A-Z, a-z, 0-9)"),
                );
                continue;
            }
            let mut broken = false;
            if self.declared.contains(&id) {
                self.fail(
                    &location,
                    format!("`{id}` is both a parameter and a resource"),
                );
                broken = true;
            }
            if body.as_map().is_none() {
                self.fail(
                    &location,
                    format!(
                        "must be a mapping with a Type and Properties, not {}",
                        body.kind()
                    ),
                );
                broken = true;
            }
            let type_ = match body.get("Type") {
                Some(Node::Str(t)) => t.clone(),
                Some(other) => {
                    self.fail(
                        &format!("{location}.Type"),
                        format!("must be a string, not {}", other.kind()),
                    );
                    broken = true;
                    String::new()
                }
                None => {
                    if body.as_map().is_some() {
                        self.fail(&location, "has no Type");
                    }
                    broken = true;
                    String::new()
                }
            };
            let condition = match body.get("Condition") {
                None => None,
                Some(Node::Str(name)) => {
                    if !self.conditions.contains_key(name) {
                        self.fail(
                            &format!("{location}.Condition"),
                            format!("no condition named `{name}` in Conditions"),
                        );
                        broken = true;
                    }
                    Some(name.clone())
                }
                Some(other) => {
                    self.fail(
                        &format!("{location}.Condition"),
                        format!("must be the name of a condition, not {}", other.kind()),
                    );
                    broken = true;
                    None
                }
            };
            if let Some(properties) = body.get("Properties")
                && !matches!(properties, Node::Map(_) | Node::Null)
                && !is_intrinsic(properties)
            {
                self.fail(
                    &format!("{location}.Properties"),
                    format!("must be a mapping, not {}", properties.kind()),
                );
                broken = true;
            }
            let raw = Rc::new(Sections {
                properties: body.get("Properties").cloned(),
                metadata: None,
            });
            self.resources.insert(
                id,
                Resource {
                    type_,
                    condition,
                    body: Rc::new(body),
                    raw,
                    implicit: false,
                    broken,
                    slot: Slot::Pending,
                },
            );
        }
    }

    /// `DependsOn` names resources of the template.
    fn check_depends_on(&mut self) {
        let mut problems = Vec::new();
        for (id, resource) in &self.resources {
            let location = format!("Resources.{id}.DependsOn");
            let names: Vec<&Node> = match resource.body.get("DependsOn") {
                None => continue,
                Some(Node::Seq(items)) => items.iter().collect(),
                Some(other) => vec![other],
            };
            for name in names {
                match name {
                    Node::Str(name) if self.resources.contains_key(name) => {}
                    // SAM generates resources this reader does not know of
                    // (`MyApiDeployment1a2b3c`, ...).
                    Node::Str(_) if self.sam => {}
                    Node::Str(name) => problems.push((
                        location.clone(),
                        format!("DependsOn: no resource named `{name}`"),
                    )),
                    other => problems.push((
                        location.clone(),
                        format!(
                            "DependsOn must name resources (strings), not {}",
                            other.kind()
                        ),
                    )),
                }
            }
        }
        for (location, message) in problems {
            self.fail(&location, message);
        }
    }

    // ===== values =====

    /// `node` with its intrinsic functions resolved.
    fn value(&mut self, node: &Node, location: &str) -> R {
        self.enter(location)?;
        let result = self.value_inner(node, location);
        self.leave();
        result
    }

    fn value_inner(&mut self, node: &Node, location: &str) -> R {
        match node {
            Node::Map(entries) => {
                if let [(key, argument)] = entries.as_slice()
                    && (key == "Ref" || key.starts_with("Fn::"))
                {
                    return self.function(key, argument, location);
                }
                let mut out = Vec::with_capacity(entries.len());
                let mut failed = false;
                for (key, value) in entries {
                    let at = child(location, key);
                    let mark = self.errors.len();
                    match self.value(value, &at) {
                        Ok(Some(value)) => out.push((key.clone(), value)),
                        Ok(None) => {}
                        Err(Failed) => {
                            if !self.forgive(mark, &at) {
                                failed = true;
                            }
                        }
                    }
                }
                if failed {
                    Err(Failed)
                } else {
                    Ok(Some(Node::Map(out)))
                }
            }
            Node::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut failed = false;
                for (i, item) in items.iter().enumerate() {
                    match self.value(item, &index(location, i)) {
                        Ok(Some(item)) => out.push(item),
                        Ok(None) => {}
                        Err(Failed) => failed = true,
                    }
                }
                if failed {
                    Err(Failed)
                } else {
                    Ok(Some(Node::Seq(out)))
                }
            }
            Node::Str(text) => {
                if text.contains("{{resolve:") {
                    self.warn(
                        location,
                        "a dynamic reference ({{resolve:...}}) is not resolved locally; the text is kept as written",
                    );
                }
                Ok(Some(node.clone()))
            }
            other => Ok(Some(other.clone())),
        }
    }

    /// A resolved value that must be there (`AWS::NoValue` is an error).
    fn argument(&mut self, node: &Node, location: &str, function: &str) -> Result<Node, Failed> {
        match self.value(node, location)? {
            Some(value) => Ok(value),
            None => Err(self.fail(
                location,
                format!("{function}: AWS::NoValue can't be used here"),
            )),
        }
    }

    /// A resolved value that must be a string (numbers and booleans are taken as text).
    fn text(&mut self, node: &Node, location: &str, function: &str) -> Result<String, Failed> {
        let value = self.argument(node, location, function)?;
        scalar_text(&value).ok_or_else(|| {
            self.fail(
                location,
                format!("{function}: needs a string here, not {}", value.kind()),
            )
        })
    }

    /// A resolved value that must be a list.
    fn list(&mut self, node: &Node, location: &str, function: &str) -> Result<Vec<Node>, Failed> {
        match self.argument(node, location, function)? {
            Node::Seq(items) => Ok(items),
            other => Err(self.fail(
                location,
                format!("{function}: needs a list here, not {}", other.kind()),
            )),
        }
    }

    /// `Ref name` (also what `${name}` gives in `Fn::Sub`).
    fn reference(&mut self, name: &str, location: &str, function: &str) -> R {
        let s = |text: &str| Ok(Some(Node::Str(text.to_owned())));
        match name {
            "AWS::NoValue" => return Ok(None),
            "AWS::Region" => return s(self.inputs.region),
            "AWS::AccountId" => return s(self.inputs.account_id),
            "AWS::Partition" => return s(self.partition),
            "AWS::URLSuffix" => return s(self.url_suffix),
            "AWS::StackName" => return s(self.inputs.stack_name),
            "AWS::StackId" => {
                return Ok(Some(Node::Str(format!(
                    "arn:{}:cloudformation:{}:{}:stack/{}/00000000-0000-0000-0000-000000000000",
                    self.partition,
                    self.inputs.region,
                    self.inputs.account_id,
                    self.inputs.stack_name
                ))));
            }
            "AWS::NotificationARNs" => return Ok(Some(Node::Seq(Vec::new()))),
            _ => {}
        }
        if name.starts_with("AWS::") {
            return Err(self.fail(
                location,
                format!(
                    "{function}: `{name}` is not a pseudo parameter (AWS::Region, AWS::AccountId, \
                     AWS::Partition, AWS::URLSuffix, AWS::StackName, AWS::StackId, \
                     AWS::NotificationARNs, AWS::NoValue)"
                ),
            ));
        }
        if let Some(value) = self.params.get(name) {
            return Ok(Some(value.clone()));
        }
        if self.declared.contains(name) {
            // The parameter has no value; that is reported at the parameter.
            return Err(Failed);
        }
        if self.resources.contains_key(name) {
            return self.resource_value(name, None, location, function);
        }
        if let Some((id, property)) = name.split_once('.')
            && let Some(resource) = self.resources.get(id)
        {
            let type_ = resource.type_.clone();
            let sections = self.resource_for_reference(id, location, function)?;
            let properties = sections.properties.as_ref().unwrap_or(&NULL);
            return match resources::sam_reference(id, &type_, properties, property, &self.env()) {
                Some(value) => Ok(Some(value)),
                None => Err(self.fail(
                    location,
                    format!("{function}: `{name}`: the resource `{id}` ({type_}) has no referable property `{property}`"),
                )),
            };
        }
        Err(self.fail(
            location,
            format!("{function}: `{name}` is not a parameter, a resource or a pseudo parameter of the template"),
        ))
    }

    /// The resource `id`, resolved when it can be, for a reference to it.
    fn resource_for_reference(
        &mut self,
        id: &str,
        location: &str,
        function: &str,
    ) -> Result<Rc<Sections>, Failed> {
        let Some(i) = self.resources.get_index_of(id) else {
            return Err(self.fail(location, format!("{function}: no resource named `{id}`")));
        };
        if !self.evaluating.is_empty() {
            return Err(self.fail(
                location,
                format!("{function}: conditions can't reference resources (`{id}`)"),
            ));
        }
        if self.resources[i].broken {
            return Err(Failed);
        }
        if let Some(condition) = self.resources[i].condition.clone() {
            let condition_location = format!("Resources.{id}.Condition");
            match self.condition(&condition, &condition_location) {
                Some(true) => {}
                Some(false) => {
                    return Err(self.fail(
                        location,
                        format!(
                            "{function}: the resource `{id}` is not created (its condition `{condition}` \
                             is false); reference it only where that condition holds, with Fn::If"
                        ),
                    ));
                }
                None => return Err(Failed),
            }
        }
        let ready = match &self.resources[i].slot {
            Slot::Done(Some(sections)) => Some(Rc::clone(sections)),
            Slot::Pending if self.early < MAX_EARLY => {
                self.early += 1;
                let sections = self.resource_sections(i);
                self.early -= 1;
                sections
            }
            Slot::Pending | Slot::Busy | Slot::Done(None) => None,
        };
        Ok(ready.unwrap_or_else(|| Rc::clone(&self.resources[i].raw)))
    }

    /// `Ref id` (`attribute` `None`) or `Fn::GetAtt [id, attribute]` on a resource.
    fn resource_value(
        &mut self,
        id: &str,
        attribute: Option<&str>,
        location: &str,
        function: &str,
    ) -> R {
        if !self.resources.contains_key(id) {
            let message = if self.declared.contains(id) {
                format!("{function}: `{id}` is a parameter, not a resource")
            } else {
                format!("{function}: no resource named `{id}`")
            };
            return Err(self.fail(location, message));
        }
        let sections = self.resource_for_reference(id, location, function)?;
        let properties = sections.properties.as_ref().unwrap_or(&NULL);
        let type_ = self
            .resources
            .get(id)
            .map(|r| r.type_.clone())
            .unwrap_or_default();
        let env = self.env();
        match attribute {
            None => Ok(Some(resources::reference(id, &type_, properties, &env))),
            Some(attribute) => match resources::attribute(id, &type_, properties, attribute, &env) {
                Some(value) => Ok(Some(value)),
                None => Err(self.fail(
                    location,
                    format!(
                        "{function}: the resource `{id}` ({type_}) has no attribute `{attribute}` \
                         that can be resolved locally"
                    ),
                )),
            },
        }
    }

    /// Resolves the resource at `i` (once): its `Properties` and `Metadata`.
    fn resource_sections(&mut self, i: usize) -> Option<Rc<Sections>> {
        match &self.resources[i].slot {
            Slot::Done(sections) => return sections.clone(),
            Slot::Busy => return None,
            Slot::Pending => {}
        }
        self.resources[i].slot = Slot::Busy;
        let (id, resource) = self.resources.get_index(i)?;
        let location = format!("Resources.{id}");
        let body = Rc::clone(&resource.body);
        let resolve = |cx: &mut Self, key: &str| -> Result<Option<Node>, Failed> {
            match body.get(key) {
                None => Ok(None),
                Some(node) => cx.value(node, &child(&location, key)),
            }
        };
        let properties = resolve(self, "Properties");
        let metadata = resolve(self, "Metadata");
        let sections = match (properties, metadata) {
            (Ok(properties), Ok(metadata)) => {
                if let Some(p) = &properties
                    && p.as_map().is_none()
                {
                    self.fail(
                        &child(&location, "Properties"),
                        format!("must be a mapping, not {}", p.kind()),
                    );
                    None
                } else {
                    Some(Rc::new(Sections {
                        properties,
                        metadata,
                    }))
                }
            }
            _ => None,
        };
        self.resources[i].slot = Slot::Done(sections.clone());
        sections
    }
}

/// Whether `node` is an intrinsic function call (`{Ref: ...}`, `{Fn::...: ...}`).
fn is_intrinsic(node: &Node) -> bool {
    matches!(node.as_map(), Some([(key, _)]) if key == "Ref" || key.starts_with("Fn::"))
}

/// `node` for messages: a scalar's text, else its kind.
fn describe(node: &Node) -> String {
    match node {
        Node::Str(text) => format!("`{text}`"),
        Node::Map(entries) if entries.len() == 1 => format!("`{}`", entries[0].0),
        other => match scalar_text(other) {
            Some(text) => format!("`{text}`"),
            None => other.kind().to_owned(),
        },
    }
}

mod conditions;
mod functions;
mod implicit;
mod include;

#[cfg(test)]
mod tests;
