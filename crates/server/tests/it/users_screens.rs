//! 利用者管理 through the screens: the wizard, 変更, 削除, 停止・解除, and the printed PDF
//! read back with `pdf-extract`.

use axum::http::StatusCode;

use crate::support::{Client, TestApp, engines};
use crate::users::{admin_api, new_user, user_id, version};
use axum::http::Method;

#[tokio::test]
async fn registration_on_the_screens_and_the_printed_pdf() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        assert!(c.get("/users/list").await.body.contains("BRSK005"));
        c.get("/users/new").await;
        let mut fields: Vec<(&str, &str)> = vec![
            ("step", "0"),
            ("go", "next"),
            ("login_id", "suzuki01"),
            ("login_id_again", "suzuki01"),
            ("login_password", "Shoki123"),
            ("login_password_again", "Shoki123"),
            ("confirmation_password", "Kakunin99"),
            ("confirmation_password_again", "Kakunin99"),
            ("name", "鈴木　次郎"),
            ("email", "suzuki@example.jp"),
            ("email_again", "suzuki@example.jp"),
            ("admin", "0"),
        ];
        let step2 = c.post_form("/users/new", &fields).await;
        assert!(step2.body.contains("BRSK007"), "{engine:?}: {}", step2.body);
        fields[0] = ("step", "1");
        fields.push(("perm", "inquiry.balance"));
        let step3 = c.post_form("/users/new", &fields).await;
        assert!(step3.body.contains("BRSK008"));
        fields[0] = ("step", "2");
        for (k, v) in [
            ("limit_transfer", "100"),
            ("limit_bulk_transfer", "0"),
            ("limit_salary", "0"),
            ("limit_bonus", "0"),
            ("limit_direct_debit", "0"),
        ] {
            fields.push((k, v));
        }
        let confirm = c.post_form("/users/new", &fields).await;
        assert!(
            confirm.body.contains("BRSK009") && confirm.body.contains("鈴木　次郎"),
            "{engine:?}"
        );
        let key = crate::support::hidden_field(&confirm.body, "idempotency_key").unwrap();
        fields.push(("idempotency_key", &key));
        fields.push(("confirmation_password_confirm", "Kakunin12"));
        let done = c.post_form("/users/new/execute", &fields).await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: {}",
            done.body
        );
        let result = c.get(done.location()).await;
        assert!(result.body.contains("BRSK010") && result.body.contains("印刷"));
        let print = done
            .location()
            .replace("/users/result?", "/users/result/print?");
        let pdf = c.get(&print).await;
        assert_eq!(pdf.headers.get("content-type").unwrap(), "application/pdf");
        let raw = c.get_raw(&print).await;
        let text = pdf_extract::extract_text_from_mem(&raw).unwrap();
        for expected in [
            "利用者登録結果",
            "suzuki01",
            "鈴木",
            "アパレル株式会社",
            "利用者一回当たり限度額",
        ] {
            assert!(
                text.contains(expected),
                "{engine:?}: the PDF lacks {expected}: {text}"
            );
        }
        assert!(
            !text.contains("Shoki123") && !text.contains("Kakunin99"),
            "no passwords in the PDF"
        );
    }
}

#[tokio::test]
async fn change_delete_and_release_on_the_screens() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let ippan = user_id(&app, "ippan01").await;
        let view = c.get(&format!("/users/view?user={ippan}")).await;
        assert!(
            view.body.contains("BRSK025") && view.body.contains("佐藤　花子"),
            "{engine:?}"
        );
        // 変更: the steps come filled in; the password stays unless 「変更する」 is checked.
        let step1 = c.get(&format!("/users/edit?user={ippan}")).await;
        assert!(
            step1.body.contains("BRSK011")
                && step1.body.contains("value=\"ippan01\"")
                && step1.body.contains("変更する")
        );
        let v = version(&app, "ippan01").await.to_string();
        let mut fields: Vec<(String, String)> = crate::support::hidden_fields(&step1.body);
        for (k, val) in [
            ("step", "0"),
            ("go", "next"),
            ("login_id", "ippan01"),
            ("login_id_again", "ippan01"),
            ("name", "佐藤　花子"),
            ("email", "sato@apparel.example.jp"),
            ("email_again", "sato@apparel.example.jp"),
            ("admin", "0"),
        ] {
            fields.retain(|(n, _)| n != k);
            fields.push((k.to_owned(), val.to_owned()));
        }
        fields.retain(|(n, _)| n != "version");
        fields.push(("version".into(), v.clone()));
        let step2 = post(&mut c, &format!("/users/{ippan}/edit"), &fields).await;
        assert!(step2.body.contains("BRSK012"), "{engine:?}: {}", step2.body);
        let mut next = crate::support::hidden_fields(&step2.body);
        next.retain(|(n, _)| n != "step" && n != "go");
        next.push(("step".into(), "1".into()));
        next.push(("go".into(), "next".into()));
        next.push(("perm".into(), "inquiry.balance".into()));
        next.push(("perm".into(), "admin.history_all".into()));
        let step3 = post(&mut c, &format!("/users/{ippan}/edit"), &next).await;
        assert!(step3.body.contains("BRSK013"), "{engine:?}");
        let mut last = crate::support::hidden_fields(&step3.body);
        last.retain(|(n, _)| n != "step" && n != "go");
        last.push(("step".into(), "2".into()));
        last.push(("go".into(), "next".into()));
        for (k, val) in [
            ("limit_transfer", "1000000"),
            ("limit_bulk_transfer", "10000000"),
            ("limit_salary", "0"),
            ("limit_bonus", "0"),
            ("limit_direct_debit", "0"),
        ] {
            last.push((k.into(), val.into()));
        }
        let confirm = post(&mut c, &format!("/users/{ippan}/edit"), &last).await;
        assert!(
            confirm.body.contains("BRSK014"),
            "{engine:?}: {}",
            confirm.body
        );
        assert!(
            confirm.body.contains("class=\"changed-mark\""),
            "the changed permissions are red"
        );
        assert!(
            confirm
                .body
                .contains("<th>ログインパスワード</th>\n    <td>登録済み</td>"),
            "the passwords are not changed, and not marked: {}",
            confirm.body
        );
        let mut exec = crate::support::hidden_fields(&confirm.body);
        exec.push(("confirmation_password_confirm".into(), "Kakunin12".into()));
        let done = post(&mut c, &format!("/users/{ippan}/edit/execute"), &exec).await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: {}",
            done.body
        );
        let result = c.get(done.location()).await;
        assert!(result.body.contains("BRSK015") && result.body.contains("印刷"));
        assert_eq!(
            app.client().login("ippan01", "Demo1234").await.status,
            StatusCode::SEE_OTHER,
            "password unchanged"
        );

        // 削除 of a new user through the screens.
        let mut api = admin_api(&app, "master01").await;
        api.json(Method::POST, "/api/v1/users", new_user("gone0001", "g"))
            .await;
        let gone = user_id(&app, "gone0001").await;
        let confirm = c.get(&format!("/users/delete?user={gone}")).await;
        assert!(
            confirm.body.contains("BRSK016") && confirm.body.contains("gone0001"),
            "{engine:?}"
        );
        let mut exec = crate::support::hidden_fields(&confirm.body);
        exec.push(("confirmation_password_confirm".into(), "Kakunin12".into()));
        let done = post(&mut c, &format!("/users/{gone}/delete"), &exec).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert!(c.get(done.location()).await.body.contains("BRSK017"));
        let master = user_id(&app, "master01").await;
        assert_eq!(
            c.get(&format!("/users/delete?user={master}")).await.status,
            StatusCode::FORBIDDEN,
            "{engine:?}"
        );

        // 利用者停止・解除 through the screens.
        crate::support::lock_out(&app, "ippan01").await;
        let locks = c.get("/users/locks").await;
        assert!(
            locks.body.contains("BRSK041") && locks.body.contains("ログインパスワード利用停止"),
            "{engine:?}"
        );
        let page = c.get(&format!("/users/locks/{ippan}")).await;
        assert!(page.body.contains("BRSK042"));
        let key = crate::support::hidden_field(&page.body, "idempotency_key").unwrap();
        let version = crate::support::hidden_field(&page.body, "version").unwrap();
        let r = c
            .post_form(
                &format!("/users/locks/{ippan}"),
                &[
                    ("idempotency_key", &key),
                    ("version", &version),
                    ("service_state", "available"),
                    ("confirmation_password_confirm", "Kakunin12"),
                ],
            )
            .await;
        assert!(
            r.body.contains("BRSK043") && r.body.contains("利用可能"),
            "{engine:?}: {}",
            r.body
        );
        assert_eq!(
            app.client().login("ippan01", "Demo1234").await.status,
            StatusCode::SEE_OTHER
        );
    }
}

/// Posts `fields` (names may repeat) with the CSRF token of the last page.
async fn post(c: &mut Client, path: &str, fields: &[(String, String)]) -> crate::support::Resp {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    c.post_form(path, &pairs).await
}
