//! The library's `Writer` and `Reader`: the same bytes as the pipeline and
//! the command line however the data is written, reading back through any
//! source, and seeking in the content of indexed and unindexed streams.

use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use h4::engine::Reference;
use h4::pipeline::CompressOptions;
use h4::{Reader, Writer};

use crate::util::data::{Rng, mixed, noise};
use crate::util::{pipe_ok, project_core};

fn frame_of(data: &[u8], block_size: u32, format: u8) -> Vec<u8> {
    let options = CompressOptions {
        block_size,
        format,
        threads: 2,
        ..CompressOptions::default()
    };
    h4::compress_to_vec(data, &Reference::new(), &options).unwrap()
}

/// Writes `data` in pieces of the sizes `pieces` cycles through.
fn write_in_pieces(writer: &mut impl Write, data: &[u8], pieces: &[usize]) {
    let mut at = 0;
    for &n in pieces.iter().cycle() {
        if at == data.len() {
            break;
        }
        let end = (at + n).min(data.len());
        writer.write_all(&data[at..end]).unwrap();
        at = end;
    }
}

#[test]
fn writer_makes_the_frame_the_pipeline_and_cli_make() {
    let data = mixed(700_000);
    for (threads, pieces) in [(1, &[1usize, 7, 4093][..]), (2, &[65_536]), (4, &[1 << 20])] {
        let mut writer = Writer::builder()
            .block_size(64 * 1024)
            .threads(threads)
            .build(Vec::new());
        write_in_pieces(&mut writer, &data, pieces);
        let frame = writer.finish().unwrap();
        assert_bytes_eq!(frame, frame_of(&data, 64 * 1024, 2), "{threads} threads");
    }
    let cli = pipe_ok(&["compress", "-B", "64K"], &data);
    assert_bytes_eq!(frame_of(&data, 64 * 1024, 2), cli, "library and CLI");
}

#[test]
fn writer_handles_tiny_inputs_and_reports_what_it_wrote() {
    for data in [&b""[..], b"x", b"hello, world"] {
        let mut writer = Writer::new(Vec::new());
        writer.write_all(data).unwrap();
        let (frame, stats) = writer.finish_with_stats().unwrap();
        assert_eq!(stats.raw_bytes, data.len() as u64);
        assert_eq!(stats.compressed_bytes, frame.len() as u64);
        assert_eq!(
            h4::decompress_to_vec(&frame, &Default::default()).unwrap(),
            data
        );
    }
}

#[test]
fn dropping_a_writer_finishes_the_frame() {
    let data = mixed(100_000);
    let mut out = Vec::new();
    {
        let mut writer = Writer::builder().block_size(4096).build(&mut out);
        writer.write_all(&data).unwrap();
    }
    assert_eq!(
        h4::decompress_to_vec(&out, &Default::default()).unwrap(),
        data
    );
}

#[test]
fn writer_reports_a_failing_sink() {
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut writer = Writer::builder().block_size(4096).build(Full);
    let data = noise(2 << 20, 5);
    let written = writer.write_all(&data).and_then(|()| writer.flush());
    let finished = writer.finish();
    assert!(written.is_err() || finished.is_err());
}

/// A reader that cannot seek, like a pipe.
struct Pipe<R>(R);

impl<R: Read> Read for Pipe<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(1000);
        self.0.read(&mut buf[..n])
    }
}

#[test]
fn reader_reads_both_formats_and_concatenated_frames_from_any_source() {
    let a = mixed(300_000);
    let b = noise(50_000, 9);
    let mut stream = frame_of(&a, 4096, 1);
    stream.extend_from_slice(&frame_of(&b, 65_536, 2));
    let mut want = a.clone();
    want.extend_from_slice(&b);
    let mut got = Vec::new();
    Reader::new(Pipe(&stream[..]))
        .read_to_end(&mut got)
        .unwrap();
    assert_bytes_eq!(got, want, "through a pipe");
    got.clear();
    Reader::new(Cursor::new(&stream))
        .read_to_end(&mut got)
        .unwrap();
    assert_bytes_eq!(got, want, "from a cursor");
}

#[test]
fn reader_rejects_corruption_with_invalid_data() {
    let data = mixed(100_000);
    let mut frame = frame_of(&data, 4096, 2);
    let mid = frame.len() / 2;
    frame[mid] ^= 0x20;
    let err = Reader::new(&frame[..])
        .read_to_end(&mut Vec::new())
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{err}");
}

/// Reads `len` bytes at content position `at` through `seek`.
fn read_at(reader: &mut Reader<Cursor<&Vec<u8>>>, at: u64, len: usize) -> Vec<u8> {
    assert_eq!(reader.seek(SeekFrom::Start(at)).unwrap(), at);
    let mut out = Vec::new();
    reader
        .by_ref()
        .take(len as u64)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn reader_seeks_at_block_boundaries_inside_blocks_and_past_the_end() {
    let data = mixed(200_000);
    for format in [1, 2] {
        // Two frames, so seeks cross a frame boundary too.
        let mut stream = frame_of(&data[..90_000], 4096, format);
        stream.extend_from_slice(&frame_of(&data[90_000..], 4096, format));
        let index = h4::container::StreamIndex::read(&mut Cursor::new(&stream)).unwrap();
        assert_eq!(index.from_footers, format == 2, "format {format}");
        assert_eq!(index.content_len(), data.len() as u64);
        let mut reader = Reader::new(Cursor::new(&stream));
        let len = data.len() as u64;
        for at in [0, 1, 4095, 4096, 4097, 89_999, 90_000, 94_096, len - 1] {
            let got = read_at(&mut reader, at, 5000);
            let end = (at as usize + 5000).min(data.len());
            assert_bytes_eq!(got, data[at as usize..end], "format {format}, at {at}");
        }
        assert!(read_at(&mut reader, len, 10).is_empty());
        assert!(read_at(&mut reader, len + 1000, 10).is_empty());
        assert_eq!(reader.seek(SeekFrom::End(-10)).unwrap(), len - 10);
        let mut tail = Vec::new();
        reader.read_to_end(&mut tail).unwrap();
        assert_bytes_eq!(
            tail,
            data[data.len() - 10..],
            "format {format}, from the end"
        );
        reader.seek(SeekFrom::Start(1000)).unwrap();
        assert_eq!(reader.seek(SeekFrom::Current(-500)).unwrap(), 500);
        assert!(reader.seek(SeekFrom::Current(-501)).is_err());
    }
}

#[test]
fn random_seeks_read_what_slicing_reads() {
    let data = mixed(150_000);
    let stream = frame_of(&data, 1024, 2);
    let mut reader = Reader::new(Cursor::new(&stream));
    let mut rng = Rng::new(31);
    for _ in 0..200 {
        let at = rng.below(data.len() + 100) as u64;
        let len = rng.below(9000);
        let got = read_at(&mut reader, at, len);
        let start = (at as usize).min(data.len());
        let end = (start + len).min(data.len());
        assert_bytes_eq!(got, data[start..end], "at {at}, {len} bytes");
    }
}

#[test]
fn reader_decodes_core_frames_with_the_core() {
    let core =
        h4::engine::core::Core::load(&project_core("zstd"), h4::container::BLOCK_SIZES).unwrap();
    let core: Arc<dyn h4::engine::Engine> = Arc::new(core);
    let data = mixed(400_000);
    let mut writer = Writer::builder()
        .engine(Arc::clone(&core))
        .block_size(64 * 1024)
        .build(Vec::new());
    writer.write_all(&data).unwrap();
    let frame = writer.finish().unwrap();
    let err = Reader::new(&frame[..])
        .read_to_end(&mut Vec::new())
        .unwrap_err();
    assert!(err.to_string().contains("not loaded"), "{err}");
    let mut reader = Reader::with_engines(Cursor::new(&frame), vec![core]);
    reader.seek(SeekFrom::Start(300_000)).unwrap();
    let mut got = Vec::new();
    reader.read_to_end(&mut got).unwrap();
    assert_bytes_eq!(got, data[300_000..], "seek in a core's frame");
}
