//! Finding people exactly: a search answer proves that nobody matches only when it is whole. Docker's
//! member search is fuzzy, so a popular term can fill a page with near matches while the exact one
//! sits on a later page; then the roster is read, and the person is found there.

mod common;

use common::sim::sim;
use serde_json::json;

#[test]
fn an_exact_match_past_the_first_page_of_a_fuzzy_search_is_still_found() {
    let s = sim();
    // 120 near matches of "jane" ahead of the real jane: the search's first page (100) is full of
    // them and reports a count of 121, so it does not prove that jane is absent.
    s.sim.with_state(|st| {
        let template = st.members.iter().find(|m| m.role == "Member").cloned().expect("a member");
        for n in 0..120 {
            let mut near = template.clone();
            near.id = format!("near{n:03}");
            near.username = format!("jane{n:03}");
            near.full_name = format!("Jane Near {n}");
            near.email = format!("jane{n:03}@corp.example");
            near.groups = Vec::new();
            st.members.insert(0, near);
        }
        let mut jane = template;
        jane.id = "janeexact".into();
        jane.username = "jane".into();
        jane.full_name = "Jane Exact".into();
        jane.email = "jane@corp.example".into();
        jane.groups = Vec::new();
        st.members.push(jane);
    });

    let before = s.sent();
    let plan = s.ok("offboard-members", &json!({"people": ["jane"]}));
    assert_eq!(plan["dry_run"], true, "{plan}");
    let person = &plan["people"][0];
    assert_eq!(person["username"], "jane", "{plan}");
    assert_eq!(person["removes_member"], true, "{plan}");
    // The search, then the roster read instead (its pages), not a not-found.
    let urls: Vec<String> = s.runtime.http().sent()[before..].iter().map(|r| r.url.clone()).collect();
    assert!(urls.iter().any(|u| u.contains("search=jane")), "{urls:?}");
    assert!(urls.iter().any(|u| u.contains("/members?") && !u.contains("search=")), "the roster was read: {urls:?}");

    // By email too, and the near matches' emails never count.
    let plan = s.ok("offboard-members", &json!({"people": ["JANE@corp.example"]}));
    assert_eq!(plan["people"][0]["username"], "jane", "{plan}");
}

#[test]
fn a_whole_search_answer_without_an_exact_match_is_not_found() {
    let s = sim();
    s.sim.with_state(|st| {
        let mut near = st.members.iter().find(|m| m.role == "Member").cloned().expect("a member");
        near.id = "near".into();
        near.username = "janet".into();
        near.email = "janet@corp.example".into();
        st.members.push(near);
    });
    let before = s.sent();
    let (kind, message) = s.err("offboard-members", &json!({"people": ["jane"]}));
    assert_eq!(kind, "not-found", "{message}");
    assert!(message.contains("jane"), "{message}");
    // One whole search answer is proof enough: the roster is not read.
    let urls: Vec<String> = s.runtime.http().sent()[before..].iter().map(|r| r.url.clone()).collect();
    assert!(!urls.iter().any(|u| u.contains("/members?") && !u.contains("search=")), "{urls:?}");
}
