//! The lab's settings: the protocol, the chain's length, each general's rule, the messenger's
//! chance of capture, the day's length and the deliberate bug.

use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// k messages, each sent when the previous one arrives: order, ack, ack of the ack …
    Chain,
    /// The order resent until acknowledged; every copy acknowledged, acted on once.
    Retries,
}

impl Protocol {
    pub const NAMES: &'static [&'static str] =
        &["chain of k messages", "retries until acknowledged"];
}

pub const BUG_NAMES: &[&str] = &["none", "every copy of the order is carried out"];

#[derive(Clone, Debug)]
pub struct Config {
    pub protocol: Protocol,
    /// Messages in the chain, k.
    pub chain: u16,
    /// A (S1) attacks if it received at least this many messages that day.
    pub rule_a: u16,
    /// B (S2) attacks if it received at least this many.
    pub rule_b: u16,
    /// Chance a messenger is captured, parts per million.
    pub loss_ppm: u32,
    pub day_us: Time,
    pub retry_us: Time,
    pub bug: u8,
}

impl Config {
    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        if n_nodes != 2 {
            return Err("this lab has exactly two generals".into());
        }
        let config = Config {
            protocol: if get("protocol", 0) == 1 {
                Protocol::Retries
            } else {
                Protocol::Chain
            },
            chain: get("chain", 2) as u16,
            rule_a: get("rule_a", 1) as u16,
            rule_b: get("rule_b", 1) as u16,
            loss_ppm: get("loss_ppm", 100_000) as u32,
            day_us: get("day_ms", 1_000) as Time * MS,
            retry_us: get("retry_ms", 50) as Time * MS,
            bug: get(BUG_PARAM, 0) as u8,
        };
        if config.retry_us * 2 > config.day_us {
            return Err("a retry must fit in the day twice over: make the day at least twice the retry interval".into());
        }
        Ok(config)
    }
}
