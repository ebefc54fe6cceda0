//! (Being written.)

use bytes::Bytes;

use crate::{InvokeError, Outcome};

/// (Being written.)
#[derive(Debug)]
pub struct LocalFunction {
    name: String,
}

impl LocalFunction {
    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Invokes the function.
    pub async fn invoke(&self, _payload: Bytes, _request_id: &str) -> Result<Outcome, InvokeError> {
        Err(InvokeError::UnknownFunction(self.name.clone()))
    }
}
