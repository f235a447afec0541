# shellcheck shell=bash
# Shared set-up for scripts/serve and scripts/test: make .venv match requirements.lock.
# Sourced, not run. A quick no-op when the lock and the interpreter have not changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The site needs Python 3.11.5+ (pymdown-extensions); take the first that fits.
find_python() {
  local candidate
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

# sync_venv DIR LOCK PYTHON: create DIR if missing, then install exactly LOCK into it.
sync_venv() {
  local dir="$1" lock="$2" python="$3" stamp want
  # The recipe's version is part of the stamp: a change below re-syncs old venvs.
  want="recipe 2 $(sha256sum "$lock" | cut -c1-64) $("$python" -c 'import sys; print(sys.version)' | head -n1)"
  stamp="$dir/.lock-stamp"
  if [[ -x "$dir/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  say "setting up $(basename "$dir") from $(basename "$lock") ..."
  if [[ ! -x "$dir/bin/python" ]]; then
    "$python" -m venv "$dir" || die "could not create $dir with $python"
  fi
  ensure_uv
  # Bytecode is compiled once, here: where PYTHONDONTWRITEBYTECODE is set,
  # every process would otherwise compile each library it imports, every time.
  "$VENV/bin/uv" pip sync --quiet --require-hashes --compile-bytecode \
    --python "$dir/bin/python" "$lock" ||
    die "installing $lock into $dir failed (see the messages above)"
  printf '%s' "$want" >"$stamp"
}

# uv installs the lock quickly; it is itself pinned, with its hash, in requirements.lock.
ensure_uv() {
  [[ -x "$VENV/bin/uv" ]] && return 0
  local only_uv
  only_uv="$(mktemp)"
  awk '/^uv==/{keep=1} keep && /^[^ ]/ && !/^uv==/{keep=0} keep' "$ROOT/requirements.lock" |
    grep -v '^ *#' >"$only_uv"
  [[ -s "$only_uv" ]] || die "requirements.lock: expected a pinned 'uv==' entry, found none"
  "$VENV/bin/python" -m pip --isolated install --quiet --require-hashes --no-deps -r "$only_uv" ||
    die "installing uv from requirements.lock failed"
  rm -f "$only_uv"
}

setup_main_venv() {
  local python
  python="$(find_python)" || die "Python 3.11.5 or newer is needed for the site; none was found on PATH"
  sync_venv "$VENV" "$ROOT/requirements.lock" "$python"
  export PATH="$VENV/bin:$PATH"
}

# The examples' own tests also run on the lowest supported Python, 3.10.
setup_py310_venv() {
  local python="" candidate
  for candidate in python3.10 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      python="$candidate"
      break
    fi
  done
  [[ -n "$python" ]] || return 1
  sync_venv "$ROOT/.venv-py310" "$ROOT/requirements-py310.lock" "$python"
}

# Debian packages the end-to-end tests drive: a real browser, a real Redis and a
# real nginx, and a Korean font, so that Korean pages render with real glyphs.
# Installed with apt-get when missing. Under CI a missing one is a failure; on a
# developer's machine without root, the tests that need it say why they skip.
SYSTEM_PACKAGES=(
  chromium:/usr/bin/chromium
  redis-server:/usr/bin/redis-server
  nginx:/usr/sbin/nginx
  fonts-nanum:/usr/share/fonts/truetype/nanum/NanumGothic.ttf
)

ensure_system_packages() {
  local missing=() entry
  for entry in "${SYSTEM_PACKAGES[@]}"; do
    [[ -e "${entry#*:}" ]] || missing+=("${entry%%:*}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      return 0
    fi
  fi
  if [[ "${CI:-}" == "true" ]]; then
    say "error: could not install ${missing[*]}; the end-to-end tests need them"
    return 1
  fi
  say "warning: could not install ${missing[*]} (needs root and apt-get); tests that need them will be skipped with that reason"
  return 0
}

# Lighthouse for scripts/bench, exactly as package-lock.json pins it, in
# node_modules/. A quick no-op when the lock and Node have not changed (the
# stamp, like the venv's); no install scripts run, so nothing but the
# registry's packages is fetched (Lighthouse drives Debian's Chromium).
ensure_node_modules() {
  local lock="$ROOT/package-lock.json" stamp="$ROOT/node_modules/.lock-stamp" want
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [[ "${CI:-}" == "true" ]]; then
      say "error: Node.js and npm are needed for the Lighthouse benchmark"
      return 1
    fi
    say "warning: Node.js or npm not found; the Lighthouse benchmark will be skipped"
    return 0
  fi
  want="recipe 1 $(sha256sum "$lock" | cut -c1-64) $(node --version)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  say "setting up node_modules from package-lock.json ..."
  if ! (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
    if [[ "${CI:-}" == "true" ]]; then
      say "error: npm ci failed; the Lighthouse benchmark needs it"
      return 1
    fi
    say "warning: npm ci failed (see above); the Lighthouse benchmark will be skipped"
    return 0
  fi
  printf '%s' "$want" >"$stamp"
}
