//! The committed prost code is what prost-build makes from `proto/udf.proto` today.
//! `UPDATE_PROTO=1 cargo test -p tickflow-udf proto` rewrites it.

use std::path::Path;

/// Generates the Rust code for `proto/udf.proto` into a temporary directory.
fn generate() -> String {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("tickflow-udf-proto-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("temporary directory");
    let protoc = protoc_bin_vendored::protoc_bin_path().expect("vendored protoc");
    let mut config = prost_build::Config::new();
    config
        .protoc_executable(protoc)
        .btree_map(["."])
        .out_dir(&out)
        .compile_protos(
            &[crate_dir.join("proto/udf.proto")],
            &[crate_dir.join("proto")],
        )
        .expect("prost-build compiles udf.proto");
    let code = std::fs::read_to_string(out.join("agent.rs")).expect("generated agent.rs");
    std::fs::remove_dir_all(&out).expect("remove temporary directory");
    code
}

#[test]
fn committed_proto_code_is_fresh() {
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/proto/agent.rs");
    let generated = generate();
    if std::env::var_os("UPDATE_PROTO").is_some() {
        std::fs::write(&committed_path, &generated).expect("write agent.rs");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == generated,
        "src/proto/agent.rs is stale: run UPDATE_PROTO=1 cargo test -p tickflow-udf proto"
    );
}
