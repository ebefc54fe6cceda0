//! CloudFormation and SAM templates (`portcullis serve --template`): reading
//! them ([`yaml`]), resolving their intrinsic functions ([`intrinsics`]),
//! what references to their resources give ([`resources`]), translating
//! SAM's resources into functions and APIs ([`sam`]) and loading the whole
//! as a gateway configuration ([`load`]).

pub(crate) mod intrinsics;
pub(crate) mod load;
mod parameters;
pub(crate) mod resources;
pub(crate) mod sam;
pub(crate) mod yaml;
