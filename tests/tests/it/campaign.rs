//! The hostile-input campaign (`scripts/campaign.sh`) against the four binaries of this build:
//! every case must hold. `cargo test --workspace` builds the binaries before it runs any test
//! (each of their packages has integration tests); run alone, this test asks for them.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_hostile_input_campaign_holds() {
    // target/<profile>/deps/<this test> → target/<profile>/
    let exe = std::env::current_exe().expect("the test's path");
    let bin_dir: PathBuf = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps")
        .to_path_buf();
    let missing: Vec<&str> = ["hh-fd", "hh-pinn", "hh-fhn", "convergence"]
        .into_iter()
        .filter(|b| !bin_dir.join(b).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "binaries {missing:?} are not built in {}: run `cargo test --workspace`, or `cargo build --bins` first",
        bin_dir.display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/campaign.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(&bin_dir)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The tally, visible with `--nocapture` and in the failure message.
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the campaign found cases that do not hold:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("campaign: ") && l.ends_with(" 0 failed")),
        "no tally:\n{stdout}"
    );
}
