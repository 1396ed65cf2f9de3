//! A reader that closes the pipe early ends the run quietly, with exit 0.

use std::fs;
use std::io::Read;
use std::process::Stdio;

use crate::util::data::{noise, raster_like};
use crate::util::{self, h4_process, run_ok, stderr_of};

#[test]
fn closed_pipe_is_quiet() {
    let dir = util::tempdir();
    let d = dir.path();
    // Far more output than a pipe buffers (64 KiB on Linux): 2 MiB that
    // compresses well, to decompress, and 1 MiB that does not, to compress.
    let mut big = raster_like(512, 512);
    while big.len() < 2 << 20 {
        big.extend_from_within(..big.len().min((2 << 20) - big.len()));
    }
    fs::write(d.join("big"), &big).unwrap();
    fs::write(d.join("noise"), noise(1 << 20, 17)).unwrap();
    run_ok(d, &["compress", "-B", "64K", "big"]);

    for args in [
        &["decompress", "-c", "big.h4"][..],
        &["decompress", "-T1", "-c", "big.h4"],
        &["compress", "-c", "-B", "4K", "noise"],
        &["compress", "-c", "-T1", "noise"],
    ] {
        let mut child = h4_process()
            .args(args)
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {:?}: {}",
            out.status,
            stderr_of(&out)
        );
        assert_eq!(stderr_of(&out), "", "{args:?}");
    }
}
