#!/usr/bin/env bash
# Whole-process benchmark of one full cycle with nothing changed (issue 7 §2 and §4).
#
# For each N given (default: 10000 100000 1000000):
#   1. a PostgreSQL source table `partners` of N rows (generate_series, realistic columns);
#   2. the Graph emulator as a separate process (`guestsync emulator --seed-file`), seeded with
#      N invited, redeemed guests whose properties equal the mapped source rows, so its memory
#      never counts in guestsync's RSS;
#   3. a fresh PostgreSQL state store; a first `guestsync sync --once` links (adopts) the N
#      guests: no Graph write is needed because the properties already match; a second one
#      records their redemption state (once per link), so the measured cycle is steady state;
#   4. the measured `guestsync sync --once`, nothing changed: wall time and peak RSS
#      (/usr/bin/time -v), the phases guestsync prints, Graph writes (emulator counters);
#   5. the reference: `psql -c "\copy (<the source query>) to /dev/null"` on the same table,
#      in the same run (run twice, the second, warm one is reported, as guestsync's source read
#      is warm too after step 3).
#
# Usage: bench/cycle.sh [N ...]        (needs a release build: cargo build --release --locked)
# Environment: GUESTSYNC_BIN (default $CARGO_TARGET_DIR/release/guestsync or target/release),
#   PG (default postgres://postgres@127.0.0.1:5432), BENCH_KEEP=1 keeps the databases and files,
#   BENCH_OUT (default /tmp/guestsync-cycle-results.tsv) receives one tab-separated line per N.
#   BENCH_PLAN_ONLY=1 skips the convergence (at 1,000,000 it adopts a million guests through the
#   queue, about half an hour here) and measures `guestsync plan` instead: the same source
#   read, tenant read and plan, with nothing linked yet, so it plans N adoptions (the plan and
#   its JSON output are larger than a no-change cycle's; the record phase is not run).
#   BENCH_SEED_LINKS=1 builds the converged state store directly instead of converging through
#   the queue (step 3): after `guestsync migrate` it loads, with `psql \copy`, one `link` row per
#   source row, generated from the same query as the emulator's seed file: object id
#   md5(anchor) as a UUID (the seed file gives the emulator the same id), the mapped attributes
#   as `last_applied`, redemption state `accepted` at the seed's fixed
#   externalUserStateChangeDateTime; one `done` `adopt` item per link with the payload an
#   adoption leaves and its attempt (the item's desired_hash is a placeholder: a no-change
#   cycle only counts items; a later cycle that plans an action for the anchor sees a new hash
#   and queues it), and one run in place of the convergence's two. The measured cycle is then
#   the first after seeding. At 10,000 it plans the same as after a real convergence
#   (BENCHMARKS.md §2).
#   BENCH_PLAN_BEFORE=1 also saves `guestsync plan` (table) of the converged store, just before
#   the measured cycle, in $work/$N/plan-before.out (with BENCH_KEEP=1, to compare modes).
#   BENCH_PERF=1 runs the measured cycle under `perf record -F 499 -g` ($work/$N/perf.data; keep
#   it with BENCH_KEEP=1); its times include perf's overhead.
#   BENCH_EMULATOR_BIN (default GUESTSYNC_BIN) runs the emulator; seeding links needs one that
#   keeps a seeded `id` (from commit 3cb9285 on), also when measuring an older guestsync.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${GUESTSYNC_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/guestsync}
emulator_bin=${BENCH_EMULATOR_BIN:-$bin}
seeded=${BENCH_SEED_LINKS:-0}
pg=${PG:-postgres://postgres@127.0.0.1:5432}
out=${BENCH_OUT:-/tmp/guestsync-cycle-results.tsv}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
[ -x "$bin" ] || { echo "no guestsync binary at $bin (cargo build --release --locked)" >&2; exit 2; }
[ -x "$emulator_bin" ] || { echo "no emulator binary at $emulator_bin" >&2; exit 2; }

work=$(mktemp -d /tmp/guestsync-cycle.XXXXXX)
emulator_pid=
cleanup() {
    if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
    if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# The source query guestsync runs and psql copies: every default attribute column mapped.
query="SELECT 'P' || partner_id AS anchor, email,
  first_name || ' ' || last_name AS display_name, first_name AS given_name,
  last_name AS surname, title AS job_title, dept AS department, company AS company_name,
  office AS office_location
FROM partners WHERE status = 'active'"
query_line=$(echo "$query" | tr '\n' ' ')

secs() { awk -v v="$1" 'BEGIN { printf "%.3f", v }'; }

make_source() { # db n
    psql -q -v ON_ERROR_STOP=1 "$pg/$1" <<SQL
CREATE TABLE partners (
  partner_id bigint PRIMARY KEY,
  email text NOT NULL,
  first_name text, last_name text, title text, dept text, company text, office text,
  status text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO partners (partner_id, email, first_name, last_name, title, dept, company, office, status)
SELECT g,
  'partner.' || g || '@' || (ARRAY['fabrikam.com','contoso.org','example.net','tailspin.io'])[1 + g % 4],
  (ARRAY['Anna','Bram','Chloé','Dmitri','Eva','Farid','Greta','Hiro'])[1 + g % 8],
  'Surname' || (g % 9973),
  (ARRAY['Engineer','Consultant','Auditor','Account Manager'])[1 + g % 4],
  'Department ' || (g % 50),
  'Partner Company ' || (g % 1000),
  'Office ' || (g % 20),
  'active'
FROM generate_series(1, $2) AS g;
ANALYZE partners;
SQL
}

# The guest of each anchor: a fixed object id and redemption time, so that links can be seeded.
object_id="md5(q.anchor)::uuid::text"
redeemed_at="2026-01-01T00:00:00Z"

seed_file() { # db file: one emulator seed user per source row, properties equal to the row
    local select
    select=$(tr '\n' ' ' <<SQL
SELECT json_build_object('mail', q.email, 'display_name', q.display_name, 'user_type', 'Guest',
  'creation_type', 'Invitation', 'account_enabled', true,
  'extra', json_build_object('id', $object_id, 'externalUserStateChangeDateTime', '$redeemed_at',
    'givenName', q.given_name, 'surname', q.surname,
    'jobTitle', q.job_title, 'department', q.department, 'companyName', q.company_name,
    'officeLocation', q.office_location))
FROM ($query_line) q
SQL
)
    psql -q -v ON_ERROR_STOP=1 "$pg/$1" -c "\\copy ($select) TO '$2'"
}

seed_links() { # src_db state_db file: the links and done items a convergence leaves
    local select columns
    select=$(tr '\n' ' ' <<SQL
SELECT q.anchor, $object_id, q.email,
  json_build_object('displayName', q.display_name, 'givenName', q.given_name,
    'surname', q.surname, 'jobTitle', q.job_title, 'department', q.department,
    'companyName', q.company_name, 'officeLocation', q.office_location),
  now(), 'accepted', '$redeemed_at'::timestamptz, now()
FROM ($query_line) q
SQL
)
    columns="anchor, object_id, email, last_applied, last_applied_at, redemption_state,"
    columns="$columns redemption_changed_at, redemption_seen_at"
    psql -q -v ON_ERROR_STOP=1 "$pg/$1" -c "\\copy ($select) TO '$3'"
    psql -q -v ON_ERROR_STOP=1 "$pg/$2" -c "\\copy link ($columns) FROM '$3'"
    psql -q -v ON_ERROR_STOP=1 "$pg/$2" <<'SQL'
INSERT INTO run (kind, started_at, finished_at, outcome) VALUES ('seeded', now(), now(), 'succeeded');
INSERT INTO item (anchor, action, desired_hash, payload, desired_gen, applied_gen, state,
  attempts, run_after, lease_token, run_id, created_at, updated_at, claimed_at)
SELECT anchor, 'adopt', 'seeded',
  json_build_object('action', json_build_object('kind', 'adopt', 'changes', '{}'::json,
    'object_id', object_id), 'desired', json_build_object('email', email, 'anchor', anchor,
    'attributes', last_applied)),
  1, 1, 'done', 0, now(), 1, (SELECT max(id) FROM run), now(), now(), now()
FROM link;
INSERT INTO attempt (anchor, at, owner, lease_token, action, desired_gen, outcome, claimed_at)
SELECT anchor, now(), 'bench-seed', 1, 'adopt', 1, 'succeeded', now() FROM link;
ANALYZE link;
ANALYZE item;
ANALYZE attempt;
SQL
}

snippet_value() { # key file
    sed -n "s/^$1 = \"\\(.*\\)\"$/\\1/p" "$2" | head -n 1
}

write_config() { # file source_db state_db emulator_out
    local base authority tenant client secret
    base=$(snippet_value base_url "$4")
    authority=$(snippet_value authority_url "$4")
    tenant=$(snippet_value tenant_id "$4")
    client=$(snippet_value client_id "$4")
    secret=$(snippet_value client_secret "$4")
    cat >"$1" <<TOML
[graph]
base_url = "$base"
# The benchmark measures guestsync, not a Graph budget: reads and writes unthrottled here.
read_budget_per_second = 100000.0
write_budget_per_second = 100000.0

[auth]
authority_url = "$authority"
tenant_id = "$tenant"
client_id = "$client"
client_secret = "$secret"

[state]
url = "$pg/$3"

[source]
url = "$pg/$2"
query = "$query_line"

[workers]
count = 32

[log]
level = "warn"
format = "text"
TOML
}

counter() { # emulator_base name
    curl -sf "$1/_emulator/counters" | jq -r ".$2"
}

psql_reference() { # db → seconds of the warm \copy
    local ms
    psql -q "$pg/$1" -c "\\copy ($query_line) TO '/dev/null'" >/dev/null
    ms=$(psql -q "$pg/$1" -c '\timing on' -c "\\copy ($query_line) TO '/dev/null'" |
        sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1)
    secs "$(awk -v m="$ms" 'BEGIN { print m / 1000 }')"
}

# The wall time in seconds of a `/usr/bin/time -v` report.
wall_seconds() {
    sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
        awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }'
}

# The peak resident set size in KiB of a `/usr/bin/time -v` report.
peak_rss_kb() {
    sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"
}

phase() { # name file → seconds from the "cycle phases:" line
    sed -n "s/.*cycle phases:.*$1 \\([0-9.]*\\) s.*/\\1/p" "$2" | tail -n 1
}

teardown() { # dir src state: stop the emulator, drop what one N made (unless BENCH_KEEP=1)
    kill "$emulator_pid"
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=
    if [ "${BENCH_KEEP:-0}" != 1 ]; then
        rm -rf "$1"
        for db in "$2" "$3"; do psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db"; done
    fi
}

plan_only() { # n src dir emulator_base: `guestsync plan` (table) on an unlinked tenant
    local n=$1 src=$2 dir=$3 base=$4 reference writes_before writes_after
    reference=$(psql_reference "$src")
    writes_before=$(counter "$base" writes_total)
    /usr/bin/time -v "$bin" -c "$dir/guestsync.toml" plan >"$dir/plan.out" 2>"$dir/time.out"
    writes_after=$(counter "$base" writes_total)
    local wall rss_kb source tenant links plan ratio adopts
    wall=$(wall_seconds "$dir/time.out")
    rss_kb=$(peak_rss_kb "$dir/time.out")
    source=$(phase "source read" "$dir/plan.out")
    tenant=$(phase "tenant read" "$dir/plan.out")
    links=$(phase "links read" "$dir/plan.out")
    plan=$(phase "plan" "$dir/plan.out")
    adopts=$(grep -c ' adopt ' "$dir/plan.out" || true)
    [ "$adopts" = "$n" ] || { echo "plan did not adopt $n: $adopts" >&2; exit 1; }
    ratio=$(awk -v s="$source" -v r="$reference" 'BEGIN { printf "%.2f", s / r }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$n" "$wall" "$((rss_kb / 1024))" "$source" "$tenant" "$links" "$plan" "plan-only" \
        "$reference" "$ratio" "$((writes_after - writes_before))" "-" | tee -a "$out"
    teardown "$dir" "$src" "$state"
}

run_one() {
    local n=$1 tag=""
    [ "$seeded" = 1 ] && tag=_seeded
    local src="guestsync_bench_cycle_src_$1$tag" state="guestsync_bench_cycle_state_$1$tag"
    local dir="$work/$n" base
    mkdir -p "$dir"
    echo "== N = $n" >&2
    for db in "$src" "$state"; do
        psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    done
    make_source "$src" "$n"
    seed_file "$src" "$dir/seed.jsonl"

    "$emulator_bin" emulator --listen 127.0.0.1:0 --seed-file "$dir/seed.jsonl" >"$dir/emulator.out" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 1 1200); do
        grep -qs '^client_secret' "$dir/emulator.out" && break
        kill -0 "$emulator_pid" 2>/dev/null || { cat "$dir/emulator.out" >&2; exit 1; }
        sleep 0.5
    done
    base=$(snippet_value authority_url "$dir/emulator.out")
    write_config "$dir/guestsync.toml" "$src" "$state" "$dir/emulator.out"
    "$bin" -c "$dir/guestsync.toml" migrate >/dev/null

    if [ "${BENCH_PLAN_ONLY:-0}" = 1 ]; then
        plan_only "$n" "$src" "$dir" "$base"
        return
    fi
    local t0 t1 converge
    t0=$(date +%s.%N)
    if [ "$seeded" = 1 ]; then
        seed_links "$src" "$state" "$dir/links.tsv"
    else
        # Converge: the first cycle adopts every seeded guest (no property differs: no write).
        "$bin" -c "$dir/guestsync.toml" sync --once >"$dir/converge.out"
        grep -q "adopted $n," "$dir/converge.out" || { echo "converge did not adopt $n:" >&2; cat "$dir/converge.out" >&2; exit 1; }
        # The second cycle records the redemption state of the now-linked guests (a store write
        # per link, once); only from the third on is nothing left to record: that one is measured.
        "$bin" -c "$dir/guestsync.toml" sync --once >"$dir/settle.out"
    fi
    t1=$(date +%s.%N)
    converge=$(secs "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
    if [ "${BENCH_PLAN_BEFORE:-0}" = 1 ]; then
        "$bin" -c "$dir/guestsync.toml" plan >"$dir/plan-before.out"
    fi

    local reference writes_before writes_after
    reference=$(psql_reference "$src")
    writes_before=$(counter "$base" writes_total)
    local profile=()
    if [ "${BENCH_PERF:-0}" = 1 ]; then profile=(perf record -F 499 -g -o "$dir/perf.data" --); fi
    /usr/bin/time -v "${profile[@]}" "$bin" -c "$dir/guestsync.toml" sync --once >"$dir/measured.out" 2>"$dir/time.out"
    writes_after=$(counter "$base" writes_total)
    grep -q "unchanged $n\$" "$dir/measured.out" || { echo "measured cycle was not unchanged:" >&2; cat "$dir/measured.out" >&2; exit 1; }

    local wall rss_kb source tenant links plan record writes ratio
    wall=$(wall_seconds "$dir/time.out")
    rss_kb=$(peak_rss_kb "$dir/time.out")
    source=$(phase "source read" "$dir/measured.out")
    tenant=$(phase "tenant read" "$dir/measured.out")
    links=$(phase "links read" "$dir/measured.out")
    plan=$(phase "plan" "$dir/measured.out")
    record=$(phase "record" "$dir/measured.out")
    writes=$((writes_after - writes_before))
    ratio=$(awk -v s="$source" -v r="$reference" 'BEGIN { printf "%.2f", s / r }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$n$tag" "$wall" "$((rss_kb / 1024))" "$source" "$tenant" "$links" "$plan" "$record" \
        "$reference" "$ratio" "$writes" "$converge" | tee -a "$out"

    teardown "$dir" "$src" "$state"
}

[ -s "$out" ] || printf 'n\twall_s\tpeak_rss_mib\tsource_read_s\ttenant_read_s\tlinks_read_s\tplan_s\trecord_s\tpsql_copy_s\tsource_over_copy\tgraph_writes\tconverge_s\n' >"$out"
for n in "${sizes[@]}"; do run_one "$n"; done
