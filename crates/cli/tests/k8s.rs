//! `deploy/k8s`: the manifests pass the Kubernetes schema validator (`pip install
//! kubernetes-validate`, installed by `scripts/deploy-tools.sh`), and their shard wiring
//! works: the ingest Job's pods, run here as the kubelet would run them (each with its
//! `JOB_COMPLETION_INDEX`, `$(VAR)` references expanded, the shared volume a temporary
//! directory), then the merge Job's command, give the dataset of a single ingest.
//!
//! Skipped, with a message, when the validator is not installed — except under CI.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

use jixiao_dataset::{output_files, DatasetOptions};
use serde_json::Value;

fn k8s_dir() -> std::path::PathBuf {
    common::workspace().join("deploy/k8s")
}

fn validator_installed() -> bool {
    let found = Command::new("python3")
        .args(["-m", "kubernetes_validate", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install kubernetes-validate (pip; see scripts/deploy-tools.sh)"
        );
        eprintln!("skipped: kubernetes-validate not found (pip install kubernetes-validate)");
    }
    found
}

fn validate(files: &[&Path]) -> Command {
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "kubernetes_validate", "--strict", "--no-warn"])
        .args(files);
    cmd
}

/// Runs `cmd` and asserts that it succeeded (`what` and its output in the message).
fn run_ok(cmd: &mut Command, what: &str) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The manifest as JSON (PyYAML comes with kubernetes-validate).
fn load(name: &str) -> Value {
    let out = run_ok(
        Command::new("python3")
            .args([
                "-c",
                "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            ])
            .arg(k8s_dir().join(name)),
        name,
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn manifests_pass_the_schema_validator() {
    if !validator_installed() {
        return;
    }
    let files: Vec<_> = ["volume.yaml", "ingest-job.yaml", "merge-job.yaml"]
        .map(|f| k8s_dir().join(f))
        .to_vec();
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    run_ok(&mut validate(&refs), "kubernetes-validate");
    // The validator does reject a wrong manifest (a misspelt field).
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    let text = std::fs::read_to_string(&files[1]).unwrap();
    std::fs::write(&broken, text.replace("completionMode:", "completionMod:")).unwrap();
    assert!(!validate(&[&broken]).output().unwrap().status.success());
}

/// `$(NAME)` references in `arg` replaced from `env`, as the kubelet does.
fn expand(arg: &str, env: &HashMap<String, String>) -> String {
    let mut out = arg.to_string();
    for (k, v) in env {
        out = out.replace(&format!("$({k})"), v);
    }
    assert!(!out.contains("$("), "unexpanded reference in {arg}");
    out
}

/// The container of a Job, with its claim and mount path checked against the volume.
fn container(job: &Value) -> (&Value, String) {
    let pod = &job["spec"]["template"]["spec"];
    let claim = load("volume.yaml")["metadata"]["name"].clone();
    assert_eq!(
        pod["volumes"][0]["persistentVolumeClaim"]["claimName"],
        claim
    );
    let c = &pod["containers"][0];
    assert_eq!(c["volumeMounts"][0]["name"], pod["volumes"][0]["name"]);
    let mount = c["volumeMounts"][0]["mountPath"]
        .as_str()
        .unwrap()
        .to_string();
    (c, mount)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn indexed_job_pods_and_merge_job_give_the_single_run_dataset() {
    if !validator_installed() {
        return;
    }
    let jixiao = env!("CARGO_BIN_EXE_jixiao");
    let ingest = load("ingest-job.yaml");
    let spec = &ingest["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let completions = spec["completions"].as_u64().unwrap();
    let (c, mount) = container(&ingest);
    let mut env: HashMap<String, String> = c["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let k = e["name"].as_str().unwrap().to_string();
            (k, e["value"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        env["JIXIAO_SHARD_COUNT"],
        completions.to_string(),
        "JIXIAO_SHARD_COUNT must equal completions"
    );
    env.remove("JIXIAO_MODELS");

    // The shared volume, with born-digital samples as the inputs.
    let volume = tempfile::tempdir().unwrap();
    let data = volume.path().to_str().unwrap().to_string();
    // Paths below the mount point (`/data/dataset` → `<volume>/dataset`) and the binary.
    let on_volume = |s: &str| {
        s.replace(&format!("{mount}/"), &format!("{data}/"))
            .replace("jixiao ", &format!("{jixiao} "))
    };
    std::fs::create_dir(volume.path().join("input")).unwrap();
    for rel in [
        "chromium/putuo-2022.pdf",
        "chromium/scoring.pdf",
        "libreoffice/districts-excerpt.pdf",
    ] {
        let name = rel.replace('/', "-");
        std::fs::copy(common::sample(rel), volume.path().join("input").join(name)).unwrap();
    }
    let command = strings(&c["command"]);
    assert_eq!(command, ["jixiao"]);
    let args = strings(&c["args"]);
    for index in 0..completions {
        let mut pod_env = env.clone();
        pod_env.insert("JOB_COMPLETION_INDEX".into(), index.to_string());
        let args: Vec<String> = args
            .iter()
            .map(|a| on_volume(&expand(a, &pod_env)))
            .collect();
        run_ok(
            Command::new(jixiao)
                .args(&args)
                .env_remove("SLURM_ARRAY_TASK_ID")
                .envs(&pod_env),
            &format!("pod {index}"),
        );
    }

    let merge = load("merge-job.yaml");
    let (c, merge_mount) = container(&merge);
    assert_eq!(merge_mount, mount);
    let mut command = strings(&c["command"]);
    command.extend(strings(&c["args"]));
    assert_eq!(command[..2], ["sh", "-c"]);
    run_ok(
        Command::new("sh").arg("-c").arg(on_volume(&command[2])),
        "merge",
    );

    let single = volume.path().join("single");
    run_ok(
        Command::new(jixiao)
            .args(["ingest", &format!("{data}/input"), "--out"])
            .arg(&single)
            .arg("--quiet"),
        "single ingest",
    );
    for name in output_files(&DatasetOptions::default()) {
        let a = std::fs::read(single.join(&name)).unwrap();
        let b = std::fs::read(volume.path().join("dataset").join(&name)).unwrap();
        assert!(
            a == b,
            "{name}: the Kubernetes wiring differs from the single ingest"
        );
    }
}
