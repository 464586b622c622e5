//! The labs, one protocol per module.

pub mod heartbeat;

use crate::lab::Lab;

/// Every lab; the order is the lab picker's.
pub static ALL: &[&dyn Lab] = &[&heartbeat::HeartbeatLab];
