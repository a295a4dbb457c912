//! The fuzz target's check without cargo-fuzz: thousands of deterministic mutations of the
//! golden scripts either fail to parse or format stably, and nothing panics. Also inputs
//! that would overflow the stack of a naive recursive parser.

use std::fs;

use tickflow_tickscript::{check_format, parse, ParseErrorKind};

use crate::support::{cases, root};

/// Fragments the mutator inserts: tokens, lexer corners and comment starts.
const FRAGMENTS: &[&str] = &[
    "(", ")", "[", "]", ",", "|", ".", "@", "*", "/", "//", "-", "!", "=", "==", "=~", "!~", "<",
    ">=", "+", "%", "'", "''", "'''", "\"", "\\", "\n", " ", "\t", "\r\n", "var ", "dbrp ",
    "lambda:", "lambda", " AND ", " OR ", "TRUE", "FALSE", "0", "09", "1.5", ".5", "5m", "10µ",
    "1ms", "x", "stream", "_", "é", "٣", "// c\n", "/a/", "(*)", "f(",
];

/// A xorshift generator: deterministic, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

/// A random char boundary of `s`.
fn boundary(s: &str, rng: &mut Rng) -> usize {
    let mut at = rng.below(s.len() + 1);
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(src: &str, rng: &mut Rng) -> String {
    let mut out = src.to_owned();
    for _ in 0..=rng.below(3) {
        let (a, b) = (boundary(&out, rng), boundary(&out, rng));
        let (start, end) = (a.min(b), a.max(b));
        match rng.below(4) {
            0 => out.replace_range(start..end, ""),
            1 => out.insert_str(start, FRAGMENTS[rng.below(FRAGMENTS.len())]),
            2 => {
                let copy = out[start..end].to_owned();
                out.insert_str(end, &copy);
            }
            _ => {
                let end = (start..=end.min(start + 4))
                    .rev()
                    .find(|&at| out.is_char_boundary(at));
                out.replace_range(
                    start..end.unwrap_or(start),
                    FRAGMENTS[rng.below(FRAGMENTS.len())],
                );
            }
        }
    }
    out
}

/// The fuzz target's property for one input.
fn check(src: &str) {
    if let Ok(program) = parse(src) {
        if let Err(err) = check_format(&program) {
            panic!("{err}\n--- input ---\n{src}");
        }
    }
}

#[test]
fn mutated_golden_scripts_parse_or_fail_cleanly() {
    let mut seeds: Vec<String> = ["ok", "err", "fmt"]
        .into_iter()
        .flat_map(cases)
        .map(|case| case.source())
        .collect();
    seeds.push(
        fs::read_to_string(root().join("tickscripts/print_temps.tick")).expect("print_temps"),
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    let rounds = 4000;
    for _ in 0..rounds {
        let seed = &seeds[rng.below(seeds.len())];
        let input = mutate(seed, &mut rng);
        check(&input);
        parsed += usize::from(parse(&input).is_ok());
    }
    println!("fuzz smoke: {rounds} mutations, {parsed} parsed");
}

#[test]
fn deep_inputs_are_rejected_without_overflowing_the_stack() {
    let deep = [
        "(".repeat(100_000),
        "-".repeat(100_000),
        format!("var x = {}1", "!".repeat(5_000)),
        format!("f({}", "f(".repeat(50_000)),
        format!("stream{}", "|f()".repeat(50_000)),
        format!("var x = 1{}", " + 1".repeat(50_000)),
        format!(
            "var x = lambda: {}1{}",
            "(".repeat(5_000),
            ")".repeat(5_000)
        ),
    ];
    for src in &deep {
        match parse(src) {
            Err(err) => assert!(
                matches!(err.kind, ParseErrorKind::TooDeep { .. }),
                "{}: {err}",
                &src[..40]
            ),
            Ok(_) => panic!("{}: parsed", &src[..40]),
        }
    }
    let long = [
        format!("var x = 1{}", " + 1".repeat(999)),
        format!("stream{}", "|f(g(lambda: -(\"a\" + 1)))".repeat(500)),
        format!("var x = {}1{}", "f(".repeat(120), ")".repeat(120)),
        format!("var x = lambda: {}1{}", "(-".repeat(60), ")".repeat(60)),
    ];
    for src in &long {
        let program = parse(src).unwrap_or_else(|err| panic!("{}: {err}", &src[..40]));
        check_format(&program).unwrap_or_else(|err| panic!("{}: {err}", &src[..40]));
    }
}
