//! パスワード強制変更 at the first login of an operator-created マスターユーザ.

use axum::http::StatusCode;
use madoguchi_server::operator;

use crate::support::{TestApp, engines, recent_history};

async fn new_company_master(app: &TestApp) -> (String, String) {
    let company = operator::create_company(&app.state, "テスト工業株式会社", "ﾃｽﾄｺｳｷﾞﾖｳ(ｶ)")
        .await
        .unwrap();
    let (user, passwords) = operator::create_master(
        &app.state,
        company.id,
        "tesuto01",
        "試験　一郎",
        "t@example.jp",
    )
    .await
    .unwrap();
    assert!(user.must_change_password);
    (user.login_id, passwords.login)
}

#[tokio::test]
async fn first_login_must_change_the_password_under_the_manual_rules() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let (login_id, initial) = new_company_master(&app).await;
        let mut c = app.client();
        let resp = c.login(&login_id, &initial).await;
        assert_eq!(resp.location(), "/password/change", "{engine:?}");
        // Nothing else is reachable until the change is done.
        assert_eq!(c.get("/top").await.location(), "/password/change");
        let page = c.get("/password/change").await;
        assert!(page.body.contains("BLGI002") && page.body.contains("新しいログインパスワード"));
        assert!(
            page.body.contains("新しい確認用パスワード"),
            "{engine:?}: the operator's confirmation password must be replaced too"
        );

        let cases: &[(&str, &str, &str)] = &[
            ("abc12", "abc12", "半角英数字6文字以上12文字以内"),
            (
                "abcdef1234567",
                "abcdef1234567",
                "半角英数字6文字以上12文字以内",
            ),
            ("abcdefgh", "abcdefgh", "英字と数字を混在"),
            ("12345678", "12345678", "英字と数字を混在"),
            ("ａｂｃ１２３４", "ａｂｃ１２３４", "半角英数字"),
            ("Newpass12", "Newpass13", "2ヶ所に同じもの"),
            ("tesuto01", "tesuto01", "ログインIDと同じ"),
            ("TESUTO01", "TESUTO01", "ログインIDと同じ"),
            (&initial, &initial, "現在と同じ"),
        ];
        for (first, second, message) in cases {
            let r = c
                .post_form(
                    "/password/change",
                    &[
                        ("new_login_password", first),
                        ("new_login_password_again", second),
                    ],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{engine:?}: {first}/{second}"
            );
            assert!(
                r.body.contains(message),
                "{engine:?}: {first}/{second} should say {message}"
            );
            assert!(
                r.body
                    .contains("aria-describedby=\"new_login_password-error\"")
            );
        }
        let refused = recent_history(&app, 1).await;
        assert_eq!(refused[0].operation, "パスワード強制変更");
        assert_eq!(refused[0].outcome, "エラー");
        assert!(
            !refused[0].details.contains(&initial),
            "no password in the history"
        );

        let initial_confirmation = app
            .state
            .store
            .user_by_login_key(&login_id)
            .await
            .unwrap()
            .unwrap();
        assert!(initial_confirmation.must_change_confirmation);
        let ok = c
            .post_form(
                "/password/change",
                &[
                    ("new_login_password", "Newpass12"),
                    ("new_login_password_again", "Newpass12"),
                    ("new_confirmation_password", "Kakunin34"),
                    ("new_confirmation_password_again", "Kakunin34"),
                ],
            )
            .await;
        assert_eq!(ok.location(), "/top", "{engine:?}: {}", ok.body);
        let after = app
            .state
            .store
            .user_by_login_key(&login_id)
            .await
            .unwrap()
            .unwrap();
        assert!(!after.must_change_password && !after.must_change_confirmation);
        assert_eq!(c.get("/top").await.status, StatusCode::OK);

        assert_eq!(
            app.client().login(&login_id, &initial).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.client().login(&login_id, "Newpass12").await.location(),
            "/top"
        );
    }
}

#[tokio::test]
async fn a_user_without_a_confirmation_password_sets_one_too() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let (login_id, initial) = new_company_master(&app).await;
        let raw = app.raw_store().await;
        sqlx::query("update users set confirm_password_hash = null where login_key = $1")
            .bind(&login_id)
            .execute(raw.pool())
            .await
            .unwrap();
        let mut c = app.client();
        c.login(&login_id, &initial).await;
        let page = c.get("/password/change").await;
        assert!(page.body.contains("新しい確認用パスワード"), "{engine:?}");
        let missing = c
            .post_form(
                "/password/change",
                &[
                    ("new_login_password", "Newpass12"),
                    ("new_login_password_again", "Newpass12"),
                ],
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            missing
                .body
                .contains("確認用パスワードを入力してください。")
        );
        let ok = c
            .post_form(
                "/password/change",
                &[
                    ("new_login_password", "Newpass12"),
                    ("new_login_password_again", "Newpass12"),
                    ("new_confirmation_password", "Kakunin34"),
                    ("new_confirmation_password_again", "Kakunin34"),
                ],
            )
            .await;
        assert_eq!(ok.location(), "/top", "{engine:?}");
        let user = app
            .state
            .store
            .user_by_login_key(&login_id)
            .await
            .unwrap()
            .unwrap();
        assert!(user.confirm_password_hash.is_some() && !user.must_change_password);
    }
}

#[tokio::test]
async fn a_bank_can_require_longer_passwords() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| {
            c.password_min_length = 10;
            c.password_max_length = 20;
        })
        .await;
        let (login_id, initial) = new_company_master(&app).await;
        assert!(initial.len() >= 12);
        let mut c = app.client();
        c.login(&login_id, &initial).await;
        c.get("/password/change").await;
        let short = c
            .post_form(
                "/password/change",
                &[
                    ("new_login_password", "Newpass12"),
                    ("new_login_password_again", "Newpass12"),
                ],
            )
            .await;
        assert!(
            short.body.contains("半角英数字10文字以上20文字以内"),
            "{engine:?}"
        );
        let ok = c
            .post_form(
                "/password/change",
                &[
                    ("new_login_password", "Newpassword12"),
                    ("new_login_password_again", "Newpassword12"),
                    ("new_confirmation_password", "Kakunin3456"),
                    ("new_confirmation_password_again", "Kakunin3456"),
                ],
            )
            .await;
        assert_eq!(ok.location(), "/top");
    }
}

#[tokio::test]
async fn the_confirmation_password_someone_else_set_must_be_replaced() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let company = operator::create_company(&app.state, "確認工業株式会社", "ｶｸﾆﾝｺｳｷﾞﾖｳ(ｶ)")
            .await
            .unwrap();
        let (user, passwords) = operator::create_master(
            &app.state,
            company.id,
            "kakunin01",
            "確認　太郎",
            "k@example.jp",
        )
        .await
        .unwrap();
        let mut c = app.client();
        c.login(&user.login_id, &passwords.login).await;
        c.get("/password/change").await;
        let same = c
            .post_form(
                "/password/change",
                &[
                    ("new_login_password", "Newpass12"),
                    ("new_login_password_again", "Newpass12"),
                    ("new_confirmation_password", passwords.confirmation.as_str()),
                    (
                        "new_confirmation_password_again",
                        passwords.confirmation.as_str(),
                    ),
                ],
            )
            .await;
        assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine:?}");
        assert!(
            same.body
                .contains("現在と同じ確認用パスワードは使用できません。")
        );
        // Logging out is possible before the change, and ends the session.
        let out = c.post_form("/logout", &[]).await;
        assert_eq!(out.location(), "/login?reason=logout", "{engine:?}");
        assert_eq!(
            c.get("/password/change").await.location(),
            "/login?reason=login"
        );
    }
}
