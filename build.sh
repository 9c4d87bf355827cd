#!/usr/bin/env bash
# Overlay Playground: build the page, serve it, test everything.
#
#   ./build.sh          engine → WebAssembly, presets → www/pkg/ (the page is www/)
#   ./build.sh serve    build, then serve www/ on http://127.0.0.1:${PORT:-8080}
#   ./build.sh test     cargo test, bounded fuzzing, the build, then the wasm API and browser tests
#   ./build.sh page     only the page (presets + JS bundles), reusing www/pkg's wasm
#   ./build.sh measure  the build, then tests/browser/measure.mjs (load time, edit latency, sizes)
#   ./build.sh release  the CLI as one static Linux binary (musl) in dist/cli/
#   ./build.sh dist     the site to host anywhere in dist/site/ (precompressed, _headers)
#   ./build.sh npm      the npm package (npm/) packed into dist/npm/
#
# Each step installs what it needs (the wasm32 target, wasm-bindgen-cli at the
# version in Cargo.lock, npm packages, Debian's chromium) and skips what is
# already there. See toolchain notes in README.md.
set -euo pipefail
cd "$(dirname "$0")"

PKG=www/pkg
TARGET=wasm32-unknown-unknown
WASM_IN=${CARGO_TARGET_DIR:-target}/$TARGET/release/overlay.wasm
WASM_OUT=$PKG/overlay_bg.wasm
CHROMIUM=/usr/bin/chromium

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"
  fi
}

# ---- what each step needs ------------------------------------------------

need_wasm_target() {
  if ! rustup target list --installed | grep -qx "$TARGET"; then
    step "Installing the Rust target $TARGET"
    rustup target add "$TARGET"
  fi
}

# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
wasm_bindgen_version() {
  sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock | head -n 1
}

need_wasm_bindgen() {
  local want have
  want=$(wasm_bindgen_version)
  [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    step "Installing wasm-bindgen-cli $want${have:+ (found $have)} — takes about 5 minutes, once"
    # No --locked: its lockfile pins a crate version the registry may not serve.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# npm ci only when node_modules is missing or older than the lockfile.
need_node_modules() {
  command -v npm >/dev/null || die "npm not found: install Node.js (20 or newer)"
  if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -f node_modules/.package-lock.json ] \
     || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "Installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

need_chromium() {
  if [ ! -x "$CHROMIUM" ]; then
    step "Installing Debian's chromium"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  fi
  [ -x "$CHROMIUM" ] || die "$CHROMIUM is still missing"
}

# ---- steps ---------------------------------------------------------------

build() {
  need_wasm_target
  need_wasm_bindgen
  need_node_modules

  step "Compiling the engine to WebAssembly (release, LTO)"
  # `cargo rustc --crate-type cdylib` rather than `cargo build`: with
  # crate-type ["cdylib","rlib"] cargo silently drops LTO.
  # opt-level z for the page only (the CLI keeps s): about 17% smaller on
  # the wire, which keeps the page inside its 600 KB budget; a keystroke's
  # render of every fleet-infra environment stays around a millisecond.
  CARGO_PROFILE_RELEASE_OPT_LEVEL=z cargo rustc --release --target "$TARGET" --lib --crate-type cdylib

  if [ "$WASM_OUT" -nt "$WASM_IN" ] && [ "$PKG/overlay.js" -nt "$WASM_IN" ]; then
    echo "$WASM_OUT is up to date"
  else
    step "wasm-bindgen --target web, then wasm-opt -Oz (binaryen from npm)"
    wasm-bindgen --target web --out-dir "$PKG" "$WASM_IN"
    # Never Debian's binaryen 108: it corrupts the externref table export.
    node_modules/.bin/wasm-opt -Oz "$WASM_OUT" -o "$WASM_OUT.opt"
    mv "$WASM_OUT.opt" "$WASM_OUT"
  fi

  bundle_page

  local raw gz
  raw=$(wc -c <"$WASM_OUT")
  gz=$(gzip -9c "$WASM_OUT" | wc -c)
  step "Built www/ — $WASM_OUT: $raw bytes raw, $gz bytes gzip -9"
}

# The explain and lesson calls (cargo feature `studio`) are not in the
# page's module, which must stay inside the first-load budget; they are
# built apart, into $PKG/full, for the Node tests (and, later, a view that
# loads them when it opens). Only `test` needs them, so serving and
# measuring do not pay for a second LTO build. A target directory of their
# own keeps the two builds from undoing each other.
build_studio() {
  step "Compiling the engine with the explain and lesson calls (feature studio) → $PKG/full"
  local studio_dir="${CARGO_TARGET_DIR:-target}/studio"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=z cargo rustc --release --target "$TARGET" --lib --crate-type cdylib --features studio --target-dir "$studio_dir"
  if [ "$PKG/full/overlay_bg.wasm" -nt "$studio_dir/$TARGET/release/overlay.wasm" ]; then
    echo "$PKG/full is up to date"
  else
    wasm-bindgen --target web --out-dir "$PKG/full" "$studio_dir/$TARGET/release/overlay.wasm"
  fi
}

# The page's JavaScript: www/src → www/dist with esbuild (from npm). The
# playground and the engine's worker it starts (dist/worker.js) are split:
# the Compare, Promote and Clusters views are chunks (dist/chunk-*.js) that
# load when their tab first opens, which keeps them out of the first load.
# The embed page and the <overlay-playground> element for documentation
# pages are one self-contained file each.
bundle_page() {
  need_node_modules
  step "Bundling the presets"
  node www/bundle-presets.mjs www/presets "$PKG/presets.js"
  step "Bundling the page (esbuild)"
  rm -f www/dist/chunk-*.js
  node_modules/.bin/esbuild www/src/main.js www/src/worker.js \
    --bundle --splitting --minify --format=esm --target=es2022 --outdir=www/dist --chunk-names='chunk-[hash]' --log-level=warning
  node_modules/.bin/esbuild www/src/embed.js www/src/overlay-playground.js \
    --bundle --minify --format=esm --target=es2022 --outdir=www/dist --log-level=warning
  ls -l www/dist/*.js | awk '{printf "  %-36s %8d bytes\n", $NF, $5}'
  offline_assets
}

# What the service worker (www/sw.js) keeps for offline use: the page's own
# files, and a version (a hash of them) that names its cache. A new build
# changes this file, so browsers install the worker afresh and refill.
offline_assets() {
  local out=www/dist/offline-assets.js files=() f version
  for f in index.html embed.html style.css embed.css docs-example.html docs-example.css \
           pkg/overlay.js pkg/overlay_bg.wasm pkg/presets.js www/dist/*.js; do
    f=${f#www/}
    [ "$f" = dist/offline-assets.js ] && continue
    [ -f "www/$f" ] || die "www/$f is missing"
    files+=("$f")
  done
  version=$(cd www && sha256sum "${files[@]}" | sha256sum | cut -c1-16)
  {
    echo "// Generated by build.sh (offline_assets); do not edit. Read by www/sw.js."
    echo "self.OFFLINE_VERSION = '$version';"
    printf 'self.OFFLINE_ASSETS = ['
    printf "'%s', " "${files[@]}" | sed 's/, $//'
    echo '];'
    # What the playground itself loads, its views' chunks included: kept at
    # install, so every tab works offline. The embed's files are kept when a
    # page first loads them.
    printf "self.OFFLINE_PRECACHE = ['index.html', 'style.css', 'dist/main.js', 'dist/worker.js', 'pkg/overlay_bg.wasm'"
    for f in www/dist/chunk-*.js; do [ -f "$f" ] && printf ", '%s'" "${f#www/}"; done
    echo '];'
  } >"$out"
  echo "  $out: ${#files[@]} files, version $version"
}

# ---- releases ------------------------------------------------------------

# The CLI as a static Linux binary: the musl target links everything in, so
# it runs on any x86-64 Linux (Alpine, distroless, CI runners) as one file.
release() {
  local musl=x86_64-unknown-linux-musl
  if ! rustup target list --installed | grep -qx "$musl"; then
    step "Installing the Rust target $musl"
    rustup target add "$musl" || die "rustup could not add $musl: build natively with cargo build --release"
  fi
  step "Compiling the CLI for $musl (release, LTO, static)"
  cargo build --release --locked --target "$musl" --bin overlay
  local dir=${CARGO_TARGET_DIR:-target} version out
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
  out=dist/cli/overlay-$version-$musl
  mkdir -p dist/cli
  cp "$dir/$musl/release/overlay" "$out"
  strip "$out" 2>/dev/null || true
  (cd dist/cli && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
  file "$out" 2>/dev/null | grep -q 'statically linked\|static-pie' || echo "  (file(1) does not call it static; check: ldd $out)"
  "$out" --version >/dev/null || die "$out does not run"
  step "Built $out — $(wc -c <"$out") bytes, $(gzip -9c "$out" | wc -c) bytes gzip -9"
}

# The site to host anywhere (dist/site/): hashed asset names, .gz and .br
# beside each file, _headers; see tools/dist-site.mjs.
dist_site() {
  build
  step "The site to host: dist/site/"
  node tools/dist-site.mjs www dist/site
}

# The npm package for documentation sites: npm/ (package.json, README,
# types) plus the built element, embed, playground and engine, staged in
# dist/npm/package/ and packed into dist/npm/overlay-playground-VERSION.tgz.
# npm pack writes fixed mtimes and a sorted file list, so the same build
# packs to the same bytes.
npm_package() {
  [ -f "$WASM_OUT" ] && [ -f www/dist/overlay-playground.js ] || die "no $WASM_OUT yet: run ./build.sh first"
  local stage=dist/npm/package f tgz
  step "The npm package: $stage → dist/npm/"
  rm -rf dist/npm
  mkdir -p "$stage/dist" "$stage/pkg"
  cp npm/package.json npm/README.md npm/index.d.ts npm/engine.d.ts "$stage/"
  for f in index.html embed.html style.css embed.css sw.js; do cp "www/$f" "$stage/$f"; done
  # Every bundle (a worker the page starts is one too), and the asset list.
  cp www/dist/*.js "$stage/dist/"
  cp "$PKG/overlay.js" "$WASM_OUT" "$stage/pkg/"
  chmod -R u=rwX,go=rX "$stage"
  tgz=$(cd "$stage" && npm pack --pack-destination .. --silent)
  step "Packed dist/npm/$tgz — $(wc -c <"dist/npm/$tgz") bytes, $(tar -xzOf "dist/npm/$tgz" | wc -c) bytes unpacked, sha256 $(sha256sum "dist/npm/$tgz" | cut -c1-16)"
}

serve() {
  build
  local port=${PORT:-8080}
  step "Serving www/ on http://127.0.0.1:$port/ (Ctrl-C stops)"
  exec python3 -m http.server "$port" --bind 127.0.0.1 --directory www
}

test_all() {
  # The style is part of the build: one formatting (rustfmt.toml) and no
  # clippy warning, natively and for the page's wasm (whose src/wasm.rs a
  # host build never compiles).
  step "cargo fmt --check; cargo clippy (native, and wasm32 with and without the feature studio)"
  need_wasm_target
  cargo fmt --check
  cargo clippy --all-targets -- -D warnings
  cargo clippy --target "$TARGET" --lib -- -D warnings
  cargo clippy --target "$TARGET" --lib --features studio -- -D warnings

  step "cargo test (native)"
  cargo test

  # A bounded fuzzing run that needs no extra toolchain: conformance inputs
  # mutated the ways half-typed YAML goes wrong, for FUZZ_SECONDS. The
  # coverage-guided fuzzer (cargo-fuzz) is for longer sessions: tools/fuzz.sh.
  step "Bounded fuzzing: mutated conformance inputs for ${FUZZ_SECONDS:-45} s"
  FUZZ_PROPS_SECONDS=${FUZZ_SECONDS:-45} cargo test --test fuzz_props -- --nocapture

  build
  build_studio
  need_chromium
  step "The site to host (dist/site/) and the npm package, for their tests"
  node tools/dist-site.mjs www dist/site
  npm_package

  step "JavaScript tests: zip and share links and the wasm API in Node, the page in $CHROMIUM (node --test)"
  node --test tests/js/*.test.mjs tests/wasm/*.test.mjs tests/browser/*.test.mjs tests/npm/*.test.mjs
}

case "${1:-build}" in
  build) build ;;
  serve) serve ;;
  test) test_all ;;
  page) [ -f "$WASM_OUT" ] || die "no $WASM_OUT yet: run ./build.sh once"; bundle_page ;;
  measure) build; need_chromium; node tests/browser/measure.mjs ;;
  release) release ;;
  dist) dist_site ;;
  npm) npm_package ;;
  -h|--help|help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (try: ./build.sh [build|serve|test|page|measure|release|dist|npm])" ;;
esac
