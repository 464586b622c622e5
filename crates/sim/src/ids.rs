//! Identifiers shared by every part of the engine.

use crate::json::write::ToJson;
use crate::json::{FromJson, Json, Reader};
use serde::Serialize;

/// A node (server) of the simulated system: an index `0..n_nodes`. Shown to people as `S1`, `S2`...
pub type NodeId = u16;

/// A simulated client process: an index `0..n_clients`. Shown as `C1`, `C2`...
pub type ClientId = u16;

/// A message, numbered in send order from 1 within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct MsgId(pub u64);

impl FromJson for MsgId {
    fn from_json(r: &mut Reader, value: &Json) -> MsgId {
        MsgId(u64::from_json(r, value))
    }
}

/// `S1` for node 0: people count from one.
pub fn node_name(node: NodeId) -> String {
    format!("S{}", u32::from(node) + 1)
}

/// `C1` for client 0.
pub fn client_name(client: ClientId) -> String {
    format!("C{}", u32::from(client) + 1)
}

impl ToJson for MsgId {
    fn to_json(&self) -> Json {
        self.0.to_json()
    }
}
