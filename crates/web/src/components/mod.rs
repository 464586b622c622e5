//! One view per module. Every lab shares them.

pub mod batch;
pub mod challenges;
pub mod consistency;
pub mod controls;
pub mod event_log;
pub mod exports;
pub mod fault_toolbar;
pub mod frozen;
pub mod help;
pub mod history_file;
pub mod hunt;
pub mod inspector;
pub mod invariants;
pub mod job;
pub mod lab_picker;
pub mod lab_verbs;
pub mod message_layer;
pub mod narration;
pub mod params;
pub mod pictures;
pub mod share;
pub mod spacetime;
pub mod timeline;
pub mod topology;
pub mod trace_download;
pub mod tradeoffs;
