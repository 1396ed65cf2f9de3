//! Permissions and modification time go from input to output both
//! ways; output from standard input gets the current time.

use std::fs::{self, File};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::util::data::pcm;
use crate::util::{self, h4_in, run_ok};

#[test]
fn mode_and_mtime_are_kept() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = pcm(10_000);
    let path = d.join("track.pcm");
    let when = UNIX_EPOCH + Duration::from_secs(1_234_567_890);

    for mode in [0o640, 0o604, 0o755] {
        let _ = fs::remove_file(d.join("track.pcm.h4"));
        fs::write(&path, &data).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(when)
            .unwrap();

        run_ok(d, &["compress", "track.pcm"]);
        let meta = fs::metadata(d.join("track.pcm.h4")).unwrap();
        assert_eq!(meta.mode() & 0o7777, mode, "compressed file mode");
        assert_eq!(meta.mtime(), 1_234_567_890, "compressed file mtime");

        fs::remove_file(&path).unwrap();
        run_ok(d, &["decompress", "track.pcm.h4"]);
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(meta.mode() & 0o7777, mode, "restored file mode");
        assert_eq!(meta.mtime(), 1_234_567_890, "restored file mtime");
        assert_bytes_eq!(fs::read(&path).unwrap(), data);
    }

    // Output from stdin gets a fresh file with the current time.
    let c = fs::read(d.join("track.pcm.h4")).unwrap();
    h4_in(d)
        .args(["decompress", "-o", "fresh"])
        .write_stdin(c)
        .assert()
        .success();
    let age = SystemTime::now()
        .duration_since(fs::metadata(d.join("fresh")).unwrap().modified().unwrap())
        .unwrap_or_default();
    assert!(
        age < Duration::from_secs(600),
        "stdin output got an old mtime"
    );
}
