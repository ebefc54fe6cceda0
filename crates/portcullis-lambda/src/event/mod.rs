//! Proxy events API Gateway sends to functions. (Being written.)
