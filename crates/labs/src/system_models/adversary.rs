//! Paxos under the three network models: its settings drawn from the model (phase timeouts
//! from the delay bound, so that in the synchronous model every suspicion is right), and the
//! adversarial scheduler of the asynchronous one: it holds back any accept that would
//! complete a majority in its ballot, until the acceptor has promised a higher ballot and
//! the accept can only be refused. Every message still arrives; nothing is ever chosen.

use super::checks::ModelChecks;
use super::config::{self, Model};
use crate::paxos::{value_name, Adversary, Config, Flavour, Msg, Paxos, MARKS_KEPT};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::picture::Picture;
use failscope_sim::protocol::Hold;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// The system-models lab's Paxos.
#[derive(Clone, Debug)]
pub struct Models;

impl Flavour for Models {
    type Checker = ModelChecks;

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let model = config::model(params);
        if model == Model::Rounds {
            return Err("this run is Paxos on a network; FloodSet's synchronous rounds need a new run: open its preset".into());
        }
        let bound_ms = config::param(params, "bound_ms").max(1);
        let bug = config::bug(params);
        let mut own = Params::new();
        for (key, value) in [
            ("proposers", config::param(params, "proposers")),
            ("learners", 1),
            ("backoff", 1),
            ("backoff_ms", bound_ms),
            // Two delays and a millisecond: in the synchronous model a phase that takes
            // longer has truly lost a message or a node.
            ("retry_ms", 2 * bound_ms + 1),
            ("start_every_ms", 0),
            (
                BUG_PARAM,
                if bug == config::BUG_EMPTY_VALUE { 4 } else { 0 },
            ),
        ] {
            own.insert(key.into(), value);
        }
        let mut config = Config::parse(&own, n_nodes)?;
        config.adversary = match (model, bug) {
            (Model::Adversarial, config::BUG_LEAKY_ADVERSARY) => Adversary::Leaky,
            (Model::Adversarial, _) => Adversary::On,
            _ => Adversary::Off,
        };
        config.gst_us = (model == Model::PartiallySynchronous)
            .then(|| config::param(params, "gst_ms") as Time * MS);
        Ok(config)
    }

    fn pictures(config: &Config, nodes: &Nodes<'_, Paxos<Models>>, now: Time) -> Vec<Picture> {
        super::pictures::paxos(config, nodes, now)
    }

    fn adversary(
        config: &Config,
        nodes: &Nodes<'_, Paxos<Models>>,
        to: NodeId,
        msg: &Msg,
    ) -> Option<Hold> {
        let &Msg::Accept { ballot, value } = msg else {
            return None;
        };
        if config.adversary != Adversary::On || ballot < nodes.state(to)?.promised()? {
            return None;
        }
        // Who has accepted in this ballot, now or before: an acceptor's recent ballots are
        // on its disk; one whose memory no longer reaches back that far may have.
        let mut unsure = false;
        let others = config
            .acceptors()
            .filter(|&a| a != to)
            .filter(|&a| {
                let Some(d) = nodes.durable(a) else {
                    return false;
                };
                let known = d
                    .marks
                    .iter()
                    .any(|m| m.ballot == ballot && m.accepted.is_some());
                let forgotten = d.marks.len() >= MARKS_KEPT
                    && d.marks.first().is_some_and(|m| m.ballot > ballot);
                unsure |= forgotten && !known;
                known || forgotten
            })
            .count();
        (others + 1 >= config.majority()).then(|| Hold {
            for_us: config.retry_us,
            why: format!(
                "adversary: held {}'s accept of {} in {} to {}: it {} have decided",
                node_name(ballot.proposer),
                value_name(value),
                ballot.name(),
                node_name(to),
                if unsure { "might" } else { "would" }
            ),
        })
    }
}
