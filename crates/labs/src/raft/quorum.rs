//! Quorum arithmetic, kept apart so it can be checked by table (as raft-rs does).

/// Votes (or acknowledgements) needed out of `n_nodes`: a strict majority.
pub fn majority(n_nodes: usize) -> usize {
    n_nodes / 2 + 1
}

/// The highest log index stored on at least `quorum` of the nodes, given every node's match
/// index (the leader counts its own last index). 0 when no index reaches the quorum.
/// `match_indexes` is scratch space: it is left sorted, highest first. (The caller copies
/// into a buffer on its stack: this runs on every acknowledgement a leader receives, so it
/// must neither allocate nor clear a large buffer.)
pub fn quorum_index(match_indexes: &mut [u64], quorum: usize) -> u64 {
    if quorum == 0 || quorum > match_indexes.len() {
        return 0;
    }
    match_indexes.sort_unstable_by(|a, b| b.cmp(a));
    match_indexes[quorum - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majorities() {
        for (n, expected) in [
            (1, 1),
            (2, 2),
            (3, 2),
            (4, 3),
            (5, 3),
            (6, 4),
            (7, 4),
            (15, 8),
        ] {
            assert_eq!(majority(n), expected, "n = {n}");
        }
    }

    #[test]
    fn quorum_indexes() {
        let table: &[(&[u64], usize, u64)] = &[
            (&[5, 5, 5, 5, 5], 3, 5),
            (&[7, 5, 3, 0, 0], 3, 3),
            (&[7, 0, 0, 0, 0], 3, 0),
            (&[9, 8, 0, 0, 0], 3, 0),
            (&[9, 8, 7, 0, 0], 3, 7),
            (&[4], 1, 4),
            (&[4, 2], 2, 2),
            (&[4, 2], 3, 0),
        ];
        for &(matches, quorum, expected) in table {
            assert_eq!(
                quorum_index(&mut matches.to_vec(), quorum),
                expected,
                "{matches:?} q={quorum}"
            );
        }
    }
}
