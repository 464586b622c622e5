//! The release bundle, and what each page of it downloads.
//!
//! Everything is built here, in four steps: the web crate with its `split` feature;
//! `wasm-split-cli` cutting it into a main module plus one chunk per lab (and chunks shared by
//! several labs); `wasm-bindgen` for the main module; `wasm-opt` on every module. (Trunk 0.21
//! cannot split a wasm binary and will not build a page without one, so it is not used.) The
//! modules go into `dist/app-<hash>/` (a new name whenever the code changes, so a browser
//! never mixes chunks of two builds); `index.html` at the root is the page template, whose
//! stylesheet is copied under a content-hashed name and which gets the script that starts
//! the app; `www/*-demo.html` pages are copied as they are.
//!
//! Sizes are counted per page: the home page fetches the shell (HTML, CSS, the main module,
//! its JS); a lab's page fetches the shell plus that lab's chunk and the shared chunks it
//! needs, as listed in the split loader `__wasm_split.js`, plus the chunks of the picture
//! kinds the lab draws (listed in the generated catalogue).

use crate::cmd::{self, command, run, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the budgets live: one file, so tightening one is a one-line change.
const BUDGET_FILE: &str = "budgets.toml";

/// Flags binaryen needs to keep wasm-bindgen's output intact (see TOOLCHAIN notes in README).
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-sign-ext",
];

/// The split loader wasm-split-cli writes beside the modules.
const SPLIT_LOADER: &str = "__wasm_split.js";

pub fn dist_dir() -> PathBuf {
    cmd::root().join("dist")
}

fn stage_dir() -> PathBuf {
    cmd::root().join("target").join("split-stage")
}

/// A file of the bundle with its sizes.
#[derive(Clone, Debug)]
pub struct FileSize {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
}

/// What opening one page downloads.
#[derive(Clone, Debug)]
pub struct PageBytes {
    /// "home", or a lab's loader name (the lab id with `_` for `-`).
    pub page: String,
    /// The lab's own chunk (0 for the home page).
    pub own_gzip: u64,
    /// The other chunks this page fetches: those its chunk shares with other splits, and
    /// the chunks of the picture kinds the lab draws (and theirs).
    pub shared_chunks_gzip: u64,
    pub total_gzip: u64,
}

#[derive(Clone, Debug)]
pub struct Budgets {
    /// Everything one page fetches (home, or any one lab), gzip.
    pub page_gzip_bytes: u64,
    /// The home page with no lab registered, gzip (measured by `cargo xtask bench`).
    pub shell_gzip_bytes: u64,
    /// What one registered lab may add to the home page and to every other lab's page.
    pub lab_marginal_gzip_bytes: u64,
    /// What opening a lab from a share link may add to its page: the link reader.
    pub link_reader_gzip_bytes: u64,
}

pub struct BundleReport {
    pub files: Vec<FileSize>,
    /// The home page first, then each lab's page.
    pub pages: Vec<PageBytes>,
    /// Chunks fetched on demand (a feature such as the link reader or the history checkers, a
    /// picture kind, a panel not shown when a page opens), each as if it were a page.
    pub features: Vec<PageBytes>,
    /// Each lab's page opened from a share link: the page plus the link reader (whose part
    /// is budgeted, see `budgets.toml`).
    pub from_links: Vec<PageBytes>,
    pub n_labs: u64,
    /// What every page fetches before any chunk: HTML, CSS, JS and the main module.
    pub shell_gzip: u64,
    pub budgets: Budgets,
    /// The names of `core`'s float formatting and parsing functions found in the main
    /// module (empty when it has none; see [`FLOAT_CODE`]).
    pub float_code_in_main: Vec<&'static str>,
}

/// Name fragments of `core`'s float formatter and parser, which cost every page about
/// 30 KB raw: the web crate formats and parses numbers with `failscope_web::decimal`
/// instead, and one `{}` of an `f64` (or an `f64::clamp`, whose panic message prints its
/// bounds) anywhere in the main module brings them back.
const FLOAT_CODE: [&str; 3] = ["flt2dec", "dec2flt", "float_to_decimal"];

impl BundleReport {
    pub fn home(&self) -> &PageBytes {
        &self.pages[0]
    }

    /// The most the home page may weigh with this many labs registered.
    pub fn home_budget(&self) -> u64 {
        self.budgets.shell_gzip_bytes + self.budgets.lab_marginal_gzip_bytes * self.n_labs
    }

    /// What opening each lab from a share link adds to its page, by lab: the link reader
    /// and the chunks it shares that the page does not fetch anyway.
    pub fn link_reader_bytes(&self) -> Vec<(&str, u64)> {
        self.from_links
            .iter()
            .filter_map(|link| {
                let lab = link.page.strip_suffix(" (link)")?;
                let page = self.pages.iter().find(|p| p.page == lab)?;
                Some((lab, link.total_gzip.saturating_sub(page.total_gzip)))
            })
            .collect()
    }

    /// Every way the bundle is over budget, in words (empty when within).
    pub fn over_budget(&self) -> Vec<String> {
        let mut problems = Vec::new();
        // A page opened from a share link is a page too: it is held to the same budget.
        for page in self.pages.iter().chain(&self.from_links) {
            if page.total_gzip > self.budgets.page_gzip_bytes {
                problems.push(format!(
                    "opening {} fetches {:.1} KB gzip, over the page budget of {:.1} KB",
                    page.page,
                    kb(page.total_gzip),
                    kb(self.budgets.page_gzip_bytes)
                ));
            }
        }
        for (lab, added) in self.link_reader_bytes() {
            if added > self.budgets.link_reader_gzip_bytes {
                problems.push(format!(
                    "opening {lab} from a share link adds {:.1} KB gzip (the link reader), over its budget of {:.1} KB",
                    kb(added),
                    kb(self.budgets.link_reader_gzip_bytes)
                ));
            }
        }
        if !self.float_code_in_main.is_empty() {
            problems.push(format!(
                "the main module contains core's float formatting or parsing ({}): some code every page runs formats an f64 with `{{}}`, parses one with `parse`, or calls `f64::clamp`; use `failscope_web::decimal` or `layout::coord`",
                self.float_code_in_main.join(", ")
            ));
        }
        if self.home().total_gzip > self.home_budget() {
            problems.push(format!(
                "the home page fetches {:.1} KB gzip, over {:.1} KB = the shell's {:.1} KB + {} labs x {:.1} KB: a lab's code is reaching the main module",
                kb(self.home().total_gzip),
                kb(self.home_budget()),
                kb(self.budgets.shell_gzip_bytes),
                self.n_labs,
                kb(self.budgets.lab_marginal_gzip_bytes)
            ));
        }
        problems
    }

    pub fn print(&self) {
        for f in &self.files {
            println!(
                "  {:<44} {:>8.1} KB raw {:>8.1} KB gzip",
                f.name,
                kb(f.raw),
                kb(f.gzip)
            );
        }
        println!(
            "  {:<16} {:>14} {:>16} {:>14}",
            "page", "own chunk", "other chunks", "total fetched"
        );
        for p in self
            .pages
            .iter()
            .chain(&self.from_links)
            .chain(&self.features)
        {
            println!(
                "  {:<16} {:>11.1} KB {:>13.1} KB {:>11.1} KB",
                p.page,
                kb(p.own_gzip),
                kb(p.shared_chunks_gzip),
                kb(p.total_gzip)
            );
        }
        println!(
            "budgets ({BUDGET_FILE}): each page <= {:.1} KB gzip; home <= {:.1} KB (shell {:.1} KB + {} labs x {:.1} KB); the link reader adds <= {:.1} KB",
            kb(self.budgets.page_gzip_bytes),
            kb(self.home_budget()),
            kb(self.budgets.shell_gzip_bytes),
            self.n_labs,
            kb(self.budgets.lab_marginal_gzip_bytes),
            kb(self.budgets.link_reader_gzip_bytes)
        );
    }
}

/// Build `dist/` in release mode, with a wasm chunk per lab.
pub fn build_release() -> Result<BundleReport> {
    build_with_features("split")
}

/// The same bundle with no lab registered (what every lab adds to the shell is measured
/// against it).
pub fn build_shell_only() -> Result<BundleReport> {
    build_with_features("split,no-labs")
}

fn build_with_features(features: &str) -> Result<BundleReport> {
    run(command(
        "cargo",
        &[
            "build",
            "--quiet",
            "-p",
            "failscope-web",
            "--bin",
            "failscope-web",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            features,
        ],
    ))?;
    let stage = stage_dir();
    let _ = std::fs::remove_dir_all(&stage);
    let linked = cmd::root()
        .join("target")
        .join("wasm32-unknown-unknown")
        .join("release")
        .join("failscope-web.wasm");
    run(command(
        "wasm-split-cli",
        &[
            "--target",
            "web",
            "--out-name",
            "main",
            &linked.to_string_lossy(),
            &stage.to_string_lossy(),
        ],
    ))?;
    let main = stage.join("main.wasm");
    // The split modules still carry the function names here (wasm-opt strips them).
    let main_bytes = std::fs::read(&main).map_err(|e| format!("{}: {e}", main.display()))?;
    let float_code_in_main: Vec<&'static str> = FLOAT_CODE
        .into_iter()
        .filter(|name| contains(&main_bytes, name.as_bytes()))
        .collect();
    run(command(
        "wasm-bindgen",
        &[
            &main.to_string_lossy(),
            "--out-dir",
            &stage.to_string_lossy(),
            "--out-name",
            "main",
            "--target",
            "web",
            "--no-typescript",
            "--keep-lld-exports",
        ],
    ))?;
    std::fs::remove_file(&main).map_err(|e| format!("{}: {e}", main.display()))?;
    optimise_all(files_in(&stage, ".wasm")?)?;
    let dist = dist_dir();
    let _ = std::fs::remove_dir_all(&dist);
    let app_dir = format!("app-{:016x}", hash_dir(&stage)?);
    let target = dist.join(&app_dir);
    std::fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    for file in files_in(&stage, "")? {
        let name = file.file_name().unwrap_or_default();
        std::fs::copy(&file, target.join(name)).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    write_pages(&app_dir)?;
    let mut report = measure()?;
    report.float_code_in_main = float_code_in_main;
    Ok(report)
}

/// `wasm-opt -Oz` on every module, as many at a time as there are cores: a bundle has a
/// couple of hundred modules, and each run spends most of its time starting binaryen.
fn optimise_all(files: Vec<PathBuf>) -> Result {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let queue = std::sync::Mutex::new(files);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result {
                    loop {
                        let next = queue.lock().map_err(|_| "a worker panicked")?.pop();
                        let Some(wasm) = next else { return Ok(()) };
                        let path = wasm.to_string_lossy().into_owned();
                        let mut args = vec!["-Oz", "--strip-debug", "--strip-producers"];
                        args.extend_from_slice(WASM_OPT_FEATURES);
                        args.extend_from_slice(&[path.as_str(), "-o", path.as_str()]);
                        run(command("wasm-opt", &args))?;
                    }
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err("a wasm-opt worker panicked".into()))
        })
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `dist/index.html` from the template at the root, with its stylesheet and icon copied
/// beside it, plus the demo pages.
fn write_pages(app_dir: &str) -> Result {
    let root = cmd::root();
    let dist = dist_dir();
    let read = |path: &Path| std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()));
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dist.join(name), bytes).map_err(|e| format!("dist/{name}: {e}"))
    };
    let css = read(&root.join("www/style.css"))?;
    let css_name = format!("style-{:016x}.css", fnv1a(&css));
    write(&css_name, &css)?;
    write("favicon.svg", &read(&root.join("www/favicon.svg"))?)?;
    // The <failscope-lab> tag: it finds the app beside itself, so it keeps a fixed name. Its
    // types and custom-elements manifest sit beside it, and dist/npm/ is the same tag as an
    // npm package folder (never published by the build).
    for file in TAG_FILES {
        write(file, &read(&root.join("www").join(file))?)?;
    }
    write_npm_package(&dist.join("npm"))?;
    for demo in files_in(&root.join("www"), "-demo.html")? {
        let name = demo.file_name().unwrap_or_default().to_string_lossy();
        write(&name, &read(&demo)?)?;
    }
    let template = String::from_utf8(read(&root.join("index.html"))?)
        .map_err(|_| "index.html is not UTF-8".to_string())?;
    for tag in ["href=\"www/style.css\"", "href=\"www/favicon.svg\""] {
        if !template.contains(tag) {
            return Err(format!("index.html no longer has {tag}"));
        }
    }
    let html = template
        .replace("href=\"www/style.css\"", &format!("href=\"./{css_name}\""))
        .replace("href=\"www/favicon.svg\"", "href=\"./favicon.svg\"");
    // Relative URLs, so the app works from any path it is hosted under.
    let tags = format!(
        r#"<link rel="modulepreload" href="./{app_dir}/main.js" />
    <link rel="preload" href="./{app_dir}/main_bg.wasm" as="fetch" type="application/wasm" crossorigin />
    <script type="module">import init from "./{app_dir}/main.js"; init({{ module_or_path: new URL("./{app_dir}/main_bg.wasm", import.meta.url) }});</script>
  </head>"#
    );
    if !html.contains("</head>") {
        return Err("index.html has no </head>".into());
    }
    write("index.html", html.replacen("</head>", &tags, 1).as_bytes())
}

/// The `<failscope-lab>` tag's files, in `www/`: copied beside the app and into the package.
pub const TAG_FILES: &[&str] = &["embed.js", "embed.d.ts", "custom-elements.json"];

/// The npm-ready package folder of the tag: its files plus `www/npm/`'s package.json and
/// README.md. `npm pack` in it makes the tarball (the build does not publish it).
pub fn write_npm_package(dest: &Path) -> Result {
    let www = cmd::root().join("www");
    std::fs::create_dir_all(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    let sources = TAG_FILES
        .iter()
        .map(|f| www.join(f))
        .chain(["package.json", "README.md"].map(|f| www.join("npm").join(f)));
    for source in sources {
        let name = source.file_name().unwrap_or_default();
        std::fs::copy(&source, dest.join(name))
            .map_err(|e| format!("{}: {e}", source.display()))?;
    }
    Ok(())
}

/// Sizes of every page of `dist/`: the shell and each lab.
pub fn measure() -> Result<BundleReport> {
    let dist = dist_dir();
    let app = std::fs::read_dir(&dist)
        .map_err(|e| format!("no dist/: {e}"))?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("app-"))
        })
        .ok_or("dist/ has no app-* folder: build it with `cargo xtask serve` or `test`")?;
    let mut sizes = BTreeMap::new();
    let mut files = Vec::new();
    for path in files_in(&dist, "")?.into_iter().chain(files_in(&app, "")?) {
        let name = path
            .strip_prefix(&dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let counted = [".wasm", ".js", ".css", ".html"]
            .iter()
            .any(|ext| name.ends_with(ext));
        // Demo pages are pages of their own, and the tag's script, types and npm folder are
        // for pages that embed the app: none of them is fetched by the app's own pages.
        let for_embedders = TAG_FILES.contains(&name.as_str()) || name.starts_with("npm/");
        if !counted || name.ends_with("-demo.html") || for_embedders {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{name}: {e}"))?;
        let size = FileSize {
            name: name.clone(),
            raw: bytes.len() as u64,
            gzip: gzip_size(&bytes),
        };
        sizes.insert(name, size.gzip);
        files.push(size);
    }
    let app_name = app
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let loader_path = app.join(SPLIT_LOADER);
    let loader = std::fs::read_to_string(&loader_path)
        .map_err(|e| format!("{}: {e}", loader_path.display()))?;
    let splits = parse_split_loader(&loader);
    let is_chunk = |name: &str| {
        let file = name.rsplit('/').next().unwrap_or(name);
        file.starts_with("split_") || file.starts_with("chunk_")
    };
    let shell: u64 = sizes
        .iter()
        .filter(|(name, _)| !is_chunk(name))
        .map(|(_, gz)| gz)
        .sum();
    let size_of = |file: &str| {
        sizes
            .get(&format!("{app_name}/{file}"))
            .copied()
            .unwrap_or(0)
    };
    let mut pages = vec![PageBytes {
        page: "home".into(),
        own_gzip: 0,
        shared_chunks_gzip: 0,
        total_gzip: shell,
    }];
    let mut features = Vec::new();
    let mut from_links = Vec::new();
    let kinds_of_lab = lab_picture_kinds()?;
    let by_name: BTreeMap<&str, &Split> = splits.iter().map(|s| (s.name.as_str(), s)).collect();
    for split in &splits {
        let own = size_of(&split.file);
        // A lab's page also fetches the chunks of the picture kinds it draws.
        let mut needed: Vec<&str> = split.chunks.iter().map(String::as_str).collect();
        for kind in kinds_of_lab.get(&split.name).into_iter().flatten() {
            if let Some(picture) = by_name.get(picture_split(kind).as_str()) {
                needed.push(&picture.file);
                needed.extend(picture.chunks.iter().map(String::as_str));
            }
        }
        needed.sort_unstable();
        needed.dedup();
        let shared: u64 = needed.iter().map(|c| size_of(c)).sum();
        if split.name == HOME_SPLIT {
            // The home page fetches the picker as it opens.
            pages[0].own_gzip = own;
            pages[0].shared_chunks_gzip = shared;
            pages[0].total_gzip = shell + own + shared;
            continue;
        }
        // A split is a lab's page when the catalogue lists the lab; every other split is
        // fetched on demand (a feature, a picture kind, a panel not shown when a page opens).
        let feature = !kinds_of_lab.contains_key(&split.name);
        let page = PageBytes {
            page: if feature {
                format!("({} on demand)", split.name)
            } else {
                split.name.clone()
            },
            own_gzip: own,
            shared_chunks_gzip: shared,
            total_gzip: shell + own + shared,
        };
        if feature {
            features.push(page);
        } else {
            // The same lab opened from a share link fetches the link reader too.
            if let Some(reader) = by_name.get(LINK_READER) {
                needed.push(&reader.file);
                needed.extend(reader.chunks.iter().map(String::as_str));
                needed.sort_unstable();
                needed.dedup();
                let shared: u64 = needed.iter().map(|c| size_of(c)).sum();
                from_links.push(PageBytes {
                    page: format!("{} (link)", split.name),
                    own_gzip: own,
                    shared_chunks_gzip: shared,
                    total_gzip: shell + own + shared,
                });
            }
            pages.push(page);
        }
    }
    Ok(BundleReport {
        files,
        n_labs: (pages.len() - 1) as u64,
        shell_gzip: shell,
        features,
        from_links,
        pages,
        budgets: read_budgets()?,
        float_code_in_main: vec![],
    })
}

/// The split the home page fetches as it opens: the lab picker with the labs' blurbs.
const HOME_SPLIT: &str = "lab_picker";

/// The split that reads share links and scenario files (`failscope_labs::codec`).
const LINK_READER: &str = "codec";

/// The split of a picture kind's component: `picture_` and the kind with `_` for `-`.
const PICTURE_PREFIX: &str = "picture_";

fn picture_split(kind: &str) -> String {
    format!("{PICTURE_PREFIX}{}", kind.replace('-', "_"))
}

/// The generated catalogue, which lists the picture kinds each lab draws.
const CATALOGUE: &str = "crates/labs/src/catalogue.rs";

/// Each lab's picture kinds by its loader name, read from the catalogue the labs' own test
/// generates (and keeps in step with the labs).
fn lab_picture_kinds() -> Result<BTreeMap<String, Vec<String>>> {
    let path = cmd::root().join(CATALOGUE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(parse_picture_kinds(&text))
}

/// `id: "hash-ring",` … `pictures: &["bars", "ring"],` per lab entry, in order.
fn parse_picture_kinds(text: &str) -> BTreeMap<String, Vec<String>> {
    let quoted = |s: &str| -> Vec<String> {
        s.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut kinds = BTreeMap::new();
    let mut lab = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("id: ") {
            if !line.contains("PresetInfo") {
                lab = quoted(rest)
                    .into_iter()
                    .next()
                    .map(|id| id.replace('-', "_"));
            }
        } else if let Some(rest) = line.strip_prefix("pictures: ") {
            if let Some(id) = lab.take() {
                kinds.insert(id, quoted(rest));
            }
        }
    }
    kinds
}

/// One lazily loaded split: its file and the shared chunks it needs first.
#[derive(Debug, PartialEq)]
struct Split {
    name: String,
    file: String,
    chunks: Vec<String>,
}

/// Read `__wasm_split.js`: `export const __wasm_split_load_<name> = … "./split_<name>.wasm"
/// … [__chunk_5, __chunk_7]` per split.
fn parse_split_loader(js: &str) -> Vec<Split> {
    const EXPORT: &str = "export const __wasm_split_load_";
    let mut splits = Vec::new();
    for (i, _) in js.match_indices(EXPORT) {
        let rest = &js[i + EXPORT.len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let body = rest.split(EXPORT).next().unwrap_or(rest);
        let chunks = body
            .rsplit_once('[')
            .map(|(_, list)| list.split(']').next().unwrap_or(""))
            .unwrap_or("")
            .split(',')
            .filter_map(|c| c.trim().strip_prefix("__chunk_"))
            .map(|n| format!("chunk_{n}.wasm"))
            .collect();
        splits.push(Split {
            file: format!("split_{name}.wasm"),
            name,
            chunks,
        });
    }
    splits
}

fn kb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

/// gzip size = deflate stream + 18 bytes of gzip header and trailer.
fn gzip_size(bytes: &[u8]) -> u64 {
    miniz_oxide::deflate::compress_to_vec(bytes, 9).len() as u64 + 18
}

fn read_budgets() -> Result<Budgets> {
    let text = std::fs::read_to_string(cmd::root().join(BUDGET_FILE))
        .map_err(|e| format!("cannot read {BUDGET_FILE}: {e}"))?;
    let value = |key: &str| -> Result<u64> {
        text.lines()
            .filter_map(|line| line.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .and_then(|(_, v)| v.trim().replace('_', "").parse().ok())
            .ok_or_else(|| format!("{BUDGET_FILE} has no `{key} = <bytes>` line"))
    };
    Ok(Budgets {
        page_gzip_bytes: value("page_gzip_bytes")?,
        shell_gzip_bytes: value("shell_gzip_bytes")?,
        lab_marginal_gzip_bytes: value("lab_marginal_gzip_bytes")?,
        link_reader_gzip_bytes: value("link_reader_gzip_bytes")?,
    })
}

/// The files directly in `dir` whose names end with `suffix`, sorted.
fn files_in(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    Ok(files)
}

/// FNV-1a over the names and contents of the files in `dir`.
fn hash_dir(dir: &Path) -> Result<u64> {
    let mut all = Vec::new();
    for file in files_in(dir, "")? {
        all.extend(file.file_name().unwrap_or_default().as_encoded_bytes());
        all.extend(std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?);
    }
    Ok(fnv1a(&all))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_pack_turns_the_tag_package_into_a_tarball_of_its_files() {
        let dir = std::env::temp_dir().join(format!("failscope-npm-{}", std::process::id()));
        let package = dir.join("package");
        let _ = std::fs::remove_dir_all(&dir);
        write_npm_package(&package).unwrap();
        // A local folder packs offline; nothing is published.
        let out = std::process::Command::new("npm")
            .args(["pack", "--offline", "--silent", "--pack-destination"])
            .arg(&dir)
            .current_dir(&package)
            .output()
            .expect("npm is installed (the e2e tests need it too)");
        assert!(
            out.status.success(),
            "npm pack: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tarball = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(tarball.ends_with(".tgz"), "npm pack printed {tarball:?}");
        let listing = std::process::Command::new("tar")
            .arg("-tzf")
            .arg(dir.join(&tarball))
            .output()
            .unwrap();
        let listed = String::from_utf8_lossy(&listing.stdout);
        for file in TAG_FILES.iter().chain(&["package.json", "README.md"]) {
            assert!(
                listed.lines().any(|l| l == format!("package/{file}")),
                "{file} is not in {tarball}: {listed}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn picture_kinds_are_read_per_lab_from_the_catalogue() {
        let text = r#"
    LabInfo {
        id: "hash-ring",
        title: "Consistent hashing",
        presets: &[
            PresetInfo { id: "add-node", title: "Adding a server", summary: "x" },
        ],
        pictures: &["bars", "ring"],
    },
    LabInfo {
        id: "raft",
        presets: &[],
        pictures: &["grid"],
    },"#;
        let kinds = parse_picture_kinds(text);
        assert_eq!(kinds["hash_ring"], ["bars", "ring"]);
        assert_eq!(kinds["raft"], ["grid"]);
        assert_eq!(kinds.len(), 2);
        assert_eq!(picture_split("time-series"), "picture_time_series");
    }

    #[test]
    fn the_split_loader_names_each_split_and_its_chunks() {
        let js = r#"
const __chunk_5 = makeLoad(() => {}, []);
export const __wasm_split_load_hash_ring = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_hash_ring.wasm", import.meta.url));
}
, [__chunk_5, __chunk_12]));
export const __wasm_split_load_raft = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_raft.wasm", import.meta.url));
}
, []));
"#;
        assert_eq!(
            parse_split_loader(js),
            vec![
                Split {
                    name: "hash_ring".into(),
                    file: "split_hash_ring.wasm".into(),
                    chunks: vec!["chunk_5.wasm".into(), "chunk_12.wasm".into()],
                },
                Split {
                    name: "raft".into(),
                    file: "split_raft.wasm".into(),
                    chunks: vec![],
                },
            ]
        );
    }

    #[test]
    fn the_home_budget_grows_by_the_marginal_allowance_per_lab() {
        let report = BundleReport {
            files: vec![],
            features: vec![],
            from_links: vec![],
            pages: vec![PageBytes {
                page: "home".into(),
                own_gzip: 0,
                shared_chunks_gzip: 0,
                total_gzip: 330_000,
            }],
            n_labs: 4,
            shell_gzip: 0,
            budgets: Budgets {
                page_gzip_bytes: 400_000,
                shell_gzip_bytes: 300_000,
                lab_marginal_gzip_bytes: 10_000,
                link_reader_gzip_bytes: 15_000,
            },
            float_code_in_main: vec![],
        };
        assert_eq!(report.home_budget(), 340_000);
        assert!(report.over_budget().is_empty());
        let heavy = BundleReport {
            pages: vec![PageBytes {
                total_gzip: 345_000,
                ..report.pages[0].clone()
            }],
            ..report
        };
        assert_eq!(heavy.over_budget().len(), 1);
        let with_floats = BundleReport {
            float_code_in_main: vec!["flt2dec"],
            ..heavy
        };
        let problems = with_floats.over_budget();
        assert_eq!(problems.len(), 2);
        assert!(problems[0].contains("float formatting or parsing (flt2dec)"));
    }

    #[test]
    fn the_link_reader_is_held_to_what_it_adds_to_each_page() {
        let page = |name: &str, total_gzip| PageBytes {
            page: name.into(),
            own_gzip: 0,
            shared_chunks_gzip: 0,
            total_gzip,
        };
        let report = BundleReport {
            files: vec![],
            features: vec![],
            pages: vec![
                page("home", 300_000),
                page("raft", 350_000),
                page("ring", 380_000),
            ],
            from_links: vec![page("raft (link)", 364_000), page("ring (link)", 396_000)],
            n_labs: 2,
            shell_gzip: 0,
            budgets: Budgets {
                page_gzip_bytes: 400_000,
                shell_gzip_bytes: 300_000,
                lab_marginal_gzip_bytes: 10_000,
                link_reader_gzip_bytes: 15_000,
            },
            float_code_in_main: vec![],
        };
        assert_eq!(
            report.link_reader_bytes(),
            vec![("raft", 14_000), ("ring", 16_000)]
        );
        let problems = report.over_budget();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("opening ring from a share link adds 15.6 KB"));
        let heavy_link = BundleReport {
            from_links: vec![page("raft (link)", 364_000), page("ring (link)", 401_000)],
            ..report
        };
        let problems = heavy_link.over_budget();
        assert!(
            problems[0]
                .starts_with("opening ring (link) fetches 391.6 KB gzip, over the page budget"),
            "{problems:?}"
        );
    }
}
