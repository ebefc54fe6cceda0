//! Access logs: per stage, one line per request in the format the user
//! wrote with AWS's `$context` variables, written off the request path.
//!
//! A stage's [`StageLog`] is compiled with the config; when a request is
//! answered the pipeline renders its line (a few hundred bytes, one
//! allocation) and hands it to the destination's writer thread. A writer that
//! falls behind loses lines, counted by [`dropped_lines`]; the request never
//! waits.

mod format;
mod sink;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use http::Response;

use crate::body::ResponseBody;
use crate::config::{AccessLogSettings, ApiType};
use crate::request::RequestState;

pub(crate) use format::LogFormat;
use format::Written;
use sink::Sink;
pub use sink::{dropped_lines, flush_all};

/// A stage's access log: its format and where lines go.
#[derive(Debug)]
pub(crate) struct StageLog {
    format: LogFormat,
    sink: Arc<Sink>,
}

impl StageLog {
    /// Compiles `settings` for an API of `api_type`, opening (or reusing) its destination.
    ///
    /// # Errors
    /// A message naming what is wrong: the format (checked at load already)
    /// or a file that cannot be opened for appending.
    pub(crate) fn compile(settings: &AccessLogSettings, api_type: ApiType) -> Result<Self, String> {
        let format = LogFormat::parse(&settings.format, api_type)
            .map_err(|error| error.to_string())?
            .format;
        let sink = Sink::for_destination(&settings.destination).map_err(|error| {
            format!(
                "cannot open the access log {} for appending: {error}",
                settings.destination
            )
        })?;
        Ok(Self { format, sink })
    }

    /// Renders the entry of a request answered with `response` after
    /// `latency`, and hands it to the writer.
    pub(crate) fn record(
        &self,
        state: &RequestState<'_>,
        response: &Response<ResponseBody>,
        latency: Duration,
    ) {
        let facts = Facts {
            state,
            response,
            latency,
        };
        let line = self.format.render(|name, out| facts.write(name, out));
        self.sink.send(line);
    }
}

/// What an entry may say about one answered request.
struct Facts<'s, 'a> {
    state: &'s RequestState<'a>,
    response: &'s Response<ResponseBody>,
    latency: Duration,
}

impl Facts<'_, '_> {
    /// Writes variable `name` into `out`, or says the request has no value for it.
    fn write(&self, name: &str, out: &mut String) -> Written {
        let state = self.state;
        let number = |out: &mut String, n: Option<u64>| match n {
            Some(n) => {
                let _ = write!(out, "{n}");
                Written::Value
            }
            None => Written::Nothing,
        };
        match name {
            "status" => number(out, Some(u64::from(self.response.status().as_u16()))),
            "responseLength" => number(out, crate::body::known_length(self.response)),
            "responseLatency" => number(out, Some(self.latency.as_millis() as u64)),
            "dataProcessed" => number(
                out,
                Some(state.request_bytes + crate::body::known_length(self.response).unwrap_or(0)),
            ),
            "integrationStatus" | "integration.integrationStatus" => {
                number(out, state.integration.status.map(u64::from))
            }
            "error.message" | "error.messageString" | "error.responseType" => {
                let Some(failure) = &state.failure else {
                    return Written::Nothing;
                };
                match name {
                    "error.responseType" => {
                        out.push_str(failure.response_type);
                        Written::Value
                    }
                    "error.message" => {
                        out.push_str(&failure.message);
                        Written::Value
                    }
                    _ => {
                        out.push_str(&failure.message);
                        Written::Quoted
                    }
                }
            }
            _ => match state.context_variable(name) {
                Some(value) => {
                    out.push_str(&value);
                    Written::Value
                }
                None => Written::Nothing,
            },
        }
    }
}
