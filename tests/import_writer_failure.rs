//! An import whose writer fails mid-way (here a trigger refusing one row;
//! in life a full disk, or a lock held past the busy timeout) ends with the
//! error, while its parser thread still has most of the file to send; the
//! batches before the failure stay. pg_import_writer_failure runs it on
//! PostgreSQL.

mod common;
use common::*;
use std::time::{Duration, Instant};

const REFUSAL: &str = "the disk is full (simulated)";

/// Makes the desk's own database refuse to store ticket `id`.
fn refuse_ticket(desk: &Desk, id: &str) {
    match desk.engine {
        Engine::Sqlite => {
            let c = rusqlite::Connection::open(&desk.db).unwrap();
            c.execute_batch(&format!(
                "CREATE TRIGGER boom BEFORE INSERT ON tickets WHEN NEW.id = '{id}'
                 BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END;"
            ))
            .unwrap();
        }
        Engine::Postgres => {
            let name = desk
                .url
                .split('?')
                .next()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap();
            let cluster = pg::cluster().expect("the desk's cluster");
            cluster.superuser_sql(
                name,
                &format!(
                    "CREATE FUNCTION refund_desk.boom() RETURNS trigger LANGUAGE plpgsql AS
                     $$BEGIN IF NEW.id = '{id}' THEN RAISE EXCEPTION '{REFUSAL}'; END IF; RETURN NEW; END$$;
                     CREATE TRIGGER boom BEFORE INSERT ON refund_desk.tickets
                     FOR EACH ROW EXECUTE FUNCTION refund_desk.boom();"
                ),
            );
        }
    }
}

#[test]
fn a_writer_failing_mid_import_reports_the_error_instead_of_hanging() {
    let desk = Desk::new();
    let (code, lines, err) = desk.run(&["demo", "--tickets", "60000", "--print"]);
    assert_eq!(code, 0, "{err}");
    let path = desk.write("big.jsonl", &lines);
    let victim: serde_json::Value =
        serde_json::from_str(lines.lines().nth(25_000).unwrap()).unwrap();
    // The desk, still empty: on SQLite the import below is a bulk load.
    let (code, _, err) = desk.import("none.jsonl", "");
    assert_eq!(code, 0, "{err}");
    refuse_ticket(&desk, victim["id"].as_str().unwrap());

    let mut child = desk
        .cmd_std()
        .args(["import", path.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the import hung after its writer failed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success(), "{err}");
    assert!(err.contains(REFUSAL), "{err}");

    // What was committed before the failing batch stays, and reads.
    let (code, out, err) = desk.run(&["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let landed = serde_json::from_str::<Vec<serde_json::Value>>(&out)
        .unwrap()
        .len();
    assert!(landed > 0 && landed <= 25_000, "{landed} tickets landed");
}
