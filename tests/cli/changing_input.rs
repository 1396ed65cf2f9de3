//! An input file that shrinks, grows or is deleted while h4 reads it is a
//! one-line error naming it, exit 1, and nothing is left behind: never a
//! crash (a mapped file cut short raises SIGBUS), never a partial output.
//! A core that takes 30 ms a block keeps h4 reading long enough to change
//! the file under it.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::data::text;
use crate::util::{self, c_core, h4_process, listing, names, path_arg};

/// Starts `h4 -B 64K --core slow FILE` on 4 MiB (64 blocks, about 2 s),
/// lets `change` act on the file once h4 is reading it, and
/// requires a clean failure saying `what`.
fn change_while_reading(what: &str, change: impl FnOnce(&Path)) {
    let dir = util::tempdir();
    let d = dir.path();
    let input = d.join("big");
    fs::write(&input, text(4 << 20)).unwrap();
    let core = c_core("slow_blocks", "", &[]);
    let child = h4_process()
        .args(["-B", "64K", "-T1", "--core", path_arg(&core), "big"])
        .current_dir(d)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_reading(child.id(), &input);
    change(&input);
    let out = child.wait_with_output().unwrap();
    let err = util::assert_clean_error(&out, what);
    assert!(
        err.starts_with("h4: big: read error: the file ") && err.contains(what),
        "{err}"
    );
    let left = listing(d);
    assert!(
        left == names(&[]) || left == names(&["big"]),
        "{what}: left {left:?}"
    );
}

/// Waits (up to 20 s) until process `pid` has read two of the 64 KiB
/// blocks of `input`: from then on it is reading, and a change is a change
/// mid-read. Its workers read blocks by offset (`pread`), which leaves the
/// descriptor's position alone, so the sign is the bytes the process has
/// read (`rchar` in /proc/PID/io: every read and pread, and nothing mapped),
/// with the few kilobytes of h4's own start-up well below the mark.
fn wait_for_reading(pid: u32, input: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = fs::read_to_string(format!("/proc/{pid}/io"))
            .ok()
            .and_then(|io| {
                io.lines()
                    .find_map(|l| l.strip_prefix("rchar:"))
                    .and_then(|n| n.trim().parse::<u64>().ok())
            });
        if read.is_some_and(|n| n >= 2 * 64 * 1024) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "h4 never read {}",
            input.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_file_that_shrinks_while_read_is_an_error() {
    change_while_reading("shrank", |input| {
        OpenOptions::new()
            .write(true)
            .open(input)
            .unwrap()
            .set_len(100_000)
            .unwrap();
    });
}

#[test]
fn a_file_that_grows_while_read_is_an_error() {
    change_while_reading("grew", |input| {
        let mut file = OpenOptions::new().append(true).open(input).unwrap();
        file.write_all(b"more").unwrap();
    });
}

#[test]
fn a_file_deleted_while_read_is_an_error() {
    change_while_reading("was deleted", |input| fs::remove_file(input).unwrap());
}
