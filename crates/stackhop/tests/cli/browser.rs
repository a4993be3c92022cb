//! The HTML report in a real browser. Headless Chromium opens the page of `compare --example
//! medium` and of a simulation whose nova sync fails, dumps the DOM it built from each and takes
//! a screenshot; pages and screenshots are kept in `target/browser/`. The DOM must hold every
//! phase and capability, every bar inside its chart and nested as drawn (an SVG element left
//! open would swallow the ones after it), and the failing step marked failed.
//!
//! Chromium is Debian's `chromium`, or the program `STACKHOP_CHROMIUM` names. Where it is not
//! installed or does not start, the test says so on standard error and does nothing more;
//! `.ci/run` installs it and sets `STACKHOP_BROWSER_REQUIRED=1`, which makes that a failure.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{MEDIUM_NOVA_SYNC_FAILS, json, stackhop, temp_dir, write};
use crate::dom::Dom;

/// The flags every run gets: no sandbox (CI runs as root), nothing fetched in the background.
const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];
/// A browser that has not finished by then is stuck, not slow.
const STUCK: Duration = Duration::from_secs(300);
/// The screenshots' width; pages are drawn for it.
const WIDTH: u32 = 1280;

struct Chromium {
    program: PathBuf,
}

/// Says why the test cannot run: on standard error when the browser is optional (written to
/// the stream itself, which the test harness does not capture), as a failure when CI requires
/// it.
fn cannot_run(reason: &str) {
    if std::env::var("STACKHOP_BROWSER_REQUIRED").as_deref() == Ok("1") {
        panic!("the browser test must run (STACKHOP_BROWSER_REQUIRED=1) but {reason}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "browser test skipped: {reason} (install Debian's chromium, or set STACKHOP_CHROMIUM)"
    );
}

fn find_chromium() -> Option<Chromium> {
    if let Some(program) = std::env::var_os("STACKHOP_CHROMIUM") {
        return Some(Chromium {
            program: program.into(),
        });
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"]
        .into_iter()
        .find_map(|name| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
                .map(|program| Chromium { program })
        })
}

impl Chromium {
    /// Runs the browser on `url` with `args` and a profile of its own; its standard output.
    fn run(&self, args: &[String], url: &str) -> Result<String, String> {
        let profile = temp_dir();
        let out = profile.path().join("stdout");
        let err = profile.path().join("stderr");
        let file = |p: &Path| std::fs::File::create(p).map_err(|e| e.to_string());
        let mut child = Command::new(&self.program)
            .args(FLAGS)
            .arg(format!(
                "--user-data-dir={}",
                profile.path().join("profile").display()
            ))
            .args(args)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(file(&out)?)
            .stderr(file(&err)?)
            .spawn()
            .map_err(|e| format!("{} cannot be started: {e}", self.program.display()))?;
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > STUCK => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("chromium was stuck on {url} and was killed"));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(e.to_string()),
            }
        };
        let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
        if !status.success() {
            return Err(format!(
                "chromium exited with {status} on {url}:\n{}",
                read(&err)
            ));
        }
        Ok(read(&out))
    }

    fn dump_dom(&self, page: &Path) -> Result<Dom, String> {
        let dom = self.run(&["--dump-dom".to_owned()], &url(page))?;
        if !dom.contains("</html>") {
            return Err(format!("chromium dumped no page for {}", page.display()));
        }
        Ok(Dom::parse(&dom))
    }

    /// A screenshot of the page's top `height` pixels, `WIDTH` wide.
    fn screenshot(&self, page: &Path, png: &Path, height: u32) -> Result<(), String> {
        let args = [
            "--hide-scrollbars".to_owned(),
            format!("--window-size={WIDTH},{height}"),
            format!("--screenshot={}", png.display()),
        ];
        self.run(&args, &url(page)).map(|_| ())
    }
}

fn url(page: &Path) -> String {
    format!("file://{}", page.display())
}

/// Where pages and screenshots are kept: `target/browser/`.
fn artifacts() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap_or(tmp).join("browser");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    dir
}

/// The page `stackhop ARGS --format html` writes, saved as `name`.
fn page(dir: &Path, name: &str, args: &[&str], code: i32) -> PathBuf {
    let mut all = args.to_vec();
    all.extend(["--format", "html"]);
    let run = stackhop(&all);
    run.assert_code(code);
    write(dir, name, &run.stdout)
}

/// Width and height of a PNG, from its header.
fn png_size(png: &Path) -> (u32, u32) {
    let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        png.display()
    );
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

/// Every rectangle, line and text of every chart sits in its chart, with only groups between
/// them, and every rectangle within the chart's `viewBox`. Returns the step bars' classes by id.
fn assert_charts(what: &str, dom: &Dom) -> Vec<(String, String)> {
    let mut drawn = 0;
    for (k, e) in dom.elements.iter().enumerate() {
        if !matches!(e.name.as_str(), "rect" | "text" | "line") {
            continue;
        }
        let ancestors = dom.ancestors(k);
        let Some(chart) = ancestors.iter().find(|a| a.name != "g") else {
            panic!("{what}: a <{}> outside any chart", e.name);
        };
        assert_eq!(
            chart.name, "svg",
            "{what}: a <{}> inside a <{}>",
            e.name, chart.name
        );
        if e.name != "rect" {
            continue;
        }
        let view: Vec<f64> = chart
            .attribute("viewbox")
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        assert_eq!(view.len(), 4, "{what}: a chart without a viewBox");
        let (x, y) = (e.number("x"), e.number("y"));
        let (w, h) = (e.number("width"), e.number("height"));
        assert!(
            x >= 0.0 && y >= 0.0 && x + w <= view[2] && y + h <= view[3],
            "{what}: a bar outside its chart: {:?} in {view:?}",
            e.attributes
        );
        drawn += 1;
    }
    assert!(drawn > 0, "{what}: nothing drawn");
    dom.all("rect")
        .filter(|(_, e)| e.has_class("bar") && e.has_class("step"))
        .filter_map(|(_, e)| {
            Some((
                e.attribute("data-step")?.to_owned(),
                e.attribute("class")?.to_owned(),
            ))
        })
        .collect()
}

/// The `data-NAME` values of the elements inside the one with `data-scenario="scenario"`.
fn values_in(dom: &Dom, scenario: &str, name: &str) -> Vec<String> {
    let key = format!("data-{name}");
    dom.elements
        .iter()
        .enumerate()
        .filter(|(k, _)| {
            dom.ancestors(*k)
                .iter()
                .any(|a| a.name == "details" && a.attribute("data-scenario") == Some(scenario))
        })
        .filter_map(|(_, e)| e.attribute(&key).map(str::to_owned))
        .collect()
}

fn names(list: &serde_json::Value, key: &str) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_pages_render_in_chromium_with_every_phase_capability_and_bar() {
    let Some(chromium) = find_chromium() else {
        cannot_run("no chromium on PATH");
        return;
    };
    let dir = artifacts();
    let compare = page(
        &dir,
        "compare-medium.html",
        &["compare", "--example", "medium"],
        0,
    );
    let dom = match chromium.dump_dom(&compare) {
        Ok(dom) => dom,
        Err(reason) => {
            cannot_run(&reason);
            return;
        }
    };
    let expected = json(&stackhop([
        "compare",
        "--example",
        "medium",
        "--format",
        "json",
    ]));
    let bars = assert_charts("compare", &dom);
    let banner = dom
        .elements
        .iter()
        .find_map(|e| e.attribute("data-recommended"));
    assert_eq!(banner, expected["recommended"].as_str());
    let scenarios = expected["scenarios"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(scenarios.len(), 4);
    let mut ran = 0;
    for s in &scenarios {
        let name = s["scenario"].as_str().unwrap_or_default();
        let phases = values_in(&dom, name, "phase");
        for phase in names(&s["phases"], "name") {
            assert!(phases.contains(&phase), "{name}: phase {phase} is missing");
        }
        let capabilities: Vec<String> = s["capabilities"]
            .as_object()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        assert!(!capabilities.is_empty(), "{name}");
        let banded: Vec<String> = dom
            .all("g")
            .filter(|(k, _)| {
                dom.ancestor(*k, "svg")
                    .is_some_and(|svg| svg.has_class("bands"))
            })
            .filter_map(|(_, g)| g.attribute("data-capability").map(str::to_owned))
            .collect();
        for c in &capabilities {
            assert!(banded.contains(c), "{name}: no band for {c}");
        }
        ran += s["steps"].as_array().map_or(0, Vec::len);
    }
    assert_eq!(bars.len(), ran, "a bar per step that ran, in all four");
    assert!(bars.iter().all(|(_, class)| class.contains("succeeded")));
    let png = dir.join("compare-medium.png");
    if let Err(e) = chromium.screenshot(&compare, &png, 2000) {
        panic!("{e}");
    }
    assert_eq!(png_size(&png), (WIDTH, 2000));

    let faulted = page(
        &dir,
        "simulate-medium-nova-sync-fails.html",
        &MEDIUM_NOVA_SYNC_FAILS,
        1,
    );
    let dom = chromium
        .dump_dom(&faulted)
        .unwrap_or_else(|e| panic!("{e}"));
    let bars = assert_charts("faulted", &dom);
    let failed: Vec<&str> = bars
        .iter()
        .filter(|(_, class)| class.contains("failed"))
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(failed, ["nova.sync"]);
    let nova = dom
        .all("details")
        .find(|(_, e)| e.attribute("data-phase") == Some("nova"))
        .and_then(|(_, e)| e.attribute("data-outcome"));
    assert_eq!(nova, Some("failed"));
    let plan = json(&stackhop([
        "plan",
        "--example",
        "medium",
        "-s",
        "service-by-service",
        "--format",
        "json",
    ]));
    let drawn: Vec<&str> = dom
        .all("details")
        .filter_map(|(_, e)| e.attribute("data-phase"))
        .collect();
    for phase in names(&plan["steps"], "phase") {
        assert!(drawn.contains(&phase.as_str()), "phase {phase} is missing");
    }
    let not_run = dom
        .all("g")
        .filter(|(_, e)| e.attribute("data-outcome") == Some("not_run"))
        .count();
    assert!(not_run > 0, "the steps after the failure are drawn not run");
    let png = dir.join("simulate-medium-nova-sync-fails.png");
    chromium
        .screenshot(&faulted, &png, 1400)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(png_size(&png), (WIDTH, 1400));
}
