//! The operator's command line, run as the real binary.

use std::process::{Command, Output};

use crate::support::{Engine, TestDb, engines};

fn madoguchi(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["--database-url", &db.url])
        .args(args)
        .env("MADOGUCHI_ARGON2_MEMORY_KIB", "256")
        .env("MADOGUCHI_ARGON2_ITERATIONS", "1")
        .env("MADOGUCHI_OTP_KEY", "0f".repeat(32))
        .env("MADOGUCHI_HISTORY_KEY", "1e".repeat(32))
        .env("MADOGUCHI_LOG", "warn")
        .output()
        .unwrap()
}

pub(crate) fn ok(db: &TestDb, args: &[&str]) -> String {
    let out = madoguchi(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn commands_refuse_a_database_that_is_not_there() {
    let missing = std::env::temp_dir().join(format!("madoguchi-none-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["--data-dir", missing.to_str().unwrap(), "history", "verify"])
        .env("MADOGUCHI_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success(), "a missing database is not OK");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no database at"), "{stderr}");
    assert!(!missing.exists(), "nothing was created");
}

#[tokio::test]
async fn commands_refuse_an_empty_database() {
    for engine in engines() {
        let db = TestDb::create(engine).await;
        if engine == Engine::Sqlite {
            // The test database's file does not exist until something opens it.
            let out = madoguchi(&db, &["company", "list"]);
            assert!(!out.status.success());
            continue;
        }
        let out = madoguchi(&db, &["history", "verify"]);
        assert!(!out.status.success(), "{engine:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("no madoguchi schema"));
    }
}

#[tokio::test]
async fn operator_onboards_a_company_and_its_master() {
    for engine in engines() {
        let db = TestDb::create(engine).await;
        ok(&db, &["migrate"]);
        let id = ok(
            &db,
            &[
                "company",
                "create",
                "--name",
                "アパレル株式会社",
                "--kana",
                "ｱﾊﾟﾚﾙ(ｶ)",
            ],
        );
        let id = id.trim();
        ok(
            &db,
            &[
                "account",
                "add",
                "--company",
                id,
                "--branch-code",
                "081",
                "--branch-name",
                "法人営業部",
                "--kind",
                "普通",
                "--number",
                "0253226",
                "--holder",
                "ｱﾊﾟﾚﾙ(ｶ)",
            ],
        );
        // The contract option: ワンタイムパスワード on, then off again.
        assert!(
            ok(&db, &["company", "list"]).contains("otp=off"),
            "{engine:?}"
        );
        ok(&db, &["company", "options", "--company", id, "--otp", "on"]);
        assert!(
            ok(&db, &["company", "list"]).contains("otp=on"),
            "{engine:?}"
        );
        let bad = madoguchi(
            &db,
            &["company", "options", "--company", id, "--otp", "yes"],
        );
        assert!(!bad.status.success(), "{engine:?}: on or off");
        ok(
            &db,
            &["company", "options", "--company", id, "--otp", "off"],
        );
        assert!(
            ok(&db, &["company", "list"]).contains("otp=off"),
            "{engine:?}"
        );
        let accounts = ok(&db, &["account", "list", "--company", id]);
        assert!(
            accounts.contains("081 法人営業部") && accounts.contains("0253226"),
            "{engine:?}"
        );

        let partial = madoguchi(
            &db,
            &["ceiling", "set", "--company", id, "--bulk-transfer", "1000"],
        );
        assert!(
            !partial.status.success(),
            "all seven are needed the first time"
        );
        let ceilings = ok(
            &db,
            &[
                "ceiling",
                "set",
                "--company",
                id,
                "--transfer-total",
                "100000000",
                "--transfer-ad-hoc",
                "50000000",
                "--transfer-registered",
                "100000000",
                "--bulk-transfer",
                "500000000",
                "--salary",
                "200000000",
                "--bonus",
                "300000000",
                "--direct-debit",
                "100000000",
            ],
        );
        assert!(ceilings.contains("総合振込\t500,000,000円"), "{ceilings}");
        let bad = madoguchi(
            &db,
            &["ceiling", "set", "--company", id, "--salary", "１０００"],
        );
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("半角数字"));

        let created = ok(
            &db,
            &[
                "master",
                "create",
                "--company",
                id,
                "--login-id",
                "master01",
                "--name",
                "山田　太郎",
            ],
        );
        assert!(
            created.contains("初回ログインパスワード: ")
                && created.contains("初回確認用パスワード: ")
        );
        let again = madoguchi(
            &db,
            &[
                "master",
                "create",
                "--company",
                id,
                "--login-id",
                "boss0001",
                "--name",
                "次郎",
            ],
        );
        assert!(!again.status.success(), "one master per company");
        assert!(
            String::from_utf8_lossy(&again.stderr).contains("already has a master"),
            "{engine:?}: {}",
            String::from_utf8_lossy(&again.stderr)
        );
        let second = ok(
            &db,
            &[
                "company",
                "create",
                "--name",
                "第二商事株式会社",
                "--kana",
                "ﾀﾞｲﾆｼﾖｳｼﾞ(ｶ",
            ],
        );
        let second = second.trim();
        let taken = madoguchi(
            &db,
            &[
                "master",
                "create",
                "--company",
                second,
                "--login-id",
                "MASTER01",
                "--name",
                "次郎",
            ],
        );
        assert!(
            String::from_utf8_lossy(&taken.stderr).contains("既に登録"),
            "IDs are unique in any case"
        );

        let unlock = ok(&db, &["user", "unlock", "--login-id", "master01"]);
        assert!(unlock.contains("利用停止を解除しました"));
        let verify = ok(&db, &["history", "verify"]);
        assert!(verify.contains("intact"), "{verify}");

        let missing = madoguchi(&db, &["user", "unlock", "--login-id", "nobody99"]);
        assert!(!missing.status.success());
        assert!(String::from_utf8_lossy(&missing.stderr).starts_with("error: "));
    }
}

#[tokio::test]
async fn operator_loads_standard_fee_tables_with_effective_dates() {
    for engine in engines() {
        let db = TestDb::create(engine).await;
        ok(&db, &["migrate"]);
        let dir = std::env::temp_dir().join(format!(
            "madoguchi-fees-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("fees.toml");
        std::fs::write(
            &file,
            "name = \"2026年4月改定\"\nboundaries = [30000]\nsame_branch = [0, 0]\nother_branch = [110, 220]\nother_bank = [330, 550]\n",
        )
        .unwrap();
        let file = file.to_str().unwrap();
        let out = ok(
            &db,
            &[
                "fees",
                "load-standard",
                "--file",
                file,
                "--effective",
                "2026-04-01",
            ],
        );
        assert!(out.contains("2026年4月改定"), "{engine:?}: {out}");
        let again = madoguchi(
            &db,
            &[
                "fees",
                "load-standard",
                "--file",
                file,
                "--effective",
                "2026-04-01",
            ],
        );
        assert!(!again.status.success(), "one version per effective date");
        let bad_date = madoguchi(
            &db,
            &[
                "fees",
                "load-standard",
                "--file",
                file,
                "--effective",
                "2026/04/01",
            ],
        );
        assert!(!bad_date.status.success());
        let broken = dir.join("broken.toml");
        std::fs::write(&broken, "name = \"x\"\nboundaries = [30000, 20000]\nsame_branch = [0, 0, 0]\nother_branch = [1, 2, 3]\nother_bank = [1, 2, 3]\n").unwrap();
        let refused = madoguchi(
            &db,
            &[
                "fees",
                "load-standard",
                "--file",
                broken.to_str().unwrap(),
                "--effective",
                "2027-01-01",
            ],
        );
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("FEE-0001"),
            "{engine:?}"
        );
        let list = ok(&db, &["fees", "list-standard"]);
        assert!(list.contains("2026-04-01\t2026年4月改定"), "{list}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn help_is_in_plain_words() {
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "migrate", "company", "history", "--database-url"] {
        assert!(help.contains(word), "--help lacks {word}");
    }
    let _ = Engine::Sqlite;
}

#[tokio::test]
async fn the_bank_creates_its_ca_once_and_then_turns_certificates_on() {
    for engine in engines() {
        let db = TestDb::create(engine).await;
        let dir = crate::support::TempDir::new();
        let data = dir.0.to_str().unwrap();
        ok(&db, &["migrate"]);
        let id = ok(
            &db,
            &[
                "company",
                "create",
                "--name",
                "テスト株式会社",
                "--kana",
                "ﾃｽﾄ(ｶ)",
            ],
        );
        let id = id.trim();
        let on = [
            "--data-dir",
            data,
            "company",
            "options",
            "--company",
            id,
            "--certificate",
            "on",
        ];
        let refused = madoguchi(&db, &on);
        assert!(!refused.status.success(), "{engine:?}: no CA yet");
        assert!(String::from_utf8_lossy(&refused.stderr).contains("madoguchi ca init"));

        let created = ok(
            &db,
            &[
                "--data-dir",
                data,
                "ca",
                "init",
                "--name",
                "テスト銀行 認証局",
            ],
        );
        assert!(created.contains("-----BEGIN CERTIFICATE-----"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = dir.0.join("bank-ca.key");
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the CA's key is the server's alone");
        }
        let again = madoguchi(
            &db,
            &["--data-dir", data, "ca", "init", "--name", "別の認証局"],
        );
        assert!(!again.status.success(), "a CA is never replaced");
        assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
        let shown = ok(&db, &["--data-dir", data, "ca", "show"]);
        assert_eq!(
            shown,
            std::fs::read_to_string(dir.0.join("bank-ca.pem")).unwrap()
        );

        ok(&db, &on);
        assert!(
            ok(&db, &["company", "list"]).contains("certificate=on"),
            "{engine:?}"
        );
        let no_switch = madoguchi(&db, &["company", "options", "--company", id]);
        assert!(!no_switch.status.success(), "say what to set");
    }
}

#[tokio::test]
async fn the_operator_loads_the_bank_master_and_the_calendar() {
    for engine in engines() {
        let db = TestDb::create(engine).await;
        ok(&db, &["migrate"]);
        assert_eq!(
            ok(&db, &["banks", "import"]).trim(),
            "1146 banks, 28944 branches"
        );
        let shown = ok(&db, &["banks", "show", "--bank", "0001", "--branch", "001"]);
        assert_eq!(shown.trim(), "0001\t001\t東京営業部\tﾄｳｷﾖｳ", "{engine:?}");
        assert!(
            !madoguchi(&db, &["banks", "show", "--bank", "9999"])
                .status
                .success()
        );
        let dir = crate::support::TempDir::new();
        let bad = dir.0.join("bad.tsv");
        std::fs::write(&bad, "h\n0001\t\tみずほ\tミズホ\n12\t\tx\tｱ\n").unwrap();
        let refused = madoguchi(&db, &["banks", "import", "--file", bad.to_str().unwrap()]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("line 3"));
        assert!(
            ok(&db, &["banks", "show", "--bank", "0005"]).starts_with("0005\t\t三菱ＵＦＪ\t"),
            "the master is unchanged"
        );

        assert_eq!(
            ok(&db, &["calendar", "import"]).trim(),
            "1329 national holidays"
        );
        ok(
            &db,
            &[
                "calendar",
                "close",
                "--date",
                "2027-05-06",
                "--name",
                "振替休業日",
            ],
        );
        let year = ok(&db, &["calendar", "list", "--year", "2027"]);
        assert!(year.contains("2027-01-11\t祝日\t成人の日"), "{year}");
        assert!(year.contains("2027-05-06\t休業日\t振替休業日"));
        ok(&db, &["calendar", "open", "--date", "2027-05-06"]);
        assert!(!ok(&db, &["calendar", "list", "--year", "2027"]).contains("休業日"));
        assert!(
            !madoguchi(
                &db,
                &["calendar", "close", "--date", "2027-02-30", "--name", "x"]
            )
            .status
            .success()
        );
    }
}
