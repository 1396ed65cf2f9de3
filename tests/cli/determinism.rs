//! The output depends on the content alone: not on the thread count, nor
//! on the file's name, directory, modification time or mode.

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, UNIX_EPOCH};

use crate::util::data::mixed;
use crate::util::{self, pipe_ok, run_ok};

#[test]
fn thread_count_does_not_change_output() {
    let dir = util::tempdir();
    let d = dir.path();
    let small = mixed(300_000);
    // Larger than the default 1 MiB block, so the default gives 2 blocks.
    let large = mixed(1_100_000);
    fs::write(d.join("small"), &small).unwrap();
    fs::write(d.join("large"), &large).unwrap();

    for (block, name, data) in [
        ("4K", "small", &small),
        ("64K", "small", &small),
        ("", "large", &large),
    ] {
        let mut first: Option<Vec<u8>> = None;
        for threads in ["1", "2", "4"] {
            let mut args = vec!["compress", "-T", threads];
            if !block.is_empty() {
                args.extend(["-B", block]);
            }
            let piped = pipe_ok(&args, data);
            args.extend(["-c", name]);
            let filed = run_ok(d, &args);
            assert_bytes_eq!(
                piped,
                filed,
                "-B {block:?} -T{threads}: stdin and file differ"
            );
            match &first {
                None => first = Some(filed),
                Some(f) => {
                    assert_bytes_eq!(*f, filed, "-B {block:?}: -T{threads} differs from -T1")
                }
            }
        }
        let compressed = first.unwrap();
        for threads in ["1", "4"] {
            assert_bytes_eq!(
                pipe_ok(&["decompress", "-T", threads], &compressed),
                data,
                "-B {block:?}: decompress -T{threads}"
            );
        }
    }

    // The same through FILE -> FILE.h4.
    run_ok(d, &["compress", "-T1", "-B", "4K", "small"]);
    let one = fs::read(d.join("small.h4")).unwrap();
    run_ok(d, &["compress", "-T4", "-B", "4K", "-f", "small"]);
    assert_bytes_eq!(fs::read(d.join("small.h4")).unwrap(), one);
}

#[test]
fn output_depends_only_on_content() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = mixed(200_000);

    let a = d.join("first_dir_qzx");
    let b = d.join("second_dir_wvy").join("nested");
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    let pa = a.join("alpha_unique_name_qq.bin");
    let pb = b.join("beta_other_name.dat");
    fs::write(&pa, &data).unwrap();
    fs::write(&pb, &data).unwrap();
    File::options()
        .write(true)
        .open(&pa)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(946_684_800))
        .unwrap();
    File::options()
        .write(true)
        .open(&pb)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .unwrap();
    fs::set_permissions(&pb, fs::Permissions::from_mode(0o600)).unwrap();

    run_ok(&a, &["compress", "-B", "4K", "alpha_unique_name_qq.bin"]);
    run_ok(d, &["compress", "-B", "4K", pb.to_str().unwrap()]);
    let ca = fs::read(a.join("alpha_unique_name_qq.bin.h4")).unwrap();
    let cb = fs::read(b.join("beta_other_name.dat.h4")).unwrap();
    assert_bytes_eq!(ca, cb, "same content, different name/dir/mtime/mode");
    assert_eq!(pipe_ok(&["compress", "-B", "4K"], &data), ca);

    for needle in [
        &b"alpha_unique_name_qq"[..],
        b"beta_other_name",
        b"first_dir_qzx",
        b"second_dir_wvy",
        d.as_os_str().as_encoded_bytes(),
    ] {
        assert!(
            !ca.windows(needle.len()).any(|w| w == needle),
            "output contains {:?}",
            String::from_utf8_lossy(needle)
        );
    }
}
