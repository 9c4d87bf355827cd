//! The one argument reader of every `overlay` command: each command declares
//! its flags, and `--flag value` and `--flag=value` mean the same everywhere,
//! as kubectl and most CLIs accept them.

/// What a command's flags look like.
pub struct Spec {
    /// Flags that take a value (`--format json`, `--format=json`); they may
    /// be repeated, and the command decides whether that is allowed.
    pub values: &'static [&'static str],
    /// Flags that stand alone (`--graph`). `--flag=true` and `--flag=false`
    /// are accepted for these too.
    pub switches: &'static [&'static str],
    /// How many positional arguments at most.
    pub max_positionals: usize,
}

/// Short spellings, each standing for a long value flag wherever a
/// command's `Spec` has that flag (`-o json` is `--format json`, as in
/// kubectl; `-U 5` is `--context 5`, as in diff).
pub const SHORT: [(&str, &str); 2] = [("-o", "--format"), ("-U", "--context")];

#[derive(Debug, Default)]
pub struct Args {
    pub positionals: Vec<String>,
    /// Every value flag given, in order.
    values: Vec<(&'static str, String)>,
    /// Every switch given, with its value (`--strict-substitute=false`).
    switches: Vec<(&'static str, bool)>,
}

impl Args {
    /// Reads `args` against `spec`; the error is the message for the user.
    pub fn parse(args: &[String], spec: &Spec) -> Result<Args, String> {
        let mut out = Args::default();
        let mut i = 0;
        while i < args.len() {
            let arg = args[i].as_str();
            i += 1;
            if arg == "--" {
                out.positionals.extend(args[i..].iter().cloned());
                break;
            }
            if !arg.starts_with('-') || arg == "-" {
                out.positionals.push(arg.to_string());
                continue;
            }
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) => (f, Some(v.to_string())),
                None => (arg, None),
            };
            let flag = SHORT.iter().find(|(short, long)| *short == flag && spec.values.contains(long)).map_or(flag, |(_, long)| long);
            if let Some(name) = spec.values.iter().find(|n| **n == flag) {
                let value = match inline {
                    Some(v) => v,
                    None => match args.get(i) {
                        Some(v) => {
                            i += 1;
                            v.clone()
                        }
                        None => return Err(format!("{} needs a value", flag)),
                    },
                };
                out.values.push((name, value));
            } else if let Some(name) = spec.switches.iter().find(|n| **n == flag) {
                let on = match inline.as_deref() {
                    None | Some("true") => true,
                    Some("false") => false,
                    Some(other) => return Err(format!("{} takes no value (or true/false), not '{}'", flag, other)),
                };
                out.switches.push((name, on));
            } else {
                return Err(format!("unknown flag '{}'", arg));
            }
        }
        if out.positionals.len() > spec.max_positionals {
            return Err(format!("too many arguments: {}", out.positionals[spec.max_positionals..].join(" ")));
        }
        Ok(out)
    }

    /// The last value of `flag`, when given.
    pub fn value(&self, flag: &str) -> Option<&str> {
        self.values.iter().rev().find(|(f, _)| *f == flag).map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable `flag`, in order.
    pub fn all(&self, flag: &str) -> Vec<String> {
        self.values.iter().filter(|(f, _)| *f == flag).map(|(_, v)| v.clone()).collect()
    }

    /// Whether the switch `flag` is on (the last mention wins).
    pub fn on(&self, flag: &str) -> Option<bool> {
        self.switches.iter().rev().find(|(f, _)| *f == flag).map(|(_, on)| *on)
    }

    pub fn is_set(&self, flag: &str) -> bool {
        self.on(flag) == Some(true)
    }

    pub fn positional(&self, i: usize) -> Option<&str> {
        self.positionals.get(i).map(|s| s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec { values: &["--format", "--ignore"], switches: &["--graph", "--strict"], max_positionals: 2 };

    fn parse(args: &[&str]) -> Result<Args, String> {
        Args::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &SPEC)
    }

    #[test]
    fn both_spellings_of_a_value() {
        let a = parse(&["a", "--format=json", "--ignore", "x", "--ignore=y", "b"]).unwrap();
        assert_eq!(a.positionals, ["a", "b"]);
        assert_eq!(a.value("--format"), Some("json"));
        assert_eq!(a.all("--ignore"), ["x", "y"]);
        let b = parse(&["--format", "json"]).unwrap();
        assert_eq!(b.value("--format"), Some("json"));
    }

    #[test]
    fn switches_and_their_values() {
        let a = parse(&["--graph", "--strict=false"]).unwrap();
        assert!(a.is_set("--graph"));
        assert_eq!(a.on("--strict"), Some(false));
        assert!(parse(&["--graph=maybe"]).unwrap_err().contains("takes no value"));
    }

    #[test]
    fn mistakes_are_named() {
        assert_eq!(parse(&["--nope"]).unwrap_err(), "unknown flag '--nope'");
        assert_eq!(parse(&["--format"]).unwrap_err(), "--format needs a value");
        assert_eq!(parse(&["a", "b", "c"]).unwrap_err(), "too many arguments: c");
        assert_eq!(parse(&["--", "--graph"]).unwrap().positionals, ["--graph"]);
    }

    #[test]
    fn short_spellings_of_the_spec_flags() {
        let a = parse(&["-o", "json", "-o=yaml"]).unwrap();
        assert_eq!(a.all("--format"), ["json", "yaml"]);
        // -U stands for --context, which this spec does not take.
        assert_eq!(parse(&["-U", "5"]).unwrap_err(), "unknown flag '-U'");
    }
}
