//! Every `overlay` command in one table: its flags (the `Spec` its argument
//! reader uses), the values some flags take, its usage line and help text.
//! `overlay help`, `overlay COMMAND --help` and the shell completions are all
//! generated from this table, so none of them can drift from what a command
//! accepts.

use super::args::Spec;

pub struct Command {
    pub name: &'static str,
    /// One line for the list in `overlay help`.
    pub summary: &'static str,
    /// The synopsis, without the leading `overlay `.
    pub usage: &'static str,
    pub spec: Spec,
    /// The values a value flag takes, where they are a fixed set (completions).
    pub choices: &'static [(&'static str, &'static [&'static str])],
    /// What each positional argument is: "dir" for a directory, or a fixed
    /// set of words (completions).
    pub positionals: &'static [&'static [&'static str]],
    /// The long help: what it does, its flags, its exit codes.
    pub help: &'static str,
}

const DIR: &[&str] = &["dir"];
const RESTRICTORS: &[&str] = &["LoadRestrictionsRootOnly", "LoadRestrictionsNone"];

pub const BUILD: Command = Command {
    name: "build",
    summary: "print what `kubectl kustomize DIR` prints",
    usage: "build [DIR] [--load-restrictor LoadRestrictionsRootOnly|LoadRestrictionsNone] [--enable-helm] [--enable-alpha-plugins]",
    spec: Spec { values: &["--load-restrictor"], switches: &["--enable-helm", "--enable-alpha-plugins"], max_positionals: 1 },
    choices: &[("--load-restrictor", RESTRICTORS)],
    positionals: &[DIR],
    help: "Builds the kustomization in DIR (default: the working directory) and prints its
resources as `kubectl kustomize DIR` prints them, byte for byte.

  --load-restrictor R     LoadRestrictionsRootOnly (default) or LoadRestrictionsNone
  --enable-helm           accepted as kubectl accepts it; a build that needs helm fails
  --enable-alpha-plugins  accepted likewise

Exit codes: 0 built, 1 the build failed (the error names file:line:column),
2 usage error.",
};

pub const DIFF: Command = Command {
    name: "diff",
    summary: "compare the renders of two environments",
    usage: "diff DIR_A DIR_B [--format text|markdown|json|unified] [--ignore PATH]... [--strict-namespaces] [--context N] [--load-restrictor R]",
    spec: Spec { values: &["--format", "--ignore", "--context", "--load-restrictor"], switches: &["--strict-namespaces"], max_positionals: 2 },
    choices: &[("--format", &["text", "markdown", "json", "unified"]), ("--load-restrictor", RESTRICTORS)],
    positionals: &[DIR, DIR],
    help: "Builds DIR_A and DIR_B and compares their resources: matched by group, kind and
name across namespaces and without each environment's namePrefix/nameSuffix.

  -o, --format F          text (default), markdown (a PR comment), json, unified
  --ignore PATH           a field to leave out (spec.replicas, /metadata/labels/env); repeatable
  --strict-namespaces     match resources only within the same namespace
  -U, --context N         lines of context in unified diffs (default 3)
  --load-restrictor R     as for `overlay build`

Exit codes: 0 equal, 1 different, 2 error (as `diff` and `flux diff`).",
};

pub const PROMOTE: Command = Command {
    name: "promote",
    summary: "propose (or write) the change that brings FROM_DIR's state into TO_DIR",
    usage: "promote FROM_DIR TO_DIR [--images] [--file NAME]... [--all] [--keep PATH]... [--force] [--write] [--format text|markdown|json|patch] [--ignore PATH]...",
    spec: Spec {
        values: &["--format", "--ignore", "--context", "--load-restrictor", "--keep", "--file"],
        switches: &["--strict-namespaces", "--images", "--all", "--write", "--force"],
        max_positionals: 2,
    },
    choices: &[("--format", &["text", "markdown", "json", "patch"]), ("--load-restrictor", RESTRICTORS)],
    positionals: &[DIR, DIR],
    help: "Edits TO_DIR's source files as text (comments and layout kept) so that it takes
FROM_DIR's images (--images, the default), chosen files (--file) or everything
(--all), and prints the patch and TO_DIR's rendered diff before → after.

  --images                TO_DIR's images take FROM_DIR's newName/newTag/digest
  --file NAME             promote this overlay file; repeatable
  --all                   promote every overlay file; keeps TO_DIR's namespace and affixes
  --keep PATH             TO_DIR keeps this kustomization field, file or field path; repeatable
  --force                 confirm changes that look environment-specific
  --write                 write the files (otherwise only print)
  -o, --format F          text (default), markdown, json, patch (`git apply` takes it)
  --ignore PATH           a field TO_DIR keeps; repeatable
  --strict-namespaces, -U/--context N, --load-restrictor R   as for `overlay diff`

Exit codes: 0 a change proposed or written, or nothing to do; 2 error;
3 environment-specific changes not confirmed with --force (nothing written).",
};

pub const ENVS: Command = Command {
    name: "envs",
    summary: "list the kustomization directories: environments, bases, components, fixtures",
    usage: "envs [DIR] [--order dev,staging,prod] [--pin DIR]... [--format text|json]",
    spec: Spec { values: &["--format", "--order", "--pin"], switches: &[], max_positionals: 1 },
    choices: &[("--format", &["text", "json"])],
    positionals: &[DIR],
    help: "Lists every kustomization directory under DIR with its role and why: the
environments first, as one promotion chain per group (apps: staging → production).

  --order A,B,C           the promotion order of stage names
  --pin DIR               make this kustomization directory an environment; repeatable
  -o, --format F          text (default) or json: [{path, name, group, role, reason}]

Exit codes: 0 listed, 2 error.",
};

pub const FLUX: Command = Command {
    name: "flux",
    summary: "a Flux cluster directory as kustomize-controller applies it",
    usage: "flux CLUSTER_DIR [--root REPO_ROOT] [--graph | --format yaml|json] [--before OLD_REPO_ROOT] [--self-source NAME] [--no-strict-substitute]",
    spec: Spec {
        values: &["--root", "--before", "--self-source", "--format"],
        switches: &["--graph", "--strict-substitute", "--no-strict-substitute"],
        max_positionals: 1,
    },
    choices: &[("--format", &["yaml", "json"])],
    positionals: &[DIR],
    help: "Reads CLUSTER_DIR (clusters/<env>) the way Flux's kustomize-controller does and
prints every object, Kustomization by Kustomization, in apply order.

  --root REPO_ROOT        the repository root, when it cannot be guessed
  --graph                 the dependsOn order instead of the objects
  --format F              yaml (default) or json
  --before OLD_REPO_ROOT  what the change from that checkout prunes
  --self-source NAME      the source (Kind/NAME) that is this repository; repeatable
  --no-strict-substitute  postBuild substitution leaves unknown variables alone
  --strict-substitute     the default: an unknown variable fails the Kustomization

Exit codes: 0 built, 1 a Kustomization failed or the order has an error, 2 usage error.",
};

pub const CLUSTERS: Command = Command {
    name: "clusters",
    summary: "where Flux reconciliation starts: each cluster and its Kustomizations",
    usage: "clusters [REPO_ROOT] [--self-source NAME]",
    spec: Spec { values: &["--self-source"], switches: &[], max_positionals: 1 },
    choices: &[],
    positionals: &[DIR],
    help: "Lists the clusters of the repository at REPO_ROOT (default: the working
directory), why each is one, and the Kustomizations it holds.

  --self-source NAME      the source (Kind/NAME) that is this repository; repeatable

Exit codes: 0 listed, 1 a cluster directory cannot be read, 2 usage error.",
};

pub const LINT: Command = Command {
    name: "lint",
    summary: "find Flux and kustomize mistakes: file:line: finding [rule] Fix: …",
    usage: "lint [DIR] [--format text|json]",
    spec: Spec { values: &["--format"], switches: &[], max_positionals: 1 },
    choices: &[("--format", &["text", "json"])],
    positionals: &[DIR],
    help: "Lints every cluster of the repository at DIR (default: the working directory):
a Kustomization without the dependsOn it needs, prune: false, namespaces
nothing creates, manifests copied per environment, …

  --format F              text (default) or json: [{file, line, column, message, rule, fix}]

Exit codes: 0 no findings, 1 findings, 2 usage error.",
};

pub const EXPLAIN: Command = Command {
    name: "explain",
    summary: "where each rendered value comes from, and where an edit goes",
    usage: "explain DIR [RESOURCE [FIELD]] [--format text|json] | explain --from FILE:LINE[:COLUMN] [--root DIR] [--format text|json]",
    spec: Spec { values: &["--format", "--from", "--root", "--load-restrictor"], switches: &[], max_positionals: 3 },
    choices: &[("--format", &["text", "json"]), ("--load-restrictor", RESTRICTORS)],
    positionals: &[DIR],
    help: "Builds DIR in explain mode and prints, for each field of RESOURCE (Kind/name or
group/version/Kind/namespace/name; every resource when omitted) at or under FIELD
(a path as `overlay diff` prints it), its value and the chain that made it, newest
first: `file:line:column  what happened`, the origin last. A directory without a
kustomization is read as a Flux cluster.

  --from FILE:LINE[:COLUMN]  instead: where the text there goes in each environment
                             (not used / reaches the output / overridden by / changed on the way)
  --root DIR              the repository whose environments --from looks at (default: .)
  -o, --format F          text (default) or json: [{resource, path, value, steps: [...]}]
  --load-restrictor R     as for `overlay build`

Exit codes: 0 explained, 1 the build or the lookup failed (the error says which), 2 usage error.",
};

pub const REVIEW: Command = Command {
    name: "review",
    summary: "what a change does to every environment and Flux cluster",
    usage: "review OLD_ROOT NEW_ROOT | --git BASE[..HEAD] [--dir SUBDIR] [--format text|markdown|json|html] [--output FILE] [--ignore PATH]... [--context N] [--self-source NAME]",
    spec: Spec {
        values: &["--git", "--dir", "--format", "--output", "--context", "--ignore", "--self-source"],
        switches: &[],
        max_positionals: 2,
    },
    choices: &[("--format", &["text", "markdown", "json", "html"])],
    positionals: &[DIR, DIR],
    help: "Renders every environment and every Flux cluster of two trees (OLD_ROOT and
NEW_ROOT, or two git revisions: --git BASE..HEAD, HEAD defaulting to the work
tree) and reports, for each, the resources changed, added and removed, whether
it starts or stops failing to build, and what Flux would prune.

  --git BASE[..HEAD]      compare two revisions of the repository around the working directory
  --dir SUBDIR            review only this folder of the trees
  -o, --format F          text (default), markdown (PR comments under 65,000 characters each),
                          json, html (one self-contained file)
  --output FILE           write the report there instead of standard output
  --ignore PATH           a field to leave out; repeatable
  -U, --context N         lines of context in the diffs (default 3)
  --self-source NAME      the source (Kind/NAME) that is this repository; repeatable

Exit codes: 0 nothing changed, 1 changes, 2 error.",
};

pub const LESSON: Command = Command {
    name: "lesson",
    summary: "check a lesson's tree, or verify every lesson of a folder",
    usage: "lesson check LESSON.yaml [DIR] [--solution] | lesson verify [LESSONS_DIR]",
    spec: Spec { values: &[], switches: &["--solution"], max_positionals: 3 },
    choices: &[],
    positionals: &[&["check", "verify"], DIR, DIR],
    help: "check: evaluates the lesson's checks on DIR (default: its start tree), or on its
own solution with --solution, and prints each ✓ or ✗ with its message.
verify: for every lesson in LESSONS_DIR (default: lessons), its checks fail on
the start tree and pass on the solution, variants included.

  --solution              check the lesson's own solution (check only)

Exit codes: 0 all checks pass, 1 a check fails, 2 a bad lesson file or usage error.",
};

pub const COMPLETIONS: Command = Command {
    name: "completions",
    summary: "print the shell completion script for bash, zsh or fish",
    usage: "completions bash|zsh|fish",
    spec: Spec { values: &[], switches: &[], max_positionals: 1 },
    choices: &[],
    positionals: &[&["bash", "zsh", "fish"]],
    help: "Prints a completion script for the shell. To install it:

  bash   overlay completions bash > ~/.local/share/bash-completion/completions/overlay
  zsh    overlay completions zsh > \"${fpath[1]}/_overlay\"
  fish   overlay completions fish > ~/.config/fish/completions/overlay.fish

Exit codes: 0 printed, 2 usage error.",
};

pub const HELP: Command = Command {
    name: "help",
    summary: "this list, or a command's help (also: overlay COMMAND --help)",
    usage: "help [COMMAND]",
    spec: Spec { values: &[], switches: &[], max_positionals: 1 },
    choices: &[],
    positionals: &[&["build", "diff", "promote", "envs", "flux", "clusters", "lint", "explain", "review", "lesson", "completions", "help"]],
    help: "Prints the list of commands, or the help of COMMAND.

Exit codes: 0 printed, 2 unknown command.",
};

pub const ALL: [&Command; 12] = [&BUILD, &DIFF, &PROMOTE, &ENVS, &FLUX, &CLUSTERS, &LINT, &EXPLAIN, &REVIEW, &LESSON, &COMPLETIONS, &HELP];

pub use super::args::SHORT;

/// The exit codes, for `overlay help` and the README.
pub const EXIT_CODES: &str = "Exit codes:
  0  success (diff: the environments are equal; lint: no findings)
  1  the build or check failed, diff found differences, lint found something
  2  usage error (unknown flag, missing argument), or diff/promote could not build
  3  promote: environment-specific changes not confirmed with --force";

pub fn find(name: &str) -> Option<&'static Command> {
    ALL.iter().copied().find(|c| c.name == name)
}

impl Command {
    /// Every flag it takes, value flags first, with `--help`.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut f: Vec<&'static str> = self.spec.values.iter().chain(self.spec.switches).copied().collect();
        f.push("--help");
        f
    }

    pub fn short_flags(&self) -> Vec<&'static str> {
        SHORT.iter().filter(|(_, long)| self.spec.values.contains(long)).map(|(s, _)| *s).collect()
    }

    pub fn choices_of(&self, flag: &str) -> Option<&'static [&'static str]> {
        self.choices.iter().find(|(f, _)| *f == flag).map(|(_, c)| *c)
    }

    pub fn long_help(&self) -> String {
        format!("usage: overlay {}\n\n{}\n", self.usage, self.help)
    }
}

/// The synopsis of every command: `overlay` alone, a usage error.
pub fn usage() -> String {
    let mut s = String::new();
    for (i, c) in ALL.iter().enumerate() {
        s.push_str(if i == 0 { "usage: overlay " } else { "       overlay " });
        s.push_str(c.usage);
        s.push('\n');
    }
    s.push_str("       overlay --version");
    s
}

/// `overlay help`: the commands, one line each, and the exit codes.
pub fn overview() -> String {
    let mut s = format!(
        "overlay {}: a Kustomize-compatible overlay engine\n\nusage: overlay COMMAND [ARGS]\n\nCommands:\n",
        env!("CARGO_PKG_VERSION")
    );
    for c in ALL {
        s.push_str(&format!("  {:<12} {}\n", c.name, c.summary));
    }
    s.push_str("\n`overlay help COMMAND` or `overlay COMMAND --help` shows a command's flags.\n");
    s.push_str("Colour: on a terminal; NO_COLOR=1 turns it off, CLICOLOR_FORCE=1 forces it.\n\n");
    s.push_str(EXIT_CODES);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_a_command_reads_is_in_its_help() {
        for c in ALL {
            for flag in c.spec.values.iter().chain(c.spec.switches) {
                assert!(c.help.contains(flag), "overlay help {} does not mention {}", c.name, flag);
            }
            for (flag, _) in c.choices {
                assert!(c.spec.values.contains(flag), "{}: choices for {}, which it does not read", c.name, flag);
            }
            assert!(c.usage.starts_with(c.name), "{}: usage '{}'", c.name, c.usage);
        }
    }

    #[test]
    fn names_are_unique_and_the_help_command_completes_them_all() {
        let names: Vec<&str> = ALL.iter().map(|c| c.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(HELP.positionals[0], names.as_slice());
    }
}
