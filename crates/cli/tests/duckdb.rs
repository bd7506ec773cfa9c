//! The Parquet files read by a real client: DuckDB (`pip install duckdb`, installed by
//! `scripts/deploy-tools.sh`) sums the scores per 一级指标 from `indicators.parquet` exactly
//! as the same query on `jixiao.sqlite` does.

mod common;

use std::process::Command;

use jixiao::ingest::{ingest, IngestOptions};

/// Compares, per 一级指标, SUM(score) and COUNT(score) of DuckDB on the Parquet file with the
/// same query on SQLite, and with the exact decimal sum of SQLite's printed values; checks the
/// Parquet column types and that every table has as many rows in both.
const CHECK: &str = r#"
import sqlite3, sys
from decimal import Decimal
import duckdb

d = sys.argv[1]
query = "SELECT level1, SUM(score), COUNT(score) FROM {} GROUP BY level1 ORDER BY level1"
duck = duckdb.sql(query.format(f"read_parquet('{d}/indicators.parquet')")).fetchall()
lite = sqlite3.connect(f"{d}/jixiao.sqlite")
sums = lite.execute(query.format("indicators")).fetchall()
exact = {}
for level1, score in lite.execute("SELECT level1, score FROM indicators WHERE score IS NOT NULL"):
    exact[level1] = exact.get(level1, Decimal(0)) + Decimal(score)
assert [r[0] for r in duck] == [r[0] for r in sums], (duck, sums)
assert len(duck) >= 3 and all(n > 0 for _, _, n in duck), duck
for (level1, total, n), (_, lite_total, lite_n) in zip(duck, sums):
    assert isinstance(total, Decimal), (level1, total)
    assert total == exact[level1], (level1, total, exact[level1])
    assert n == lite_n, (level1, n, lite_n)
    tolerance = 1e-9 * max(1.0, abs(lite_total))
    assert abs(float(total) - lite_total) <= tolerance, (level1, total, lite_total)
described = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{d}/indicators.parquet')")
types = {row[0]: row[1] for row in described.fetchall()}
assert types["score"] == "DECIMAL(10,4)" and types["score_printed"] == "VARCHAR", types
assert types["position"] == "BIGINT", types
for table in ["files", "reports", "funding", "indicators", "findings"]:
    [(a,)] = duckdb.sql(f"SELECT COUNT(*) FROM read_parquet('{d}/{table}.parquet')").fetchall()
    (b,) = lite.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    assert a == b, (table, a, b)
for level1, total, n in duck:
    print(f"{level1}\t{total}\t{n}")
"#;

#[test]
fn duckdb_sums_parquet_scores_like_sqlite() {
    let has_duckdb = Command::new("python3")
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_duckdb {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install duckdb (pip install duckdb; see scripts/deploy-tools.sh)"
        );
        eprintln!("skipped: python3 with duckdb not found (pip install duckdb)");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let samples = common::workspace().join("samples");
    let pipeline = common::pipeline();
    let opts = IngestOptions::quiet(
        vec![samples.join("chromium"), samples.join("libreoffice")],
        out.path().to_path_buf(),
        2,
    );
    ingest(&opts, &|bytes, file, sha| {
        pipeline.process(bytes, file, sha)
    })
    .unwrap();
    let check = Command::new("python3")
        .args(["-c", CHECK])
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    eprint!("sum of scores per 一级指标 (DuckDB on Parquet = SQLite):\n{stdout}");
}
