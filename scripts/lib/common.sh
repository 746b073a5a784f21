# Shared by scripts/run, scripts/test and scripts/bench: steps, PostgreSQL install and private clusters.
# Source it from the project root.

PG_VERSION=15
PG_BIN="/usr/lib/postgresql/${PG_VERSION}/bin"
PROJECT_ROOT="$(pwd)"
# KINSHIP_STATE_DIR moves the clusters, credentials and markers elsewhere (scripts/test-quickstart's own run).
STATE_DIR="${KINSHIP_STATE_DIR:-${PROJECT_ROOT}/.kinship}"

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as the unprivileged owner of the clusters: PostgreSQL refuses to run as root.
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

random_secret() { head -c 32 /dev/urandom | base64 | tr -d '\n'; }
random_word() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }

# A postgres:// URL's password, percent-decoded, and the URL without it: for handing a password to a tool in
# PGPASSWORD rather than on its command line, where any user's `ps` shows it.
url_password() { printf '%b' "$(printf '%s' "$1" | sed -nE 's|^postgres(ql)?://[^:/@]+:([^@]*)@.*|\2|p' | sed -E 's/%([0-9A-Fa-f]{2})/\\x\1/g')"; }
url_without_password() { printf '%s' "$1" | sed -E 's|^(postgres(ql)?://[^:/@]+):[^@]*@|\1@|'; }

require_swift() {
  command -v swift >/dev/null || fail "swift is not on PATH; install Swift 6 (https://swift.org/install) and retry"
}

# Installs PostgreSQL 15 from Debian's packages when it is missing, without creating Debian's default cluster.
ensure_postgresql() {
  if [ -x "${PG_BIN}/initdb" ]; then
    echo "PostgreSQL ${PG_VERSION} is installed"
    return
  fi
  [ "$(id -u)" -eq 0 ] || fail "PostgreSQL ${PG_VERSION} is missing; run this script as root once to install it"
  echo "installing postgresql-${PG_VERSION} from Debian's packages"
  mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-${PG_VERSION}" >/dev/null
}

# ensure_debian_package COMMAND PACKAGE: installs PACKAGE from Debian's packages when COMMAND is missing.
ensure_debian_package() {
  command -v "$1" >/dev/null && return
  [ "$(id -u)" -eq 0 ] || fail "$1 is missing; run this script as root once to install $2"
  echo "installing $2 from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# The C libraries the Swift build links: zlib (gzip request bodies) and jemalloc (the services' allocator).
ensure_build_libraries() {
  local missing=()
  [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
  [ -f /usr/include/jemalloc/jemalloc.h ] || missing+=(libjemalloc-dev)
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || fail "the build needs ${missing[*]}; run this script as root once to install them"
  echo "installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The cluster's owner must be able to walk down to .kinship/: grant traverse-only (o+x) where it is missing.
ensure_reachable_by_pg_owner() {
  [ "$(id -u)" -eq 0 ] || return 0
  local dir="$1"
  while [ "$dir" != "/" ]; do
    if ! runuser -u postgres -- test -x "$dir"; then
      echo "granting the postgres user traverse (o+x) on ${dir}"
      chmod o+x "$dir"
    fi
    dir="$(dirname "$dir")"
  done
}

# start_cluster NAME PORT [EXTRA_CONF] [MAX_CONNECTIONS]: initialises (once) and starts a private cluster in .kinship/NAME,
# loopback only, and sets CLUSTER_DIR, CLUSTER_PORT.
start_cluster() {
  local name="$1" port="$2" extra_conf="${3:-}" max_connections="${4:-200}"
  CLUSTER_DIR="${STATE_DIR}/${name}"
  CLUSTER_PORT="$port"
  # A Unix socket path must stay under ~100 bytes; deep checkouts put it in /tmp instead.
  SOCKET_DIR="${CLUSTER_DIR}/socket"
  if [ "${#SOCKET_DIR}" -gt 80 ]; then SOCKET_DIR="/tmp/kinship-$(printf '%s' "$CLUSTER_DIR" | md5sum | cut -c1-12)"; fi
  mkdir -p "$STATE_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    ensure_reachable_by_pg_owner "$STATE_DIR"
    mkdir -p "$CLUSTER_DIR" && chown postgres:postgres "$CLUSTER_DIR"
  else
    mkdir -p "$CLUSTER_DIR"
  fi
  chmod 700 "$CLUSTER_DIR"
  if [ ! -f "${CLUSTER_DIR}/data/PG_VERSION" ]; then
    echo "creating cluster ${CLUSTER_DIR}/data"
    as_pg_owner "${PG_BIN}/initdb" -D "${CLUSTER_DIR}/data" -U postgres -E UTF8 --no-locale \
      --auth-local=peer --auth-host=scram-sha-256 >"${CLUSTER_DIR}/initdb.log"
    as_pg_owner tee -a "${CLUSTER_DIR}/data/postgresql.conf" >/dev/null <<CONF
# Kinship: a private cluster, loopback only.
listen_addresses = '127.0.0.1'
unix_socket_directories = '${SOCKET_DIR}'
${extra_conf}
CONF
  fi
  as_pg_owner mkdir -p "$SOCKET_DIR"
  # The port and connection limit may change between runs; pass them on the command line rather than in the file.
  if as_pg_owner "${PG_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" status >/dev/null 2>&1; then
    echo "cluster ${name} is already running"
  else
    echo "starting cluster ${name} on 127.0.0.1:${port}"
    as_pg_owner "${PG_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -l "${CLUSTER_DIR}/server.log" -w -t 60 \
      -o "-p ${port} -c max_connections=${max_connections}" start >/dev/null || { tail -20 "${CLUSTER_DIR}/server.log" >&2; fail "the cluster did not start"; }
  fi
}

stop_cluster() {
  [ -n "${CLUSTER_DIR:-}" ] || return 0
  echo "stopping cluster in ${CLUSTER_DIR}"
  as_pg_owner "${PG_BIN}/pg_ctl" -D "${CLUSTER_DIR}/data" -m fast -w stop >/dev/null 2>&1 || true
}

# Runs SQL as the cluster's superuser over its private socket.
cluster_psql() {
  as_pg_owner psql -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$CLUSTER_PORT" -U postgres -d postgres "$@"
}

# ensure_role_and_database ROLE PASSWORD DATABASE: the application's role (may create databases, for tests).
# The password reaches psql in its environment, not on its command line, where any user's `ps` shows it.
ensure_role_and_database() {
  local role="$1" password="$2" database="$3"
  KINSHIP_ROLE_PASSWORD="$password" cluster_psql -v role="$role" <<'SQL'
\getenv password KINSHIP_ROLE_PASSWORD
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'role', :'password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'password') \gexec
SQL
  cluster_psql -v role="$role" -v db="$database" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
}
