//! Reading a function's proxy result. (Being written.)
