//! The labs, one protocol per module.

pub mod heartbeat;
pub mod raft;
pub mod replication;
pub mod ring;

use crate::lab::Lab;

/// Every lab; the order is the lab picker's.
pub static ALL: &[&dyn Lab] = &[
    &raft::RaftLab,
    &ring::RingLab,
    &replication::ReplicationLab,
    &heartbeat::HeartbeatLab,
];
