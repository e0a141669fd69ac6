//! Property tests: parsing arbitrary JSON-ish text and evaluating arbitrary requests
//! never panics.

use proptest::prelude::*;

use super::*;

/// JSON values built from policy-like pieces, so that many reach deep validation.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let words = prop::sample::select(vec![
        "Version",
        "2012-10-17",
        "2008-10-17",
        "Statement",
        "Effect",
        "Allow",
        "Deny",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Sid",
        "*",
        "sts:Assume*",
        "arn:aws:iam::*:role/${aws:username}-?",
        "StringLike",
        "ForAllValues:StringNotEqualsIfExists",
        "Null",
        "Bool",
        "IpAddress",
        "DateLessThan",
        "NumericGreaterThan",
        "aws:SourceIp",
        "10.0.0.0/8",
        "2024-01-01",
        "${",
        "${*}",
        "ArnLike",
        "é?*",
        "",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        words
            .clone()
            .prop_map(|w| serde_json::Value::String(w.to_owned())),
        ".{0,12}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::vec((words.clone(), inner), 0..6).prop_map(|pairs| {
                serde_json::Value::Object(
                    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                )
            }),
        ]
    })
}

fn any_context() -> impl Strategy<Value = Context> {
    prop::collection::vec((".{0,8}", ".{0,12}", any::<bool>()), 0..5).prop_map(|entries| {
        let mut context = Context::new();
        for (key, value, absent) in entries {
            if absent {
                context.set_absent(&key);
            } else {
                context.insert(&key, &value);
            }
        }
        context
    })
}

proptest! {
    #[test]
    fn parsing_arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = Policy::parse("p", &text);
    }

    #[test]
    fn dates_and_addresses_never_panic(
        text in "[0-9T:+.Z/a-fé-]{0,30}",
        any_text in ".{0,30}",
    ) {
        for t in [&text, &any_text] {
            let _ = super::date::parse(t);
            if let Some(net) = super::ip::Cidr::parse(t) {
                let _ = net.contains(t);
            }
        }
    }

    #[test]
    fn parsing_and_evaluating_arbitrary_documents_never_panics(
        value in json_value(),
        action in ".{0,20}",
        resource in ".{0,40}",
        context in any_context(),
    ) {
        if let Ok(policy) = Policy::from_value("p", &value) {
            let policies = [policy];
            let _ = evaluate(&policies, None, &action, &resource, &context);
            let _ = evaluate(&policies, Some(&policies), &action, &resource, &context);
        }
    }

    #[test]
    fn evaluating_arbitrary_requests_never_panics(
        action in ".{0,20}",
        resource in ".{0,60}",
        context in any_context(),
    ) {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"sts:Assume*","Resource":"arn:aws:iam::*:role/${aws:username}-?*"},
            {"Effect":"Deny","NotAction":"s3:*","NotResource":"arn:aws:s3:::?é*",
             "Condition":{"ForAnyValue:StringLikeIfExists":{"aws:username":"${aws:userid}*"},
                          "DateLessThan":{"aws:CurrentTime":"2024-01-01"},
                          "NotIpAddress":{"aws:SourceIp":"::/0"},
                          "ArnLike":{"aws:PrincipalArn":"arn:*:iam::?:*"}}}]}"#;
        let policies = [Policy::parse("p", doc).expect("valid")];
        let _ = evaluate(&policies, Some(&policies), &action, &resource, &context);
    }
}
