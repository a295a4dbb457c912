//! The WAL's appends, reads, segment removal and torn-tail recovery.

use super::*;

fn options(segment_bytes: u64) -> WalOptions {
    WalOptions {
        fsync: FsyncPolicy::Never,
        segment_bytes,
    }
}

#[test]
fn records_read_back_by_position_across_segments_and_reopens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wal = Wal::open(dir.path(), options(30)).expect("opens").wal;
    for i in 1..=5u8 {
        assert_eq!(wal.append(&[i; 20]).expect("appends"), u64::from(i));
    }
    assert_eq!(segment::list(dir.path()).expect("lists").len(), 5);
    let after: Vec<u64> = (wal.read_after(3).expect("reads").iter())
        .map(|(p, _)| *p)
        .collect();
    assert_eq!(after, [4, 5]);
    drop(wal);
    let opened = Wal::open(dir.path(), options(30)).expect("reopens");
    assert!(opened.torn.is_none());
    assert_eq!(opened.wal.last_position(), 5);
    assert_eq!(opened.wal.append(b"six").expect("appends"), 6);
}

#[test]
fn segments_covered_by_a_position_are_removed_and_the_active_one_stays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wal = Wal::open(dir.path(), options(30)).expect("opens").wal;
    for i in 1..=4u8 {
        wal.append(&[i; 20]).expect("appends");
    }
    assert_eq!(wal.remove_through(2).expect("removes"), 2);
    assert_eq!(wal.remove_through(100).expect("removes"), 1);
    let left: Vec<u64> = (wal.read_after(0).expect("reads").iter())
        .map(|(p, _)| *p)
        .collect();
    assert_eq!(left, [4]);
}

#[test]
fn a_torn_tail_is_cut_at_the_last_whole_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wal = Wal::open(dir.path(), options(1 << 20)).expect("opens").wal;
    wal.append(b"first").expect("appends");
    wal.append(b"second").expect("appends");
    drop(wal);
    let path = segment::path(dir.path(), 1);
    let whole = std::fs::metadata(&path).expect("exists").len();
    let mut file = OpenOptions::new().append(true).open(&path).expect("opens");
    file.write_all(&segment::encode(3, b"third")[..10])
        .expect("writes");
    drop(file);
    let opened = Wal::open(dir.path(), options(1 << 20)).expect("reopens");
    let torn = opened.torn.expect("a torn tail");
    assert_eq!(
        torn.to_string(),
        format!("wal segment {path:?} had a torn tail (body cut short): cut 10 bytes at byte {whole}, its last whole record")
    );
    assert_eq!(std::fs::metadata(&path).expect("exists").len(), whole);
    assert_eq!(opened.wal.append(b"third").expect("appends"), 3);
    let bodies: Vec<Vec<u8>> = (opened.wal.read_after(0).expect("reads").into_iter())
        .map(|(_, b)| b)
        .collect();
    assert_eq!(bodies, [&b"first"[..], b"second", b"third"]);
}

#[test]
fn damage_in_an_older_segment_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wal = Wal::open(dir.path(), options(10)).expect("opens").wal;
    wal.append(b"first record").expect("appends");
    wal.append(b"second record").expect("appends");
    drop(wal);
    let path = segment::path(dir.path(), 1);
    let mut bytes = std::fs::read(&path).expect("reads");
    bytes[20] ^= 0xff;
    std::fs::write(&path, bytes).expect("writes");
    let err = Wal::open(dir.path(), options(10)).expect_err("damaged");
    assert_eq!(
        err.to_string(),
        format!("wal segment {path:?} is damaged at byte 0: checksum mismatch")
    );
}
