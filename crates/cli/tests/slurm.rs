//! `deploy/slurm` on a real single-node Slurm cluster that this test starts itself (Debian's
//! `slurm-wlm` and `munge`, installed by `scripts/deploy-tools.sh`): `munged`,
//! `slurmctld -D` and `slurmd -D` as root on localhost, with their configuration, sockets and state in a temporary
//! directory and free ports. `deploy/slurm/submit.sh` submits a 4-task ingest array over the
//! born-digital samples (scanned ones would add minutes of OCR without testing anything more
//! about the scheduling) and the merge job depending on it; the merged dataset must equal a
//! single `jixiao ingest` of the same inputs, byte for byte. The daemons are stopped at the
//! end, whatever happens.
//!
//! Skipped, with a message, when not root or when Slurm is not installed — except under CI
//! (`CI` set), where it must run.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jixiao_dataset::{output_files, DatasetOptions};

const TOOLS: [&str; 6] = [
    "munged",
    "slurmctld",
    "slurmd",
    "sbatch",
    "sinfo",
    "scontrol",
];
const TASKS: usize = 4;

/// The daemons started here; stopped (by their process ids) when dropped.
struct Daemons(Vec<(&'static str, Child)>);

impl Daemons {
    fn start(&mut self, name: &'static str, cmd: &mut Command) {
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        self.0.push((name, child));
    }

    fn check_running(&mut self, logs: &Path) {
        for (name, child) in &mut self.0 {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("{name} exited ({status}); {}", tail_logs(logs));
            }
        }
    }
}

impl Drop for Daemons {
    fn drop(&mut self) {
        // slurmd first (it runs the jobs), munged last (the others talk through it).
        for (_, child) in self.0.iter_mut().rev() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn output(cmd: &mut Command) -> String {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A TCP port free right now on localhost.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The last lines of every log in `dir`, for failure messages.
fn tail_logs(dir: &Path) -> String {
    let mut text = String::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
    {
        let log = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let from = lines.len().saturating_sub(15);
        text.push_str(&format!(
            "\n--- {}\n{}",
            path.display(),
            lines[from..].join("\n")
        ));
    }
    text
}

fn slurm_conf(dir: &Path, host: &str, cpus: usize) -> String {
    let d = dir.display();
    format!(
        "ClusterName=jixiao-test\n\
         SlurmctldHost={host}(127.0.0.1)\n\
         SlurmctldPort={ctld}\n\
         SlurmdPort={slurmd}\n\
         SlurmUser=root\n\
         SlurmdUser=root\n\
         AuthType=auth/munge\n\
         AuthInfo=socket={d}/munge.sock\n\
         CredType=cred/munge\n\
         StateSaveLocation={d}/state\n\
         SlurmdSpoolDir={d}/spool\n\
         SlurmctldPidFile={d}/slurmctld.pid\n\
         SlurmdPidFile={d}/slurmd.pid\n\
         SlurmctldLogFile={d}/logs/slurmctld.log\n\
         SlurmdLogFile={d}/logs/slurmd.log\n\
         ProctrackType=proctrack/linuxproc\n\
         TaskPlugin=task/none\n\
         SelectType=select/cons_tres\n\
         SelectTypeParameters=CR_CPU\n\
         ReturnToService=2\n\
         MpiDefault=none\n\
         NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN\n\
         PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP\n",
        ctld = free_port(),
        slurmd = free_port(),
    )
}

/// Waits until `done` returns Some, polling every half second, at most `limit`.
fn wait_for<T>(limit: Duration, what: &str, logs: &Path, mut done: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(t) = done() {
            return t;
        }
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}{}",
            tail_logs(logs)
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn slurm_array_then_merge_equals_a_single_ingest() {
    let ci = std::env::var_os("CI").is_some();
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let missing: Vec<&str> = TOOLS.into_iter().filter(|t| !on_path(t)).collect();
    if !root || !missing.is_empty() {
        let why = if root {
            format!(
                "{} not installed (apt-get install slurm-wlm munge)",
                missing.join(", ")
            )
        } else {
            "not root (the test runs munged, slurmctld and slurmd)".to_string()
        };
        assert!(!ci, "the Slurm test must run in CI: {why}");
        eprintln!("skipped: {why}");
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["state", "spool", "logs", "work"] {
        std::fs::create_dir(d.join(sub)).unwrap();
    }
    let logs = d.join("logs");
    let host = output(Command::new("hostname").arg("-s"));
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let conf = d.join("slurm.conf");
    std::fs::write(&conf, slurm_conf(d, &host, cpus)).unwrap();
    let key: Vec<u8> = (0..1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let key_file = d.join("munge.key");
    std::fs::write(&key_file, key).unwrap();
    output(Command::new("chmod").arg("600").arg(&key_file));

    let slurm = |program: &str| {
        let mut cmd = Command::new(program);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("SLURM_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("SLURM_CONF", &conf);
        cmd
    };
    let mut daemons = Daemons(Vec::new());
    daemons.start(
        "munged",
        Command::new("munged")
            .args(["--foreground", "--force"])
            .arg(format!("--socket={}", d.join("munge.sock").display()))
            .arg(format!("--key-file={}", key_file.display()))
            .arg(format!("--log-file={}", logs.join("munged.log").display()))
            .arg(format!("--pid-file={}", d.join("munged.pid").display()))
            .arg(format!("--seed-file={}", d.join("munged.seed").display())),
    );
    wait_for(Duration::from_secs(20), "munged's socket", &logs, || {
        d.join("munge.sock").exists().then_some(())
    });
    daemons.start(
        "slurmctld",
        slurm("slurmctld").arg("-D").arg("-f").arg(&conf),
    );
    daemons.start("slurmd", slurm("slurmd").arg("-D").arg("-f").arg(&conf));
    wait_for(
        Duration::from_secs(60),
        "the node to be idle",
        &logs,
        || {
            daemons.check_running(&logs);
            let out = slurm("sinfo").args(["-h", "-o", "%t"]).output().ok()?;
            (String::from_utf8_lossy(&out.stdout).trim() == "idle").then_some(())
        },
    );
    let cluster_up = started.elapsed();

    let samples = common::workspace().join("samples").canonicalize().unwrap();
    let inputs = [samples.join("chromium"), samples.join("libreoffice")];
    let jixiao = env!("CARGO_BIN_EXE_jixiao");
    let work = d.join("work");
    let submit = common::workspace().join("deploy/slurm/submit.sh");
    let ids = output(
        slurm("bash")
            .arg(&submit)
            .arg(TASKS.to_string())
            .args(&inputs)
            // Options after `--` go to sbatch: one CPU per task fits any machine.
            .args(["--", "--cpus-per-task=1"])
            .env("JIXIAO", jixiao)
            .env("JIXIAO_WORK", &work),
    );
    let ids: Vec<&str> = ids.split_whitespace().collect();
    assert_eq!(
        ids.len(),
        2,
        "submit.sh prints the array and merge job ids: {ids:?}"
    );
    let state = |job: &str| -> Option<String> {
        let out = slurm("scontrol").args(["show", "job", job]).output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let states: Vec<String> = text
            .split_whitespace()
            .filter_map(|w| w.strip_prefix("JobState="))
            .map(str::to_string)
            .collect();
        (!states.is_empty()).then(|| states.join(","))
    };
    let merge_state = wait_for(Duration::from_secs(600), "the merge job", &logs, || {
        daemons.check_running(&logs);
        let s = state(ids[1])?;
        let ended = [
            "COMPLETED",
            "FAILED",
            "CANCELLED",
            "TIMEOUT",
            "NODE_FAIL",
            "OUT_OF_MEMORY",
        ];
        if ended.iter().any(|e| s == *e) {
            return Some(s);
        }
        // The array failed: the merge job waits for ever.
        let reason = slurm("squeue")
            .args(["-h", "-o", "%r", "-j", ids[1]])
            .output()
            .ok()?;
        String::from_utf8_lossy(&reason.stdout)
            .contains("DependencyNeverSatisfied")
            .then(|| format!("never ran (array job: {:?})", state(ids[0])))
    });
    let job_logs = work.join("logs");
    assert_eq!(
        merge_state,
        "COMPLETED",
        "{}{}",
        tail_logs(&job_logs),
        tail_logs(&logs)
    );
    let array_states = state(ids[0]).unwrap_or_default();
    assert_eq!(
        array_states
            .split(',')
            .filter(|s| *s == "COMPLETED")
            .count(),
        TASKS,
        "{array_states}"
    );
    let scheduled = started.elapsed();

    let single = d.join("single");
    let status = Command::new(jixiao)
        .arg("ingest")
        .args(&inputs)
        .arg("--out")
        .arg(&single)
        .arg("--quiet")
        .status()
        .unwrap();
    assert!(
        status.code().is_some_and(|c| c <= 1),
        "single ingest: {status}"
    );
    let merged = work.join("dataset");
    for name in output_files(&DatasetOptions::default()) {
        let a = std::fs::read(single.join(&name)).unwrap();
        let b = std::fs::read(merged.join(&name)).unwrap();
        assert!(
            a == b,
            "{name}: the Slurm run differs from the single ingest"
        );
    }
    for k in 0..TASKS {
        assert!(work.join(format!("shards/{k}/manifest.json")).is_file());
    }
    eprintln!(
        "Slurm: cluster up in {:.1} s, {TASKS}-task array + merge done in {:.1} s",
        cluster_up.as_secs_f64(),
        (scheduled - cluster_up).as_secs_f64()
    );
}
