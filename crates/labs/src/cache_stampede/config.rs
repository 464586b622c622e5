//! The lab's settings: the fleet of clients, the key's TTL, the database, the stampede
//! protection, the write policy and the deliberate bugs.

use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// S1 is the database (and the lock's home is the cache, S2); S3 and up are app servers,
/// each serving its share of the clients. The last app server also writes, when writes are on.
pub const DATABASE: NodeId = 0;
pub const CACHE: NodeId = 1;
pub const FIRST_APP: NodeId = 2;
pub const MIN_NODES: u16 = 3;
pub const MAX_NODES: u16 = 8;

pub const STRATEGIES: &[&str] = &[
    "none",
    "regeneration lock",
    "early expiration (XFetch)",
    "stale-while-revalidate",
    "request coalescing",
];
pub const WRITE_POLICIES: &[&str] = &["cache-aside", "write-through", "write-behind"];
pub const BUG_NAMES: &[&str] = &[
    "none",
    "lock granted without checking",
    "coalescing forgets the fetch in flight",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    None,
    Lock,
    XFetch,
    StaleWhileRevalidate,
    Coalesce,
}

impl Strategy {
    /// Whether the cache hands out one regeneration right per key (a lock).
    pub fn locks(self) -> bool {
        matches!(self, Strategy::Lock | Strategy::StaleWhileRevalidate)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WritePolicy {
    CacheAside,
    WriteThrough,
    WriteBehind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    LockUnchecked,
    CoalesceForgets,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub clients: u32,
    /// Each client reads the key about this often.
    pub read_every_us: Time,
    pub ttl_us: Time,
    /// δ: how long the database takes to recompute the value.
    pub recompute_us: Time,
    /// How many recomputations the database runs at once; the rest queue.
    pub db_slots: u32,
    pub strategy: Strategy,
    /// XFetch's β, in hundredths (100: β = 1).
    pub beta_pct: u32,
    pub lock_ttl_us: Time,
    /// How long a client waiting for the lock waits before asking the cache again.
    pub poll_us: Time,
    pub write_policy: WritePolicy,
    /// The writer writes this often; 0: no writes.
    pub write_every_us: Time,
    /// A write-behind cache sends its dirty entries to the database this often.
    pub flush_us: Time,
    pub bug: Bug,
}

impl Config {
    pub fn n_apps(n_nodes: u16) -> u16 {
        n_nodes.saturating_sub(FIRST_APP)
    }

    pub fn is_app(node: NodeId) -> bool {
        node >= FIRST_APP
    }

    /// The clients app server `node` serves: the fleet split as evenly as it goes.
    pub fn clients_of(&self, node: NodeId, n_nodes: u16) -> u32 {
        let apps = u32::from(Self::n_apps(n_nodes).max(1));
        let idx = u32::from(node.saturating_sub(FIRST_APP));
        self.clients / apps + u32::from(idx < self.clients % apps)
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let ms = |key: &str, default: i64| get(key, default).max(0) as Time * MS;
        if !(MIN_NODES..=MAX_NODES).contains(&n_nodes) {
            return Err(format!(
                "this lab has {MIN_NODES} to {MAX_NODES} servers: S1 the database, S2 the cache, S3 and up the app servers; not {n_nodes}"
            ));
        }
        let config = Config {
            clients: get("clients", 100) as u32,
            read_every_us: ms("read_every_ms", 1_000),
            ttl_us: ms("ttl_ms", 2_000),
            recompute_us: ms("recompute_ms", 100),
            db_slots: get("db_slots", 4) as u32,
            strategy: match get("strategy", 0) {
                1 => Strategy::Lock,
                2 => Strategy::XFetch,
                3 => Strategy::StaleWhileRevalidate,
                4 => Strategy::Coalesce,
                _ => Strategy::None,
            },
            beta_pct: get("beta_pct", 100) as u32,
            lock_ttl_us: ms("lock_ttl_ms", 500),
            poll_us: ms("poll_ms", 20),
            write_policy: match get("write_policy", 0) {
                1 => WritePolicy::WriteThrough,
                2 => WritePolicy::WriteBehind,
                _ => WritePolicy::CacheAside,
            },
            write_every_us: ms("write_every_ms", 0),
            flush_us: ms("flush_ms", 500),
            bug: match get(BUG_PARAM, 0) {
                1 => Bug::LockUnchecked,
                2 => Bug::CoalesceForgets,
                _ => Bug::None,
            },
        };
        if u32::from(Self::n_apps(n_nodes)) > config.clients {
            return Err(format!(
                "{} app servers need at least as many clients, not {}",
                Self::n_apps(n_nodes),
                config.clients
            ));
        }
        Ok(config)
    }
}
