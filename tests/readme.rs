//! The README's rule table is generated from the rule docs and must be current.

use finops_lint::rules;

fn table() -> String {
    let mut s = String::from("| code | name | severity | what it reports |\n|---|---|---|---|\n");
    for r in rules::ALL.iter() {
        s.push_str(&format!(
            "| [{}](rules/{}/README.md) | `{}` | {} | {} |\n",
            r.code,
            r.folder(),
            r.name,
            r.severity.as_str(),
            r.summary().replace('|', "\\|")
        ));
    }
    s
}

#[test]
fn readme_rule_table_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let a = readme.find(start).expect("start marker") + start.len();
    let b = readme.find(end).expect("end marker");
    let expected = table();
    if readme[a..b] != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            std::fs::write(
                path,
                format!("{}{}{}", &readme[..a], expected, &readme[b..]),
            )
            .unwrap();
        } else {
            panic!("the README's rule table is out of date: run `UPDATE_README=1 cargo test --test readme`");
        }
    }
}
