//! The lab's settings: the request rate, the call graph's depth and fan-out, head-based
//! sampling, a slow or failing dependency, the SLO, and the deliberate bugs.

use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// S1 sends requests; S2 is the gateway; S3 auth, S4 catalogue, S5 database, S6 cart,
/// S7 pricing.
pub const CLIENT: NodeId = 0;
pub const GATEWAY: NodeId = 1;
pub const AUTH: NodeId = 2;
pub const CATALOGUE: NodeId = 3;
pub const DATABASE: NodeId = 4;
pub const CART: NodeId = 5;
pub const PRICING: NodeId = 6;
pub const N_NODES: u16 = 7;

/// Each node's service name, for spans and metrics.
pub const SERVICES: [&str; 7] = [
    "client",
    "gateway",
    "auth",
    "catalogue",
    "database",
    "cart",
    "pricing",
];

/// Each service's own work per call, before jitter.
pub const WORK_MS: [u64; 7] = [0, 5, 20, 15, 30, 10, 25];

pub const BUG_NAMES: &[&str] = &[
    "none",
    "cart drops the trace header",
    "cart starts a new trace id",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    DropsHeader,
    NewTraceId,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub every_us: Time,
    pub requests: u32,
    /// 1: the gateway's callees answer alone; 2: catalogue and cart call their own
    /// dependencies.
    pub depth: u8,
    /// How many queries the catalogue sends the database, in parallel.
    pub fan_out: u8,
    pub sample_ppm: u64,
    /// The database is slow on this share of its calls, by this much.
    pub slow_ppm: u64,
    pub slow_us: Time,
    /// Pricing fails on this share of its calls.
    pub error_ppm: u64,
    pub slo_us: Time,
    /// The SLO's target, in parts per million of good requests (990 000: 99 %).
    pub slo_target_ppm: u64,
    pub bug: Bug,
}

impl Config {
    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let ms = |key: &str, default: i64| get(key, default) as Time * MS;
        if n_nodes != N_NODES {
            return Err(format!(
                "this lab has exactly {N_NODES} servers: S1 is the client, S2 the gateway, S3 auth, S4 catalogue, S5 database, S6 cart, S7 pricing; not {n_nodes}"
            ));
        }
        Ok(Config {
            every_us: ms("every_ms", 100),
            requests: get("requests", 100) as u32,
            depth: get("depth", 2) as u8,
            fan_out: get("fan_out", 1) as u8,
            sample_ppm: get("sample_ppm", 1_000_000) as u64,
            slow_ppm: get("slow_ppm", 0) as u64,
            slow_us: ms("slow_ms", 400),
            error_ppm: get("error_ppm", 0) as u64,
            slo_us: ms("slo_ms", 300),
            slo_target_ppm: get("slo_target_ppm", 990_000) as u64,
            bug: match get(BUG_PARAM, 0) {
                1 => Bug::DropsHeader,
                2 => Bug::NewTraceId,
                _ => Bug::None,
            },
        })
    }

    /// Whom a service calls, in order: groups called one after the other, the services in
    /// a group in parallel.
    pub fn callees(&self, node: NodeId) -> Vec<Vec<NodeId>> {
        match node {
            GATEWAY => vec![vec![AUTH], vec![CATALOGUE, CART]],
            CATALOGUE if self.depth >= 2 => vec![vec![DATABASE; usize::from(self.fan_out)]],
            CART if self.depth >= 2 => vec![vec![PRICING]],
            _ => Vec::new(),
        }
    }
}

/// Each service's operation, as its spans are named.
pub const OPERATIONS: [&str; 7] = [
    "checkout",
    "GET /checkout",
    "verify token",
    "list items",
    "SELECT items",
    "get cart",
    "price cart",
];
