//! The bundled data: `testdata/printer_24h.lp` is what `testdata/printer_data.py --seed 42`
//! writes, so the generator and the committed file cannot drift apart.

use std::process::Command;

use crate::root;

#[test]
fn generator_reproduces_the_committed_file() {
    let seconds = 4000; // past the hotend anomaly at 3600 s
    let out = Command::new("python3")
        .arg(root().join("testdata/printer_data.py"))
        .args([
            "--seed",
            "42",
            "--seconds",
            &seconds.to_string(),
            "--out",
            "-",
        ])
        .output()
        .expect("python3 runs testdata/printer_data.py");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("utf-8 output");

    let committed = std::fs::read_to_string(root().join("testdata/printer_24h.lp"))
        .expect("read printer_24h.lp");
    assert_eq!(committed.lines().count(), 24 * 3600 + 2);
    let prefix: Vec<&str> = committed.lines().take(seconds).collect();
    assert_eq!(generated.lines().collect::<Vec<_>>(), prefix);
}
