//! The guided presets: the herd with no protection, each of the four protections on the same
//! seed, a lock holder that crashes, XFetch with a thousand clients, and the three write
//! policies. Links take 1 ms; the key's TTL is 2 s and δ, the recompute time, 100 ms, so the
//! key expires at 2 s, 4 s and so on unless something renews it.

use super::checks::{STALE_READ_CHECK, WRITES_REACH_DB_CHECK};
use super::config::CACHE;
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

pub const N_NODES: u16 = 5;

pub fn scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, N_NODES);
    s.network.link.latency = Latency::Constant { us: MS };
    s
}

fn strategy(value: i64) -> Scenario {
    scenario(1).with_param("strategy", value)
}

fn writes(policy: i64) -> Scenario {
    scenario(1)
        .with_param("write_policy", policy)
        .with_param("write_every_ms", 300)
}

const CAST: &str = "S1 is the database, S2 the cache, S3 to S5 app servers sharing 200 clients, each reading one hot key about once a second: 200 reads a second. The cache keeps the value for 2 s; recomputing it takes the database 100 ms, four at a time.";

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "herd",
            title: "No protection: the herd",
            summary: "At expiry every read that misses asks the database to recompute.",
            scenario: strategy(0),
            duration_us: 5 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(2 * SECOND, "At 2 s the key expires. Every read that misses asks the database for the value, and keeps missing until the first recomputation is back in the cache, about 100 ms later: some twenty reads, twenty recomputations of the same value."),
                Chapter::at(2_200 * MS, "The database runs four at a time and queues the rest: the herd's work goes on for half a second after the cache is full again. With more clients the herd grows with them."),
            ],
        },
        Preset {
            id: "lock",
            title: "A regeneration lock",
            summary: "Only the server holding the lock recomputes; the rest wait.",
            scenario: strategy(1),
            duration_us: 5 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(2 * SECOND, "At 2 s the key expires. The first server to miss gets the lock from the cache and recomputes; the others are told to wait and ask again every 20 ms."),
                Chapter::at(2_200 * MS, "One recomputation per expiry. The price: reads wait for the value instead of getting one, so latency jumps by δ."),
            ],
        },
        Preset {
            id: "lock-holder-crash",
            title: "The lock holder crashes",
            summary: "Everyone waits until the lock's own TTL runs out.",
            scenario: strategy(1).with_fault(2_010 * MS, Action::Crash { node: 3 }),
            duration_us: 5 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(2 * SECOND, "At 2 s the key expires and one server takes the lock."),
                Chapter::at(2_010 * MS, "10 ms later that server crashes, lock in hand. The cache cannot tell a slow holder from a dead one: it keeps the lock for its full 500 ms TTL."),
                Chapter::at(2_500 * MS, "At 2.5 s the lock expires, the next server to ask takes it, and the value is back 100 ms later. Reads waited over half a second: pick the lock's TTL just above δ, not far above it."),
            ],
        },
        Preset {
            id: "xfetch",
            title: "Early expiration (XFetch)",
            summary: "Each read may recompute a little before expiry; a few do, never a herd.",
            scenario: strategy(2),
            duration_us: 9 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(SECOND, "With XFetch each read that hits rolls a die: it recomputes now if now − δ·β·ln(u) passes the expiry, u uniform in (0, 1]. Far from the expiry that almost never happens; within a few δ of it, it becomes likely."),
                Chapter::at(2 * SECOND, "A read a few hundred ms before the expiry won the roll, and the value was renewed in time: no miss, no herd, and no reader waited. Watch the bars: one to three recomputations per TTL, where the herd had twenty."),
            ],
        },
        Preset {
            id: "xfetch-fleet",
            title: "XFetch with a thousand clients",
            summary: "Five times the reads, still about three recomputations per TTL.",
            scenario: strategy(2).with_param("clients", 1_000),
            duration_us: 9 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same lab with 1,000 clients: a thousand reads a second."),
                Chapter::at(2 * SECOND, "More reads means more dice rolled, but each is less likely to win the further it is from the expiry: the first winner comes a little earlier, and the count per TTL stays at about three. Without protection it would be a hundred."),
            ],
        },
        Preset {
            id: "stale-while-revalidate",
            title: "Stale while revalidate",
            summary: "Serve the expired value at once while one server refreshes it.",
            scenario: strategy(3),
            duration_us: 5 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(2 * SECOND, "At 2 s the key expires, but the cache keeps the old value. The first read gets it, marked stale, with the right to refresh it; reads after it get the stale value too, at cache speed."),
                Chapter::at(2_200 * MS, "One recomputation per expiry and no waiting; the cost is the stale responses served for about δ."),
            ],
        },
        Preset {
            id: "coalescing",
            title: "Request coalescing",
            summary: "Each app server sends one fetch and shares its answer.",
            scenario: strategy(4),
            duration_us: 5 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(2 * SECOND, "At 2 s the key expires. Each app server sends one fetch to the database and parks every other read that misses behind it (single flight): three recomputations, one per app server."),
            ],
        },
        Preset {
            id: "cache-aside",
            title: "Writes: cache-aside",
            summary: "Write the database, then delete the cached value.",
            scenario: writes(0),
            duration_us: 3 * SECOND,
            chapters: vec![
                Chapter::at(0, "S5 also writes the key every 300 ms. Cache-aside: the write goes to the database and, once it is there, S5 deletes the cached value; the next read misses and fetches the new one."),
                Chapter::at(300 * MS, "Between the write's acknowledgement and the delete reaching the cache, and while the refetch is under way, reads still get the old value.").on_check(STALE_READ_CHECK),
            ],
        },
        Preset {
            id: "write-through",
            title: "Writes: write-through",
            summary: "The cache writes the database before answering.",
            scenario: writes(1),
            duration_us: 3 * SECOND,
            chapters: vec![
                Chapter::at(0, "Write-through: S5 writes to the cache, which stores the value and writes it to the database before acknowledging. A write takes two round trips, but an acknowledged write is in both places."),
            ],
        },
        Preset {
            id: "write-behind-crash",
            title: "Writes: write-behind and a crash",
            summary: "Fast acknowledgements, until the cache dies with dirty data.",
            scenario: writes(2).with_fault(2_250 * MS, Action::Crash { node: CACHE }),
            duration_us: 3 * SECOND,
            chapters: vec![
                Chapter::at(0, "Write-behind: the cache acknowledges a write as soon as it holds it and sends it to the database every 500 ms. Writes are as fast as a cache hit."),
                Chapter::at(2_250 * MS, "At 2.25 s the cache crashes holding a write it acknowledged but had not flushed. That write is gone: the client was told it succeeded. This is the trade-off write-behind makes, not a bug.").on_check(WRITES_REACH_DB_CHECK),
            ],
        },
    ]
}
