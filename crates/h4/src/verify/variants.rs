//! "Identical output for identical input every time, on every platform":
//! the corpus compressed in many processes that differ in one thing each,
//! which a core must not depend on, and their outputs compared.
//!
//! One call after another in one process cannot show a core that salts
//! its parse with the process id, reads the environment, the host name,
//! the clock, the CPU count, or how fast the machine is, or copies heap
//! garbage into its output. Processes that differ in exactly those things
//! can. Each difference is then explained, where it can be: the same few
//! bytes holding each process's own id, login or time are identity
//! (the specification forbids embedding them); outputs that change with
//! the heap's contents are uninitialised memory; anything else is a
//! dependence on the one thing that differed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;

use super::Outcome;
use super::identity::{self, Encoding, Facts, Kind, Sighting, unhex};
use super::jobs::{Factor, Job, UNWRITTEN, VERIFY_HOST_NAME, first_difference};
use super::runner::{self, ChildCommand, ChildRun, Launch, Slowdown};
use crate::corpus::Input;

/// What a variant differs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    /// Another process: another pid, other addresses.
    Process,
    /// The login name in the environment.
    User,
    /// The home directory.
    Home,
    /// The locale.
    Locale,
    /// The time zone.
    TimeZone,
    /// Variables the library mentions.
    Variables,
    /// The host name (and the user id).
    Host,
    /// The CPUs.
    Cpus,
    /// The clock.
    Clock,
    /// The machine's speed.
    Speed,
}

impl Aspect {
    /// Whether a value that depends on this aspect identifies someone or
    /// something (and so must not be in an output at all).
    fn identifies(self) -> bool {
        matches!(
            self,
            Aspect::Process | Aspect::User | Aspect::Home | Aspect::Host | Aspect::Clock
        )
    }

    fn what(self) -> &'static str {
        match self {
            Aspect::Process => "the process",
            Aspect::User => "the login name",
            Aspect::Home => "the home directory",
            Aspect::Locale => "the locale",
            Aspect::TimeZone => "the time zone",
            Aspect::Variables => "environment variables",
            Aspect::Host => "the host name",
            Aspect::Cpus => "the CPUs",
            Aspect::Clock => "the clock",
            Aspect::Speed => "the machine's speed",
        }
    }
}

/// One process of the comparison.
#[derive(Clone, Debug)]
struct Variant {
    /// How evidence names it: `TZ=<+08>-8`, `another process`.
    label: String,
    aspect: Aspect,
    launch: Launch,
}

/// What one process made of one input.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Record {
    len: usize,
    digest: String,
    /// The output itself, for small inputs.
    whole: Option<Vec<u8>>,
}

/// What one process reported.
struct Digests {
    records: BTreeMap<String, Result<Record, String>>,
    facts: Facts,
    /// Inputs whose output changed with the heap's fill, and the first
    /// byte that did.
    heap: BTreeMap<String, usize>,
    /// The engine's name and version, as it reports them.
    engine: Option<String>,
}

fn parse(run: &ChildRun) -> Digests {
    let mut records = BTreeMap::new();
    let mut facts = Facts::default();
    let mut heap = BTreeMap::new();
    let mut engine = None;
    for (kind, text) in &run.data {
        match kind {
            'E' => engine = Some(text.clone()),
            'H' => {
                if let Some((at, name)) = text.split_once(' ') {
                    heap.insert(name.to_string(), at.parse().unwrap_or(0));
                }
            }
            'D' => {
                let mut fields = text.splitn(5, ' ');
                let (Some(status), Some(len), Some(digest), Some(whole), Some(name)) = (
                    fields.next(),
                    fields.next(),
                    fields.next(),
                    fields.next(),
                    fields.next(),
                ) else {
                    continue;
                };
                let record = if status == "ok" {
                    Ok(Record {
                        len: len.parse().unwrap_or(0),
                        digest: digest.to_string(),
                        whole: unhex(whole),
                    })
                } else {
                    Err(String::from_utf8_lossy(&unhex(digest).unwrap_or_default()).into_owned())
                };
                records.insert(name.to_string(), record);
            }
            'I' => facts.add_line(text),
            _ => {}
        }
    }
    Digests {
        records,
        facts,
        heap,
        engine,
    }
}

/// What the comparison found, row by row.
#[derive(Default)]
pub struct Findings {
    /// For the determinism row: `None` when every process agreed.
    pub determinism: Option<Outcome>,
    /// For the identity row: identity found written in outputs.
    pub identity: Option<Outcome>,
    /// For the identity row: small outputs that all change in a few bytes
    /// with an identifying aspect (a value derived from it, such as a hash
    /// of the host name). Meaningless for a core whose output changes from
    /// call to call anyway.
    pub identity_derived: Option<Outcome>,
    /// For the memory row: outputs that change with the heap.
    pub heap: Option<Outcome>,
    /// What the comparison covered, for the pass summaries.
    pub covered: String,
    /// What it could not vary here, and why.
    pub notes: Vec<String>,
    /// The first process's output digests, by input: what `--record`
    /// writes and `--against` compares.
    pub digests: BTreeMap<String, (usize, String)>,
    /// The engine's name and version, as it reports them.
    pub engine: Option<String>,
}

/// What is needed to set the variants up.
pub struct Setup<'a> {
    /// How children start.
    pub command: &'a ChildCommand,
    /// The core library, whose strings name the variables it may read.
    pub library: Option<&'a Path>,
    /// The preload library that moves the clock and the CPU count.
    pub preload: Option<&'a Path>,
    /// valgrind, for a child that is really slower.
    pub valgrind: Option<&'a Path>,
    /// The inputs the children compress (the corpus and the user's files).
    pub inputs: &'a [Input],
    /// The memory row found output bytes the core never wrote: outputs
    /// that differ between processes are then that row's finding.
    pub unwritten: bool,
}

fn variant(label: impl Into<String>, aspect: Aspect, launch: Launch) -> Variant {
    Variant {
        label: label.into(),
        aspect,
        launch,
    }
}

/// The processes to compare, the first being the reference, and notes on
/// what cannot be varied here.
fn variants(setup: &Setup, scratch: &Path) -> (Vec<Variant>, Vec<String>) {
    let digests = || Launch::job(Job::Digests).native();
    let mut notes = Vec::new();
    let mut list = vec![
        variant(
            "the first process",
            Aspect::Process,
            Launch {
                factor: Some(Factor::HeapProbe),
                ..digests()
            },
        ),
        variant("another process", Aspect::Process, digests()),
        variant("a third process", Aspect::Process, digests()),
        variant(
            "USER=LOGNAME=h4verify",
            Aspect::User,
            digests()
                .with_env("USER", "h4verify")
                .with_env("LOGNAME", "h4verify"),
        ),
    ];
    let home = scratch.join("home");
    if std::fs::create_dir_all(&home).is_ok() {
        list.push(variant(
            format!("HOME={} (empty)", home.display()),
            Aspect::Home,
            digests().with_env("HOME", home.as_os_str()),
        ));
    }
    for locale in ["C", "C.UTF-8"] {
        list.push(variant(
            format!("LC_ALL=LANG={locale}"),
            Aspect::Locale,
            digests()
                .with_env("LC_ALL", locale)
                .with_env("LANG", locale)
                .with_env("LC_CTYPE", locale),
        ));
    }
    // Local hours 8 apart: any window of 8 to 16 hours of the day holds
    // one of the three and misses another.
    for tz in ["UTC0", "<+08>-8", "<-08>+8"] {
        list.push(variant(
            format!("TZ={tz}"),
            Aspect::TimeZone,
            digests().with_env("TZ", tz),
        ));
    }
    let names = setup.library.map(variable_names).unwrap_or_default();
    if !names.is_empty() {
        let mut launch = digests();
        for name in &names {
            launch = launch.with_env(name, "1");
        }
        list.push(variant(
            format!("{}=1", names.join("=1, ")),
            Aspect::Variables,
            launch,
        ));
    }
    list.push(variant(
        format!("host name {VERIFY_HOST_NAME}, another user id"),
        Aspect::Host,
        Launch {
            factor: Some(Factor::Host),
            ..digests()
        },
    ));
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus > 1 {
        list.push(variant(
            "one CPU (affinity)",
            Aspect::Cpus,
            Launch {
                factor: Some(Factor::OneCpu),
                ..digests()
            },
        ));
    } else {
        notes.push("one CPU only: CPU affinity not varied".to_string());
    }
    match setup.preload {
        Some(preload) => {
            list.push(variant(
                format!("{} CPUs online (sysconf)", cpus + 5),
                Aspect::Cpus,
                with_preload(digests(), preload).with_env("H4_VERIFY_CPUS", (cpus + 5).to_string()),
            ));
            list.push(variant(
                "the clock 3 days, 8 hours and 17 minutes ahead",
                Aspect::Clock,
                with_preload(digests(), preload).with_env(
                    "H4_VERIFY_CLOCK_SHIFT",
                    (((3 * 24 + 8) * 60 + 17) * 60).to_string(),
                ),
            ));
        }
        None => notes.push(format!(
            "clock, CPU count and apparent speed not varied: {PRELOAD_NAME} not found"
        )),
    }
    // A slower machine: clocks that run fast (to a core that budgets by
    // time, wall or CPU), and a CPU that really is slower.
    if let Some(preload) = setup.preload {
        list.push(variant(
            "the clocks running 50 times fast (a machine 50 times slower)",
            Aspect::Speed,
            with_preload(digests(), preload).with_env("H4_VERIFY_CLOCK_RATE", "50"),
        ));
    }
    match setup.valgrind {
        Some(valgrind) => list.push(variant(
            "a slower CPU (valgrind --tool=none)",
            Aspect::Speed,
            Launch {
                slowdown: Slowdown::Emulated(valgrind.to_path_buf()),
                ..digests()
            },
        )),
        None if setup.preload.is_none() => list.push(variant(
            "a slower process (stopped 90% of the time)",
            Aspect::Speed,
            Launch {
                slowdown: Slowdown::Stopped,
                ..digests()
            },
        )),
        None => notes.push("valgrind not found: no process with a really slower CPU".into()),
    }
    (list, notes)
}

/// `launch` with `preload` preloaded (before whatever the environment
/// preloads already).
fn with_preload(launch: Launch, preload: &Path) -> Launch {
    let mut value = preload.as_os_str().to_owned();
    if let Some(old) = std::env::var_os("LD_PRELOAD") {
        value.push(":");
        value.push(old);
    }
    launch.with_env("LD_PRELOAD", value)
}

/// The file name of the preload library that moves the clock and the
/// CPU count for one child.
pub const PRELOAD_NAME: &str = "libh4_verify_preload.so";

/// Environment variable names a library mentions (upper-case C strings
/// such as `MYCORE_LEVEL`), leaving out those that change how the C
/// library, the dynamic loader or Rust's runtime behave, and those the
/// other variants vary.
pub fn variable_names(library: &Path) -> Vec<String> {
    const LEFT_OUT: [&str; 28] = [
        "LD_",
        "MALLOC",
        "GLIBC",
        "RUST",
        "CARGO",
        "LC_",
        "LANG",
        "TZ",
        "GCONV",
        "NLSPATH",
        "LOCPATH",
        "HOSTALIASES",
        "RES_",
        "LOCALDOMAIN",
        "POSIXLY",
        "TMPDIR",
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "TERM",
        "PWD",
        "OLDPWD",
        "H4_",
        "HARMONY4_",
        "VALGRIND",
        "LIBC",
    ];
    let Ok(bytes) = std::fs::read(library) else {
        return Vec::new();
    };
    let mut names: Vec<String> = bytes
        .split(|&b| b == 0)
        .filter(|s| {
            (3..=48).contains(&s.len())
                && s[0].is_ascii_uppercase()
                && s.iter()
                    .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                && s.contains(&b'_')
        })
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .filter(|name| !LEFT_OUT.iter().any(|p| name.starts_with(p)))
        .collect();
    names.sort();
    names.dedup();
    names.truncate(64);
    names
}

/// Runs every variant (two at a time) and compares them with the first.
pub fn compare(setup: &Setup, progress: &mut dyn FnMut(&str)) -> Findings {
    let scratch = scratch_dir();
    let (list, mut notes) = variants(setup, &scratch);
    let runs = run_all(setup.command, &list, progress);
    let _ = std::fs::remove_dir_all(&scratch);
    judge(&list, runs, setup, &mut notes)
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("h4-verify-home-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn run_all(
    command: &ChildCommand,
    list: &[Variant],
    progress: &mut dyn FnMut(&str),
) -> Vec<ChildRun> {
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<ChildRun>>> = Mutex::new((0..list.len()).map(|_| None).collect());
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            let tx = tx.clone();
            let (next, results) = (&next, &results);
            scope.spawn(move || {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(variant) = list.get(index) else {
                        break;
                    };
                    let _ = tx.send(format!(
                        "process {} of {}: {}",
                        index + 1,
                        list.len(),
                        variant.label
                    ));
                    let run = runner::launch(command, &variant.launch, &mut |_| {});
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(run);
                }
            });
        }
        drop(tx);
        for message in rx {
            progress(&message);
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every variant ran"))
        .collect()
}

/// One input whose output differed between the first process and another.
struct Difference<'a> {
    input: &'a str,
    base: &'a Result<Record, String>,
    other: &'a Result<Record, String>,
}

impl Difference<'_> {
    fn describe(&self) -> String {
        match (self.base, self.other) {
            (Ok(a), Ok(b)) => match (&a.whole, &b.whole) {
                (Some(x), Some(y)) => first_difference(x, y),
                _ if a.len != b.len => format!("lengths differ ({} vs {} bytes)", a.len, b.len),
                _ => format!("same length ({} bytes), other bytes", a.len),
            },
            (Ok(_), Err(e)) => format!("compression failed there: {e}"),
            (Err(e), Ok(_)) => format!("compression failed in the first process: {e}"),
            (Err(_), Err(_)) => "compression failed in both, differently".to_string(),
        }
    }

    /// The two whole outputs, when both were sent.
    fn wholes(&self) -> Option<(&[u8], &[u8])> {
        match (self.base, self.other) {
            (Ok(Record { whole: Some(a), .. }), Ok(Record { whole: Some(b), .. })) => Some((a, b)),
            _ => None,
        }
    }
}

fn differences<'a>(base: &'a Digests, other: &'a Digests) -> Vec<Difference<'a>> {
    base.records
        .iter()
        .filter_map(|(input, record)| {
            let theirs = other.records.get(input)?;
            (theirs != record).then_some(Difference {
                input,
                base: record,
                other: theirs,
            })
        })
        .collect()
}

/// At most this many bytes in each output differ when a value is
/// embedded rather than a parse changed.
const EMBEDDED_BYTES: usize = 64;

fn judge(
    list: &[Variant],
    runs: Vec<ChildRun>,
    setup: &Setup,
    notes: &mut Vec<String>,
) -> Findings {
    let inputs = setup.inputs;
    let base_run = &runs[0];
    let mut findings = Findings {
        determinism: None,
        identity: None,
        identity_derived: None,
        heap: None,
        covered: String::new(),
        notes: Vec::new(),
        digests: BTreeMap::new(),
        engine: None,
    };
    let base_outcome = base_run.outcome();
    if !base_outcome.passed {
        findings.determinism = Some(base_outcome);
        findings.notes = std::mem::take(notes);
        return findings;
    }
    let parsed: Vec<Option<Digests>> = runs
        .iter()
        .zip(list)
        .map(|(run, variant)| {
            let outcome = run.outcome();
            if outcome.passed {
                return Some(parse(run));
            }
            if variant.aspect == Aspect::Host && outcome.summary.contains("set up") {
                notes.push(format!(
                    "host name not varied: {}",
                    outcome.evidence.as_deref().unwrap_or("not allowed here")
                ));
            } else if findings.determinism.is_none() {
                findings.determinism = Some(Outcome::fail(
                    format!("the core fails only when {} differs", variant.aspect.what()),
                    format!(
                        "{}: {} ({})",
                        variant.label,
                        outcome.summary,
                        outcome.evidence.unwrap_or_default()
                    ),
                ));
            }
            None
        })
        .collect();
    let base = parsed[0].as_ref().expect("the first process passed");
    findings.engine = base.engine.clone();
    findings.digests = base
        .records
        .iter()
        .filter_map(|(name, r)| {
            r.as_ref()
                .ok()
                .map(|r| (name.clone(), (r.len, r.digest.clone())))
        })
        .collect();

    // Identity written where anyone can read it.
    let by_name: BTreeMap<&str, &[u8]> = inputs
        .iter()
        .map(|i| (i.name.as_str(), &i.data[..]))
        .collect();
    let mut sightings: Vec<(Sighting, String)> = Vec::new();
    for (digests, variant) in parsed
        .iter()
        .zip(list)
        .filter_map(|(d, v)| d.as_ref().map(|d| (d, v)))
    {
        let outputs = digests.records.iter().filter_map(|(name, r)| {
            let whole = r.as_ref().ok()?.whole.as_deref()?;
            let input = *by_name.get(name.as_str())?;
            (input.len() <= identity::SCANNED_INPUT).then_some((name.as_str(), input, whole))
        });
        for sighting in identity::scan(&digests.facts, outputs) {
            sightings.push((sighting, variant.label.clone()));
        }
    }

    // Differences: explained by identity, by the heap, or by the aspect.
    let heap_inputs: Vec<&str> = base.heap.keys().map(String::as_str).collect();
    let mut explained: Option<String> = None;
    let mut embedded: Option<String> = None;
    let mut dependence: Option<(Aspect, String)> = None;
    let mut unexplained_by_variant: Vec<(usize, Vec<&Difference>)> = Vec::new();
    let all_differences: Vec<(usize, Vec<Difference>)> = parsed
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(i, d)| d.as_ref().map(|d| (i, differences(base, d))))
        .collect();
    for (i, diffs) in &all_differences {
        let other = parsed[*i].as_ref().expect("parsed");
        let mut rest = Vec::new();
        for diff in diffs {
            let why = diff
                .wholes()
                .and_then(|(a, b)| identity::explain(a, &base.facts, b, &other.facts));
            match why {
                Some((kind, encoding, offset)) => {
                    explained.get_or_insert_with(|| {
                        explain_text(kind, encoding, offset, diff.input, &list[*i].label)
                    });
                }
                None => rest.push(diff),
            }
        }
        // Where every small output's difference is each process's own
        // identity, the large outputs (not sent whole) differ for the same
        // reason.
        if rest.len() < diffs.len() && rest.iter().all(|d| d.wholes().is_none()) {
            rest.clear();
        }
        unexplained_by_variant.push((*i, rest));
    }
    let with_whole = base
        .records
        .values()
        .filter(|r| r.as_ref().is_ok_and(|r| r.whole.is_some()))
        .count();
    for (i, rest) in unexplained_by_variant {
        let variant = &list[i];
        let rest: Vec<&Difference> = rest
            .into_iter()
            .filter(|d| !heap_inputs.contains(&d.input))
            .collect();
        let Some(first) = rest.first() else { continue };
        // The same few bytes differing in (nearly) every small output is
        // a value written into each, not a parse that changed.
        let small: Vec<&&Difference> = rest.iter().filter(|d| d.wholes().is_some()).collect();
        let is_embedded = variant.aspect.identifies()
            && with_whole > 0
            && small.len() * 10 >= with_whole * 9
            && small.iter().all(|d| {
                let (a, b) = d.wholes().expect("filtered");
                let (_, in_a, in_b) = identity::differing_middle(a, b);
                in_a <= EMBEDDED_BYTES && in_b <= EMBEDDED_BYTES
            });
        if is_embedded {
            embedded.get_or_insert_with(|| {
                format!(
                    "{} of {with_whole} small outputs change in a few bytes with {} ({}); input {}: {}",
                    small.len(),
                    variant.aspect.what(),
                    variant.label,
                    first.input,
                    first.describe()
                )
            });
        } else if dependence.is_none() {
            dependence = Some((
                variant.aspect,
                format!(
                    "input {}: {} vs the first process: {} ({} of {} inputs differ)",
                    first.input,
                    variant.label,
                    first.describe(),
                    rest.len(),
                    base.records.len()
                ),
            ));
        }
    }

    if let Some((sighting, label)) = sightings.first() {
        findings.identity = Some(Outcome::fail(
            format!("outputs contain {}", sighting.kind),
            format!(
                "input {}: byte {} ({}), in {}; {} more small outputs hold it",
                sighting.input,
                sighting.offset,
                sighting.encoding,
                label,
                identity::SIGHTINGS_NEEDED - 1
            ),
        ));
    } else if let Some(text) = explained {
        findings.identity = Some(Outcome::fail("outputs contain identifying values", text));
    }
    if let Some(text) = embedded {
        findings.identity_derived = Some(Outcome::fail(
            "outputs embed a value derived from identifying data",
            text,
        ));
    }
    if let Some((input, at)) = base.heap.iter().next() {
        findings.heap = Some(Outcome::fail(
            format!("{UNWRITTEN} (they change with the heap's contents)"),
            format!(
                "input {input}: compressed twice in one process, the allocator filling memory with one byte then another: first difference at byte {at} ({} inputs like it)",
                base.heap.len()
            ),
        ));
    }
    if findings.determinism.is_none()
        && let Some((aspect, text)) = dependence
    {
        if setup.unwritten || findings.heap.is_some() {
            notes.push(format!(
                "outputs differ with {} ({text}): left to the memory row, which found bytes the core never wrote",
                aspect.what()
            ));
        } else {
            findings.determinism = Some(Outcome::fail(
                format!("the output depends on {}", aspect.what()),
                text,
            ));
        }
    }
    findings.covered = format!("{} processes ({})", list.len(), coverage(list));
    findings.notes = std::mem::take(notes);
    findings
}

fn explain_text(kind: Kind, encoding: Encoding, offset: usize, input: &str, label: &str) -> String {
    format!(
        "input {input}: byte {offset} holds {kind} ({encoding}): the first process and {label} each wrote their own"
    )
}

/// The aspects varied, in words.
fn coverage(list: &[Variant]) -> String {
    let mut aspects: Vec<&str> = Vec::new();
    for variant in list {
        let what = match variant.aspect {
            Aspect::Process => "pid and addresses",
            Aspect::User => "user",
            Aspect::Home => "home",
            Aspect::Locale => "locale",
            Aspect::TimeZone => "time zone",
            Aspect::Variables => "variables",
            Aspect::Host => "host name",
            Aspect::Cpus => "CPUs",
            Aspect::Clock => "clock",
            Aspect::Speed => "speed",
        };
        if !aspects.contains(&what) {
            aspects.push(what);
        }
    }
    aspects.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_come_from_the_library_strings() {
        let dir = std::env::temp_dir().join(format!("h4-varnames-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("lib.so");
        std::fs::write(
            &file,
            b"\x7fELF\0MYCORE_LEVEL\0RUST_BACKTRACE\0LD_PRELOAD\0lower_case\0ZSTD_CLEVEL\0NOUNDERSCORE\0AB\0",
        )
        .unwrap();
        assert_eq!(variable_names(&file), ["MYCORE_LEVEL", "ZSTD_CLEVEL"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
