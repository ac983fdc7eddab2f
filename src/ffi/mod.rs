//! The C ABI (see include/certchain.h).
