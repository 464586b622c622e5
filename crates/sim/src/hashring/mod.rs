//! Data placement: consistent hashing with virtual nodes and its alternatives. Work in
//! progress: see the module's issue.
