#!/usr/bin/env bash
# Install what a fresh machine of this kind (Debian 12, Rust via rustup, python3 + pip) lacks
# to build and test iamlogic. Idempotent, and quiet when everything is already there.
#
# - Z3 5.4.0.0 from the PyPI wheel `z3-solver` (never Debian's libz3 4.8.12: see
#   ../shared/notes/z3.md). The build scripts find the wheel's lib folder with python3.
# - A C linker (`cc`): rustc links through it. Installed from Debian only if missing.
# - moto[server] (PyPI; with boto3): the local AWS API server the `iamlogic collect` tests
#   run against (tests/collect.rs).
# Network: PyPI and Debian only, and only when something is missing.
set -euo pipefail

Z3_WANT="5.4.0.0"
MOTO_WANT="5.2.1"

say() { printf 'setup: %s\n' "$*" >&2; }

# The python3 the build scripts call is the one that must see the wheel.
z3_version() {
    python3 -c 'import z3; print(z3.get_full_version())' 2>/dev/null || true
}

if ! command -v python3 >/dev/null 2>&1; then
    say "python3 missing: installing it from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip >/dev/null
fi

if [[ "$(z3_version)" != "$Z3_WANT" ]]; then
    say "installing z3-solver==$Z3_WANT from PyPI (found: '$(z3_version)')"
    if ! python3 -m pip --version >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
    fi
    # Debian's own python3 is "externally managed" (PEP 668); a pyenv python is not.
    if ! python3 -m pip install --quiet --disable-pip-version-check "z3-solver==$Z3_WANT" 2>/dev/null; then
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "z3-solver==$Z3_WANT"
    fi
    got="$(z3_version)"
    if [[ "$got" != "$Z3_WANT" ]]; then
        say "error: python3 still reports Z3 '$got' after installing z3-solver==$Z3_WANT"
        exit 1
    fi
fi

lib_dir="$(python3 -c 'import z3,os;print(os.path.join(os.path.dirname(z3.__file__),"lib"))')"
if [[ ! -e "$lib_dir/libz3.so" ]]; then
    say "error: the z3-solver wheel has no libz3.so in $lib_dir"
    exit 1
fi

# Install a PyPI requirement for the python3 the tests call (Debian's python3 is "externally
# managed", PEP 668; a pyenv python is not).
pip_install() {
    if ! python3 -m pip --version >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
    fi
    if ! python3 -m pip install --quiet --disable-pip-version-check "$1" 2>/dev/null; then
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$1"
    fi
}

moto_version() {
    python3 -c 'import moto, moto.server, boto3, flask_cors; print(moto.__version__)' 2>/dev/null || true
}

if [[ "$(moto_version)" != "$MOTO_WANT" ]]; then
    say "installing moto[server]==$MOTO_WANT from PyPI (found: '$(moto_version)')"
    pip_install "moto[server]==$MOTO_WANT"
    got="$(moto_version)"
    if [[ "$got" != "$MOTO_WANT" ]]; then
        say "error: python3 still reports moto '$got' after installing moto[server]==$MOTO_WANT"
        exit 1
    fi
fi

if ! command -v cc >/dev/null 2>&1; then
    say "no C linker: installing gcc and libc6-dev from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
    if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
        say "note: cargo is in ~/.cargo/bin but not on PATH; run: . \"\$HOME/.cargo/env\""
    else
        say "error: cargo not found; install Rust with rustup (https://rustup.rs)"
        exit 1
    fi
fi

for comp in rustfmt clippy; do
    if command -v rustup >/dev/null 2>&1 && ! rustup component list --installed 2>/dev/null | grep -q "^$comp"; then
        say "adding rustup component $comp"
        rustup component add "$comp" >/dev/null 2>&1
    fi
done
