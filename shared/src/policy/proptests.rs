//! Property tests: parsing arbitrary JSON-ish text and evaluating arbitrary requests
//! never panics; operators treat multivalued keys as IAM documents.

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
        "BinaryEqualsIfExists",
        "ForAnyValue:BinaryEquals",
        "QmluYXJ5VmFsdWVJbkJhc2U2NA==",
        "QQ",
        "aws:TagKeys",
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

/// Keys absent, given a value, or given as a list (of zero to three values).
fn any_context() -> impl Strategy<Value = Context> {
    let key = prop_oneof![Just("aws:TagKeys".to_owned()), ".{0,8}"];
    let values = prop::collection::vec(".{0,12}", 0..4);
    prop::collection::vec((key, values, 0..3u8), 0..5).prop_map(|entries| {
        let mut context = Context::new();
        for (key, values, kind) in entries {
            match (kind, values.first()) {
                (0, _) => context.set_absent(&key),
                (1, Some(value)) => context.insert(&key, value),
                _ => {
                    let values: Vec<&str> = values.iter().map(String::as_str).collect();
                    context.insert_list(&key, &values);
                }
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
                          "BinaryEqualsIfExists":{"aws:TagKeys":"QQ=="},
                          "DateLessThan":{"aws:CurrentTime":"2024-01-01"},
                          "NotIpAddress":{"aws:SourceIp":"::/0"},
                          "ArnLike":{"aws:PrincipalArn":"arn:*:iam::?:*"}}}]}"#;
        let policies = [Policy::parse("p", doc).expect("valid")];
        let _ = evaluate(&policies, Some(&policies), &action, &resource, &context);
    }

    /// "Multivalued context keys require a condition set operator": without one, no
    /// operator matches a list, whatever its values and the policy's.
    #[test]
    fn operators_without_a_set_qualifier_never_match_a_list(
        operator in prop::sample::select(vec![
            "StringEquals", "StringNotEquals", "StringLike", "StringNotLikeIfExists",
            "StringEqualsIgnoreCase", "ArnNotLike", "Bool", "NumericNotEquals",
        ]),
        policy_values in prop::collection::vec("[a-c1*]{0,3}|1", 1..3),
        request_values in prop::collection::vec("[a-c1]{0,3}|1", 1..4),
    ) {
        let condition = serde_json::json!({ operator: { "k": policy_values } });
        let doc = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                          "Condition": condition},
        });
        // Numeric values that are not numbers make the document invalid.
        let policy = Policy::from_value("p", &doc);
        prop_assume!(policy.is_ok());
        let policies = [policy.expect("checked")];
        let values: Vec<&str> = request_values.iter().map(String::as_str).collect();
        let context = Context::new().with_list("k", &values);
        let e = evaluate(&policies, None, "s3:GetObject", "arn:aws:s3:::b", &context);
        prop_assert_eq!(e.decision, Decision::ImplicitDeny);
    }

    /// ForAnyValue: over a list is the operator over each value alone, OR-ed; ForAllValues:
    /// is the same, AND-ed.
    #[test]
    fn set_qualifiers_over_a_list_combine_single_values(
        operator in prop::sample::select(vec![
            "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "BinaryEquals",
        ]),
        policy_values in prop::collection::vec(
            prop::sample::select(vec!["QQ==", "Qg==", "a*", "QQ"]), 1..3),
        request_values in prop::collection::vec(
            prop::sample::select(vec!["QQ==", "Qg==", "abc", "QQ", ""]), 1..4),
    ) {
        let decide = |operator: &str, context: &Context| {
            let doc = serde_json::json!({
                "Version": "2012-10-17",
                "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                              "Condition": { operator: { "k": policy_values } }},
            });
            // A policy value that is not base64 makes a BinaryEquals document invalid.
            let Ok(policy) = Policy::from_value("p", &doc) else { return None };
            let policies = [policy];
            let e = evaluate(&policies, None, "s3:GetObject", "arn:aws:s3:::b", context);
            Some(e.decision == Decision::Allowed)
        };
        let singles: Option<Vec<bool>> = request_values
            .iter()
            .map(|v| decide(operator, &Context::new().with("k", v)))
            .collect();
        let list = Context::new().with_list("k", &request_values.to_vec());
        if let Some(singles) = singles {
            let any = decide(&format!("ForAnyValue:{operator}"), &list);
            let all = decide(&format!("ForAllValues:{operator}"), &list);
            prop_assert_eq!(any, Some(singles.iter().any(|b| *b)));
            prop_assert_eq!(all, Some(singles.iter().all(|b| *b)));
        }
    }
}
