//! Consistency checkers over client histories (linearizability, sequential consistency,
//! session guarantees, convergence). Work in progress: see the module's issue.
