//! Where a scenario comes from: a file, or a lab (and preset) by name.

use failscope_sim::time::{Time, SECOND};
use failscope_sim::Scenario;

pub enum Source {
    File(String),
    Lab {
        lab: String,
        preset: Option<String>,
    },
    /// A share link pasted from the app (the whole URL or its `#s=` part).
    Link(String),
}

fn looks_like_link(text: &str) -> bool {
    text.contains("#s=") || text.starts_with("s=") || text.starts_with("1.")
}

impl Source {
    /// Parse the source from the front of `args`; return it and the remaining arguments.
    pub fn parse(args: &[String]) -> Result<(Source, &[String]), String> {
        match args {
            [flag, lab, rest @ ..] if flag == "--lab" => match rest {
                [p, preset, rest @ ..] if p == "--preset" => Ok((
                    Source::Lab {
                        lab: lab.clone(),
                        preset: Some(preset.clone()),
                    },
                    rest,
                )),
                _ => Ok((
                    Source::Lab {
                        lab: lab.clone(),
                        preset: None,
                    },
                    rest,
                )),
            },
            [link, rest @ ..] if looks_like_link(link) => Ok((Source::Link(link.clone()), rest)),
            [path, rest @ ..] if !path.starts_with("--") => Ok((Source::File(path.clone()), rest)),
            _ => Err("give a scenario file or --lab ID [--preset ID]".into()),
        }
    }

    pub fn scenario(&self) -> Result<Scenario, String> {
        match self {
            Source::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                failscope_sim::json::from_slice(text.as_bytes())
                    .map_err(|e| format!("{path} is not a scenario: {e}"))
            }
            Source::Link(text) => failscope_labs::decode_link(text)
                .map(|run| run.scenario)
                .map_err(|e| format!("cannot open the link: {e}")),
            Source::Lab { lab, preset: None } => failscope_labs::find(lab)
                .map(|l| l.default_scenario(1))
                .ok_or_else(|| format!("no lab `{lab}` (see `failscope labs`)")),
            Source::Lab {
                lab,
                preset: Some(id),
            } => failscope_labs::preset(lab, id)
                .map(|p| p.scenario)
                .ok_or_else(|| format!("lab `{lab}` has no preset `{id}` (see `failscope labs`)")),
        }
    }

    /// How long to run when `--until` is not given: a link's moment, a preset's own
    /// length, else 10 s.
    pub fn default_duration(&self) -> Time {
        match self {
            Source::Link(text) => {
                failscope_labs::decode_link(text).map_or(10 * SECOND, |run| run.cursor_us)
            }
            Source::Lab {
                lab,
                preset: Some(id),
            } => failscope_labs::preset(lab, id).map_or(10 * SECOND, |p| p.duration_us),
            _ => 10 * SECOND,
        }
    }

    /// The source as command-line arguments (for reproduction commands).
    pub fn describe(&self) -> String {
        match self {
            Source::File(path) => path.clone(),
            Source::Link(text) => format!("'{text}'"),
            Source::Lab { lab, preset: None } => format!("--lab {lab}"),
            Source::Lab {
                lab,
                preset: Some(p),
            } => format!("--lab {lab} --preset {p}"),
        }
    }
}
