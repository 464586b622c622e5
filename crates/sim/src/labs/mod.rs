//! The labs, one protocol per module.

pub mod heartbeat;
pub mod raft;

use crate::lab::Lab;

/// Every lab; the order is the lab picker's.
pub static ALL: &[&dyn Lab] = &[&raft::RaftLab, &heartbeat::HeartbeatLab];
