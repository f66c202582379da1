//! The run's own findings: a configuration that cannot be applied (CFG001), an input that
//! cannot be read (IO001), and a file named explicitly that is of no kind the tool checks
//! (IO002). The engine and the front ends report them, not a check of a document.

declare! {
    family "run", "the run's own inputs and configuration";
    CFG001 "invalid-config" Error aa[] on[Config] fix[];
    IO001 "unreadable-input" Error aa[] on[Text] fix[];
    IO002 "unknown-document" Warning aa[] on[Text] fix[];
}
