//! The resource tree shared by both routers: one node per resource, one edge per
//! path segment, and the search that applies API Gateway's precedence.
//!
//! A node has literal children, at most one `{param}` child and at most one
//! greedy `{name+}` child (a leaf). The search walks the request path one
//! segment at a time and tries, at every node, the literal child, then the
//! parameter child, then the greedy child; a branch that reaches no route for
//! the request method is abandoned and the next one is tried (backtracking). So
//! a route wins over another when, at the first segment where they differ, its
//! segment is more specific, and the first route found is the answer.

use crate::literals::{Literals, Probe};
use crate::method::{Method, MethodTable, RequestMethod};
use crate::template::Segment;

/// Resource nodes; `nodes[0]` is the root `/`.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone)]
struct Node {
    literals: Literals,
    param: Option<Edge>,
    greedy: Option<Edge>,
    methods: MethodTable,
}

/// A `{name}` or `{name+}` edge.
#[derive(Debug, Clone)]
struct Edge {
    name: Box<str>,
    node: u32,
    /// The route whose insertion created the edge, to name it in errors.
    origin: u32,
}

/// Why the tree refused a route; the router turns ids into route names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TreeError {
    /// The method slot of the resource is taken by route `with`.
    Conflict { with: u32 },
    /// At `segments[segment]`, a sibling parameter named `existing` was
    /// created by route `with`.
    ParamName {
        segment: usize,
        existing: Box<str>,
        with: u32,
    },
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            nodes: vec![Node::new()],
        }
    }
}

impl Node {
    fn new() -> Self {
        Node {
            literals: Default::default(),
            param: None,
            greedy: None,
            methods: MethodTable::new(),
        }
    }
}

impl Tree {
    /// Adds route `id` for `method` on the resource `segments`.
    ///
    /// Nothing changes when an error is returned.
    pub(crate) fn insert(
        &mut self,
        segments: &[Segment<'_>],
        method: Method,
        id: u32,
    ) -> Result<(), TreeError> {
        self.check(segments, method)?;
        let mut node = 0usize;
        for segment in segments {
            node = self.child_or_insert(node, *segment, id) as usize;
        }
        self.nodes[node].methods.set(method, id);
        Ok(())
    }

    /// Finds what [`insert`](Self::insert) would refuse, changing nothing.
    fn check(&self, segments: &[Segment<'_>], method: Method) -> Result<(), TreeError> {
        let mut node = &self.nodes[0];
        for (index, segment) in segments.iter().enumerate() {
            let next = match *segment {
                Segment::Literal(text) => node.literals.get(Probe::new(text.as_bytes())),
                Segment::Param(name) => check_edge(node.param.as_ref(), name, index)?,
                Segment::Greedy(name) => check_edge(node.greedy.as_ref(), name, index)?,
            };
            match next {
                Some(next) => node = &self.nodes[next as usize],
                // The rest of the path is new: nothing can collide.
                None => return Ok(()),
            }
        }
        match node.methods.get_exact(method) {
            Some(with) => Err(TreeError::Conflict { with }),
            None => Ok(()),
        }
    }

    fn child_or_insert(&mut self, node: usize, segment: Segment<'_>, id: u32) -> u32 {
        let existing = match segment {
            Segment::Literal(text) => self.nodes[node].literals.get(Probe::new(text.as_bytes())),
            Segment::Param(_) => self.nodes[node].param.as_ref().map(|e| e.node),
            Segment::Greedy(_) => self.nodes[node].greedy.as_ref().map(|e| e.node),
        };
        if let Some(child) = existing {
            return child;
        }
        // Memory runs out long before u32::MAX nodes.
        let child = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(Node::new());
        let parent = &mut self.nodes[node];
        let edge = |name: &str| {
            Some(Edge {
                name: name.into(),
                node: child,
                origin: id,
            })
        };
        match segment {
            Segment::Literal(text) => parent.literals.insert(text, child),
            Segment::Param(name) => parent.param = edge(name),
            Segment::Greedy(name) => parent.greedy = edge(name),
        }
        child
    }

    /// The route answering `method` on `path`, by API Gateway's precedence.
    ///
    /// REST (`FULL_FIRST = false`): the first route in the search order wins,
    /// greedy or not. HTTP APIs (`FULL_FIRST = true`): a route that matches
    /// without a greedy segment wins over any greedy one; the first greedy
    /// route in the search order is kept as the fallback.
    #[inline]
    pub(crate) fn find<const FULL_FIRST: bool>(
        &self,
        method: RequestMethod,
        path: &str,
    ) -> Option<u32> {
        let mut fallback = None;
        let root = &self.nodes[0];
        self.search::<FULL_FIRST>(root, method, path.as_bytes(), &mut fallback)
            .or(fallback)
    }

    /// The search from `node` for the rest of the path. The last alternative
    /// at each node is taken by looping rather than recursing, so a path that
    /// only meets literal children never recurses.
    fn search<'t, const FULL_FIRST: bool>(
        &'t self,
        mut node: &'t Node,
        method: RequestMethod,
        mut path: &[u8],
        fallback: &mut Option<u32>,
    ) -> Option<u32> {
        loop {
            // Repeated slashes are one separator, and a trailing slash is ignored.
            let mut start = 0;
            while start < path.len() && path[start] == b'/' {
                start += 1;
            }
            let rest = &path[start..];
            if rest.is_empty() {
                return node.methods.find(method);
            }
            let end = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
            let (segment, after) = rest.split_at(end);

            // Literal segments hold ASCII only, so comparing bytes is exact.
            if let Some(child) = node.literals.get(Probe::new(segment)) {
                let child = &self.nodes[child as usize];
                if node.param.is_none() && node.greedy.is_none() {
                    (node, path) = (child, after);
                    continue;
                }
                if let Some(id) = self.search::<FULL_FIRST>(child, method, after, fallback) {
                    return Some(id);
                }
            }
            if let Some(edge) = &node.param {
                let child = &self.nodes[edge.node as usize];
                if node.greedy.is_none() {
                    (node, path) = (child, after);
                    continue;
                }
                if let Some(id) = self.search::<FULL_FIRST>(child, method, after, fallback) {
                    return Some(id);
                }
            }
            if let Some(edge) = &node.greedy
                && let Some(id) = self.nodes[edge.node as usize].methods.find(method)
            {
                if !FULL_FIRST {
                    return Some(id);
                }
                fallback.get_or_insert(id);
            }
            return None;
        }
    }
}

/// The id of the next route; `u32::MAX` marks an empty method slot.
pub(crate) fn next_id(len: usize) -> Result<u32, crate::InsertError> {
    match u32::try_from(len) {
        Ok(id) if id < u32::MAX => Ok(id),
        _ => Err(crate::InsertError::TooManyRoutes {
            max: u32::MAX as usize,
        }),
    }
}

fn check_edge(edge: Option<&Edge>, name: &str, segment: usize) -> Result<Option<u32>, TreeError> {
    match edge {
        None => Ok(None),
        Some(edge) if *edge.name == *name => Ok(Some(edge.node)),
        Some(edge) => Err(TreeError::ParamName {
            segment,
            existing: edge.name.clone(),
            with: edge.origin,
        }),
    }
}
