//! The lab's settings: how many calls the client makes, its timeout, whether and how it
//! retries, the server's processing time, and the deliberate bug.

use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// One attempt per call: at-most-once.
    None,
    /// Resend after a timeout, as a new request: at-least-once.
    NoKey,
    /// Resend with the call's idempotency key, which the server deduplicates: effectively-once.
    WithKey,
}

impl Retry {
    pub const NAMES: &'static [&'static str] = &[
        "no retries",
        "retry without an idempotency key",
        "retry with an idempotency key",
    ];

    /// The delivery guarantee the client gets from this policy.
    pub fn guarantee(self) -> &'static str {
        match self {
            Retry::None => "at-most-once",
            Retry::NoKey => "at-least-once",
            Retry::WithKey => "effectively-once",
        }
    }
}

pub const BUG_NAMES: &[&str] = &["none", "the server forgets a key once it has answered"];

#[derive(Clone, Debug)]
pub struct Config {
    pub calls: u32,
    pub timeout_us: Time,
    pub retry: Retry,
    /// Attempts per call, the first included.
    pub attempts: u16,
    pub work_us: Time,
    pub gap_us: Time,
    pub forgets_keys: bool,
}

impl Config {
    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        if n_nodes != 2 {
            return Err("this lab has exactly two servers: the client S1 and the server S2".into());
        }
        Ok(Config {
            calls: get("calls", 1) as u32,
            timeout_us: get("timeout_ms", 500) as Time * MS,
            retry: match get("retry", 0) {
                1 => Retry::NoKey,
                2 => Retry::WithKey,
                _ => Retry::None,
            },
            attempts: get("attempts", 3) as u16,
            work_us: get("work_ms", 100) as Time * MS,
            gap_us: get("gap_ms", 500) as Time * MS,
            forgets_keys: get(BUG_PARAM, 0) == 1,
        })
    }
}
