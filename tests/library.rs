//! The library and the command line are one engine: on every rule fixture, the documents given
//! to `Linter` from memory produce the same JSON output as `finops-lint check --format json`.

mod common;

use common::{documents, options};
use finops_lint::emit::{self, Format, Style};
use finops_lint::Linter;

#[test]
fn the_library_gives_the_command_lines_findings_on_every_rule_fixture() {
    let mut compared = 0;
    let mut with_findings = 0;
    let mut unreadable = 0;
    for common::Fixture {
        rule,
        path,
        args,
        folder,
    } in common::rule_fixtures()
    {
        let mut cli_args = vec!["check", "--format", "json", "--fail-on", "never"];
        cli_args.extend(args.iter().map(String::as_str));
        cli_args.push(&path);
        let cli = common::run(&cli_args);
        let Some(docs) = documents(&path) else {
            // a file the command line cannot read (IO001's dangling link)
            assert_eq!(rule.code, "IO001", "{path} cannot be read");
            unreadable += 1;
            continue;
        };
        let mut linter = Linter::new(options(&args));
        if let Some(Ok(found)) = finops_lint::config::discover(&folder) {
            let text = std::fs::read_to_string(&found).unwrap();
            let name = found.to_string_lossy().to_string();
            linter = linter.config(&name, &text);
        }
        let linted = match linter.lint(docs.iter().map(|(n, b)| (n.as_str(), b.as_slice()))) {
            Ok(l) => l,
            Err(e) => {
                assert_eq!(
                    cli.code, 2,
                    "{path}: the library refused ({e}), the CLI did not"
                );
                continue;
            }
        };
        let json = emit::render(&linted, Style::new(Format::Json));
        assert_eq!(json, cli.stdout, "{path}: library and CLI differ");
        compared += 1;
        with_findings += usize::from(linted.findings().next().is_some());
    }
    // every rule has fixtures; most of them have findings
    assert!(compared > 300, "{compared} fixtures compared");
    assert!(
        with_findings > 200,
        "{with_findings} fixtures with findings"
    );
    assert!(unreadable <= 2, "{unreadable} fixtures could not be read");
}

/// A writer that takes `room` bytes, then fails.
struct Full {
    room: usize,
    taken: Vec<u8>,
}

impl std::io::Write for Full {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "no space left",
            ));
        }
        let n = data.len().min(self.room);
        self.room -= n;
        self.taken.extend_from_slice(&data[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_emitters_write_to_any_writer_and_stop_at_its_error() {
    let files: Vec<(String, Vec<u8>)> = (0..3)
        .map(|i| {
            let policy = format!(
                r#"{{"Statement":[{{"Effect":"Alow","Action":"s3:GetObject{i}","Resource":"*"}}]}}"#
            );
            (format!("p{i}.json"), policy.into_bytes())
        })
        .collect();
    let result = Linter::new(Default::default())
        .lint(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
        .unwrap();
    for format in [
        Format::Json,
        Format::Sarif,
        Format::Human,
        Format::Concise,
        Format::Github,
        Format::Junit,
        Format::Gitlab,
    ] {
        let mut out = Vec::new();
        emit::write(&result, Style::new(format), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, emit::render(&result, Style::new(format)));
        assert!(text.contains("p2.json"), "{format:?}: {text}");
        // a writer that fails part way: the error, not a panic, and nothing after it
        let mut full = Full {
            room: text.len() / 2,
            taken: Vec::new(),
        };
        let err = emit::write(&result, Style::new(format), &mut full).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::StorageFull);
        assert_eq!(full.taken, text.as_bytes()[..text.len() / 2]);
    }
}
