//! MariaDB with a binary log, in each of its formats. The integrate stage is a temporary Aria
//! table (no transactions), and a server that logs statements writes such a table's changes
//! into the binary log too: a replica must still end equal to the primary, and a table the
//! primary refused must reach a replica as nothing. The suite's shared server runs without a
//! binary log, so this test starts two servers of its own: a primary that logs, and a replica
//! that replays the primary's log with `mariadb-binlog` (what a replica's SQL thread runs).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::engines::{a_cycle_the_server_refuses_for_orders, lift_the_refusal};
use crate::support::model::Style;
use crate::support::target::{Db, Target};
use crate::support::{Scenario, channel, hvr};

/// A MariaDB server in a directory of its own, stopped and removed when dropped.
struct PrivateServer {
    dir: PathBuf,
    port: u16,
    child: Child,
}

impl PrivateServer {
    fn start(dir: &Path, extra: &[&str]) -> PrivateServer {
        let data = dir.join("data");
        // A server starting up deletes every `#sql*` file in its tmpdir: in the shared /tmp
        // those are the suite's own server's temporary tables, in use by other tests (seen:
        // `Error on delete of '/tmp/#sql-temptable-...MAI'`). So each has its own.
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let tmpdir = format!("--tmpdir={}", tmp.display());
        let installed = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--user=root", "--skip-test-db"])
            .arg("--auth-root-authentication-method=normal")
            .arg(format!("--datadir={}", data.display()))
            .arg(&tmpdir)
            .output()
            .expect("mariadb-install-db (MariaDB's server package; scripts/setup.sh installs it)");
        assert!(
            installed.status.success(),
            "mariadb-install-db: {}",
            String::from_utf8_lossy(&installed.stderr)
        );
        let port = free_port();
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        // `--user=root` only matters when the suite runs as root, where mariadbd needs it.
        let child = Command::new(server_binary())
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(&tmpdir)
            .arg(format!("--socket={}", dir.join("sock").display()))
            .arg(format!("--port={port}"))
            .args([
                "--bind-address=127.0.0.1",
                "--user=root",
                "--local-infile=1",
            ])
            .args(["--skip-name-resolve", "--innodb-buffer-pool-size=32M"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start mariadbd");
        let server = PrivateServer {
            dir: dir.to_path_buf(),
            port,
            child,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self
                .client()
                .arg("-e")
                .arg("SELECT 1")
                .output()
                .is_ok_and(|o| o.status.success())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        panic!("the private MariaDB server did not start within 60 s:\n{log}");
    }

    /// The `mariadb` client, connected as root.
    fn client(&self) -> Command {
        let mut cmd = Command::new("mariadb");
        cmd.args(["-h", "127.0.0.1", "-u", "root", "--local-infile=1"])
            .arg(format!("--port={}", self.port));
        cmd
    }

    fn sql(&self, sql: &str) {
        let out = self.client().arg("-e").arg(sql).output().unwrap();
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// ODBC connection string without `Database=`.
    fn odbc(&self) -> String {
        format!(
            "Driver={{MariaDB Unicode}};Server=127.0.0.1;Port={};Uid=root;Pwd=;CHARSET=utf8mb4;",
            self.port
        )
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn server_binary() -> PathBuf {
    ["/usr/sbin/mariadbd", "/usr/bin/mariadbd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("mariadbd"))
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// On `primary`, logging in `format`: a refresh, a cycle, a cycle whose first table the
/// server refuses (triggers; `--parallel 1`, so the other tables follow on the same
/// connection), and the retry once the cause is lifted. Returns the scenario, whose models
/// hold what every table must contain.
/// `direct`: `binlog_direct_non_transactional_updates`, which logs a statement's writes to
/// non-transactional tables (the Aria stage) at once instead of with its transaction.
fn cycles_with_a_refused_table(primary: &PrivateServer, format: &str, direct: bool) -> Scenario {
    primary.sql(&format!(
        "SET GLOBAL binlog_format = {format}, binlog_direct_non_transactional_updates = {}",
        if direct { "ON" } else { "OFF" }
    ));
    let test = format!(
        "binlog_{}{}",
        format.to_ascii_lowercase(),
        if direct { "_direct" } else { "" }
    );
    let mut sc = Scenario::on_mariadb(&primary.odbc(), Style::ReplicationCopy, &test);
    sc.hvr.user_arg.push_str(" --parallel 1");
    let refresh = sc.refresh_changes(5);
    sc.hvr.refresh(&refresh).assert_ok();
    let changes = sc.cycle_changes(8, None);
    sc.hvr.integrate(&changes).assert_ok();
    sc.assert_target_matches(&format!("{format}: after a cycle"));
    let vars = a_cycle_the_server_refuses_for_orders(&mut sc);
    lift_the_refusal(&sc);
    sc.hvr.call("integ_end", &vars).assert_ok();
    sc.assert_target_matches(&format!("{format}: after the refused table was retried"));
    sc.assert_no_files_left();
    sc
}

/// Replays every binary log of `primary` into `replica`, as its SQL thread would.
fn replay(primary: &PrivateServer, replica: &PrivateServer) {
    primary.sql("FLUSH BINARY LOGS");
    let data = primary.dir.join("data");
    let mut logs: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("bin.") && !n.ends_with(".index"))
        })
        .collect();
    logs.sort();
    let loads = primary.dir.join("loads");
    std::fs::create_dir_all(&loads).unwrap();
    let text = Command::new("mariadb-binlog")
        .arg(format!("--local-load={}", loads.display()))
        .args(&logs)
        .output()
        .expect("mariadb-binlog");
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let mut client = replica
        .client()
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A client that stops at an error closes its input: its message says why.
    let _ = std::io::Write::write_all(client.stdin.as_mut().unwrap(), &text.stdout);
    let applied = client.wait_with_output().unwrap();
    assert!(
        applied.status.success(),
        "replaying the primary's binary log: {}",
        String::from_utf8_lossy(&applied.stderr)
    );
}

#[test]
fn mariadb_with_a_binary_log_in_every_format_keeps_a_replica_equal() {
    let dir = hvr::scratch("binlog_servers");
    let primary_dir = dir.join("primary");
    let replica_dir = dir.join("replica");
    std::fs::create_dir_all(&primary_dir).unwrap();
    std::fs::create_dir_all(&replica_dir).unwrap();
    let primary = PrivateServer::start(
        &primary_dir,
        &[
            "--log-bin=bin",
            "--server-id=1",
            "--binlog-format=STATEMENT",
        ],
    );
    let scenarios: Vec<Scenario> = [
        ("STATEMENT", false),
        ("MIXED", false),
        ("ROW", false),
        ("STATEMENT", true),
        ("MIXED", true),
    ]
    .iter()
    .map(|(format, direct)| cycles_with_a_refused_table(&primary, format, *direct))
    .collect();
    let replica = PrivateServer::start(&replica_dir, &["--server-id=2"]);
    replay(&primary, &replica);
    for sc in &scenarios {
        let on_replica = Target {
            db: Db::Mariadb,
            connect_string: sc.target.connect_string.replace(
                &format!("Port={};", primary.port),
                &format!("Port={};", replica.port),
            ),
            schema: sc.target.schema.clone(),
        };
        for m in &sc.models {
            let got = on_replica.rows(&m.def, sc.style);
            if let Some(diff) = channel::difference(&got, &m.expected()) {
                panic!(
                    "the replica, in {}'s database: table {} has {diff}",
                    sc.target.schema, m.def.name
                );
            }
        }
    }
}
