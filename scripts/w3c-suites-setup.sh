#!/usr/bin/env bash
# Prepare the W3C / W3C-CCG conformance test suites for scripts/w3c-suites.sh.
#
#   bash scripts/w3c-suites-setup.sh SUITES_DIR [--mirrors DIR]
#
# Checks out each suite into SUITES_DIR/<name>, and every git dependency their package.json
# files name (recursively) into SUITES_DIR/deps/<owner>+<name>; rewrites those dependencies
# as `file:` paths to the local checkouts, then runs `npm install --install-links` in each
# suite (the packages come from the npm registry as usual).
#
# Where the repositories come from:
#   --mirrors DIR   local git mirrors: DIR/<owner>+<name>/repo (bare), DIR/<owner>+<name> or
#                   DIR/<owner>/<name> (a git dir or a work tree). Nothing is fetched from a
#                   git host; a repository missing there is an error.
#   (default)       `git clone --depth 1 $W3C_GIT_BASE/<owner>/<name>.git`, with
#                   W3C_GIT_BASE=https://github.com unless set.
# W3C_SUITES_REF=<ref> checks out that ref in every suite instead of the default branch's head
# (rarely useful); what was checked out is written to SUITES_DIR/SOURCES.tsv.
#
# Re-running skips checkouts that exist (delete a folder to take it again) and re-installs.
# Nothing of the suites belongs in this repository: keep SUITES_DIR outside it. CI does not
# run this (it cannot reach a git host).
set -euo pipefail

usage() { sed -n '2,4p' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
SUITES_DIR=$1; shift
MIRRORS=""
while [ $# -gt 0 ]; do
    case $1 in
        --mirrors) MIRRORS=${2:?--mirrors needs a directory}; shift 2 ;;
        *) usage ;;
    esac
done
GIT_BASE=${W3C_GIT_BASE:-https://github.com}

SUITES=(
    w3c/vc-di-eddsa-test-suite
    w3c/vc-data-model-2.0-test-suite
    w3c/vc-bitstring-status-list-test-suite
    w3c/vc-jose-cose-test-suite
    w3c-ccg/vc-api-issuer-test-suite
    w3c-ccg/vc-api-verifier-test-suite
)

command -v git >/dev/null || { echo "git is required" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are required" >&2; exit 1; }
mkdir -p "$SUITES_DIR/deps"
SUITES_DIR=$(cd "$SUITES_DIR" && pwd)
repo_root=$(cd "$(dirname "$0")/.." && pwd)
case "$SUITES_DIR/" in "$repo_root"/*) echo "SUITES_DIR must be outside the repository" >&2; exit 2 ;; esac
SOURCES="$SUITES_DIR/SOURCES.tsv"
[ -f "$SOURCES" ] || printf 'repository\tcommit\tpath\n' >"$SOURCES"

# mirror_of OWNER/NAME: prints a local git dir or work tree for the repository, if any
mirror_of() {
    local owner=${1%%/*} name=${1#*/} cand
    for cand in "$MIRRORS/$owner+$name/repo" "$MIRRORS/$owner+$name" "$MIRRORS/$owner/$name"; do
        if [ -d "$cand" ] && git -C "$cand" rev-parse --git-dir >/dev/null 2>&1; then
            echo "$cand"; return 0
        fi
    done
    return 1
}

# checkout OWNER/NAME DEST [REF]
checkout() {
    local repo=$1 dest=$2 ref=${3:-} src
    if [ -e "$dest/package.json" ]; then
        return 0
    fi
    rm -rf "$dest"
    if [ -n "$MIRRORS" ]; then
        src=$(mirror_of "$repo") || { echo "no mirror of $repo under $MIRRORS" >&2; exit 1; }
        git clone -q "$src" "$dest"
    else
        src="$GIT_BASE/$repo.git"
        if [ -n "$ref" ]; then
            git clone -q "$src" "$dest"
        else
            git clone -q --depth 1 "$src" "$dest"
        fi
    fi
    if [ -n "$ref" ]; then
        git -C "$dest" checkout -q "$ref"
    fi
    printf '%s\t%s\t%s\n' "$repo" "$(git -C "$dest" rev-parse HEAD)" "${dest#"$SUITES_DIR"/}" >>"$SOURCES"
    echo "checked out $repo at $(git -C "$dest" rev-parse --short HEAD) → $dest" >&2
}

# git_deps PACKAGE_DIR: prints "name<TAB>owner/repo<TAB>ref" for each git dependency of the
# package (dependencies, devDependencies, optionalDependencies, peerDependencies).
git_deps() {
    node - "$1/package.json" <<'EOF'
const fs = require('fs');
const pkg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const sections = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];
const patterns = [
  /^github:([^/#]+)\/([^#]+?)(?:\.git)?(?:#(.+))?$/,
  /^git\+(?:https|ssh):\/\/(?:git@)?github\.com[/:]([^/]+)\/([^#]+?)(?:\.git)?(?:#(.+))?$/,
  /^(?:git|https):\/\/github\.com\/([^/]+)\/([^#]+?)(?:\.git)?(?:#(.+))?$/,
  /^([A-Za-z0-9][\w.-]*)\/([\w.-]+?)(?:#(.+))?$/,   // owner/repo shorthand
];
for (const section of sections) {
  for (const [name, spec] of Object.entries(pkg[section] || {})) {
    for (const re of patterns) {
      const m = re.exec(spec);
      if (m) { console.log([name, `${m[1]}/${m[2]}`, m[3] || ''].join('\t')); break; }
    }
  }
}
EOF
}

# set_dep PACKAGE_DIR NAME SPEC: rewrites one dependency's spec in place, in every section
set_dep() {
    node - "$1/package.json" "$2" "$3" <<'EOF'
const fs = require('fs');
const [file, name, spec] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
for (const section of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
  if (pkg[section] && name in pkg[section]) pkg[section][name] = spec;
}
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
EOF
}

# localise PACKAGE_DIR: checks out each git dependency (recursively) and points the package at it
localise() {
    local pkg_dir=$1 name repo ref dest rel
    while IFS=$'\t' read -r name repo ref; do
        [ -n "$name" ] || continue
        dest="$SUITES_DIR/deps/${repo%%/*}+${repo#*/}"
        checkout "$repo" "$dest" "$ref"
        localise "$dest"
        rel=$(realpath --relative-to="$pkg_dir" "$dest")
        set_dep "$pkg_dir" "$name" "file:$rel"
        # a lock file still naming the git source would win over the new spec
        rm -f "$pkg_dir/package-lock.json"
        echo "  $(basename "$pkg_dir"): $name → file:$rel" >&2
    done < <(git_deps "$pkg_dir")
}

for repo in "${SUITES[@]}"; do
    dest="$SUITES_DIR/${repo#*/}"
    checkout "$repo" "$dest" "${W3C_SUITES_REF:-}"
    localise "$dest"
done

for repo in "${SUITES[@]}"; do
    dest="$SUITES_DIR/${repo#*/}"
    echo "npm install --install-links in $dest" >&2
    (cd "$dest" && npm install --install-links --no-audit --no-fund --loglevel=error >/dev/null)
done
echo "$SUITES_DIR"
