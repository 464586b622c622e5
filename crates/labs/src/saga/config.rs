//! The lab's settings: orchestration or choreography, which booking fails, how the hotel's
//! cancellation misbehaves, the reader and the semantic lock, and the deliberate bugs.

use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// S1 runs the saga (orchestrator, or the customer in choreography); the services follow;
/// the reader is last.
pub const STEPS: [&str; 3] = ["flight", "hotel", "car"];
pub const FIRST_SERVICE: NodeId = 1;
pub const HOTEL: NodeId = 2;
pub const READER: NodeId = 4;
pub const N_NODES: u16 = 5;

pub const MODES: &[&str] = &["orchestration", "choreography"];
pub const FAILING: &[&str] = &["none", "flight", "hotel", "car"];
pub const BUG_NAMES: &[&str] = &[
    "none",
    "cancellation not idempotent",
    "orchestrator stops after one compensation",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    NotIdempotent,
    StopsEarly,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub choreography: bool,
    /// The step (0 flight, 1 hotel, 2 car) whose booking fails.
    pub failing: Option<u8>,
    /// How many of the hotel's cancellation attempts fail before one works.
    pub cancel_failures: u32,
    pub work_us: Time,
    pub retry_us: Time,
    /// S5 reads the hotel's room this often; 0: it does not read.
    pub read_every_us: Time,
    /// Bookings stay “pending” until the saga completes.
    pub semantic_lock: bool,
    pub bug: Bug,
}

impl Config {
    pub fn service(step: u8) -> NodeId {
        FIRST_SERVICE + NodeId::from(step)
    }

    pub fn step_of(node: NodeId) -> Option<u8> {
        (FIRST_SERVICE..FIRST_SERVICE + 3)
            .contains(&node)
            .then(|| (node - FIRST_SERVICE) as u8)
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let ms = |key: &str, default: i64| get(key, default) as Time * MS;
        if n_nodes != N_NODES {
            return Err(format!(
                "this lab has exactly {N_NODES} servers: S1 runs the saga, S2 to S4 are the flight, hotel and car services, S5 reads; not {n_nodes}"
            ));
        }
        Ok(Config {
            choreography: get("mode", 0) == 1,
            failing: match get("failing", 3) {
                0 => None,
                f => Some(f as u8 - 1),
            },
            cancel_failures: get("cancel_failures", 0) as u32,
            work_us: ms("work_ms", 200),
            retry_us: ms("retry_ms", 500),
            read_every_us: ms("read_every_ms", 0),
            semantic_lock: get("semantic_lock", 0) == 1,
            bug: match get(BUG_PARAM, 0) {
                1 => Bug::NotIdempotent,
                2 => Bug::StopsEarly,
                _ => Bug::None,
            },
        })
    }
}
