//! What the views draw: a plain snapshot of a run at its cursor, with no engine types in it.

use crate::ids::{MsgId, NodeId};
use crate::protocol::NodeState;
use crate::time::Time;
use crate::world::{MessagePlace, NodeStatus};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct View {
    pub time: Time,
    pub nodes: Vec<NodeView>,
    /// Messages in flight, by id.
    pub messages: Vec<MessageView>,
    pub network: NetworkView,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeView {
    pub id: NodeId,
    pub name: String,
    pub status: NodeStatus,
    pub state: NodeState,
    pub timers: Vec<TimerView>,
    pub clock: ClockView,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimerView {
    pub name: &'static str,
    pub set_at: Time,
    pub deadline: Time,
}

impl TimerView {
    /// How much of the timer has run at `now`, in thousandths (for arcs).
    pub fn progress_permille(&self, now: Time) -> u32 {
        let span = self.deadline.saturating_sub(self.set_at).max(1);
        let done = now.saturating_sub(self.set_at).min(span);
        (done * 1_000 / span) as u32
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ClockView {
    pub wall_us: i64,
    pub monotonic_us: i64,
    pub offset_us: i64,
    pub drift_ppm: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageView {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    /// Index into the lab's message kinds.
    pub kind: u8,
    pub sent_at: Time,
    pub deliver_at: Time,
    pub place: MessagePlace,
}

impl MessageView {
    /// How far along its link the message is at `now`, in thousandths.
    pub fn progress_permille(&self, now: Time) -> u32 {
        if self.place != MessagePlace::Flying {
            return 1_000;
        }
        let span = self.deliver_at.saturating_sub(self.sent_at).max(1);
        let done = now.saturating_sub(self.sent_at).min(span);
        (done * 1_000 / span) as u32
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct NetworkView {
    /// Partition group per node; equal numbers can talk.
    pub groups: Vec<u8>,
    pub cuts: Vec<(NodeId, NodeId)>,
    pub clogs: Vec<(NodeId, NodeId)>,
}

impl NetworkView {
    pub fn is_partitioned(&self) -> bool {
        self.groups.windows(2).any(|w| w[0] != w[1]) || !self.cuts.is_empty()
    }

    pub fn can_reach(&self, from: NodeId, to: NodeId) -> bool {
        let g = |n: NodeId| self.groups.get(usize::from(n)).copied().unwrap_or(0);
        g(from) == g(to) && !self.cuts.contains(&(from, to))
    }
}
