# shellcheck shell=bash
# Helpers shared by the benchmark scripts (scripts/bench, scripts/bench-*): sourced, not run.
#
# Every per-figure script prints, besides its own output, one machine-readable line per figure:
#
#   BENCH figure=KEY value=NUMBER unit=UNIT target=OPNUMBER met=yes|no [NAME=VALUE …]
#
# OP is `>=` or `<`; VALUE is `NA` when the figure could not be measured (then met=no and a
# `note=` says why). The extra NAME=VALUE fields (no spaces) add context: `size=`, `cpu=`
# (median CPU seconds, user + system), `peak_mib=`, `runs=`…  scripts/bench collects these
# lines into one table.

# bench_result KEY VALUE UNIT OP TARGET [NAME=VALUE …]: prints the BENCH line of one figure.
bench_result() {
  local key="$1" value="$2" unit="$3" op="$4" target="$5" met
  shift 5
  met=$(awk -v v="$value" -v t="$target" -v op="$op" 'BEGIN {
    if (v == "NA" || v == "") { print "no"; exit }
    if (op == "<") m = (v + 0 < t + 0); else if (op == "<=") m = (v + 0 <= t + 0)
    else if (op == ">") m = (v + 0 > t + 0); else m = (v + 0 >= t + 0)
    print (m ? "yes" : "no") }')
  echo "BENCH figure=$key value=${value:-NA} unit=$unit target=$op$target met=$met${*:+ $*}"
}

# bench_median FILE: the median of the numbers in FILE, one a line (empty when there are none).
bench_median() {
  sort -g "$1" | awk '{ t[NR] = $1 }
    END { if (NR) printf "%.6g", (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2) }'
}

# bench_has_gnu_time: whether GNU time (Debian package `time`) is at /usr/bin/time (asked once).
bench_has_gnu_time() {
  if [ -z "${BENCH_GNU_TIME_:-}" ]; then
    BENCH_GNU_TIME_=no
    if [ -x /usr/bin/time ] && /usr/bin/time -f "%M" -o /dev/null true >/dev/null 2>&1; then
      BENCH_GNU_TIME_=yes
    fi
  fi
  [ "$BENCH_GNU_TIME_" = yes ]
}

# bench_run OUT -- CMD…: runs CMD (its output thrown away) and appends one line to OUT:
#   WALL_S CPU_S PEAK_MIB STATUS USER_S SYS_S
# wall from the monotonic clock of `date +%s%N`; CPU (user + system, to the millisecond) from
# bash's `times` (the children's rusage) before and after; peak resident memory from GNU time
# when it is installed (else `NA`). Returns CMD's exit status.
bench_run() {
  local out="$1" scratch start end status=0 peak=NA kib
  shift
  [ "$1" = "--" ] && shift
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/slac-bench-run.XXXXXX")"
  # `times` is a builtin: redirected, it runs in this shell (a command substitution would fork
  # and see no children).
  times >"$scratch/before"
  start=$(date +%s%N)
  if bench_has_gnu_time; then
    /usr/bin/time -f "%M" -o "$scratch/rss" "$@" >/dev/null 2>&1 || status=$?
  else
    "$@" >/dev/null 2>&1 || status=$?
  fi
  end=$(date +%s%N)
  times >"$scratch/after"
  if [ -s "$scratch/rss" ]; then
    kib=$(tail -n 1 "$scratch/rss")
    case "$kib" in
      '' | *[!0-9]*) ;;
      *) peak=$(awk -v k="$kib" 'BEGIN { printf "%.0f", k / 1024 }') ;;
    esac
  fi
  awk -v ns=$((end - start)) -v p="$peak" -v st="$status" '
    # The second line of `times`: the children'"'"'s user and system time, as 0m0.123s 0m0.004s.
    function seconds(t,   m) { m = t; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", t); sub(/s$/, "", t); return m * 60 + t }
    FNR == 2 { user[FILENAME] = seconds($1); sys[FILENAME] = seconds($2) }
    END {
      u = user[ARGV[2]] - user[ARGV[1]]; s = sys[ARGV[2]] - sys[ARGV[1]]
      printf "%.4f %.3f %s %d %.3f %.3f\n", ns / 1e9, u + s, p, st, u, s
    }' "$scratch/before" "$scratch/after" >>"$out"
  rm -rf "$scratch"
  return "$status"
}

# bench_column FILE N: column N of FILE, without the NA entries (for bench_median and max).
bench_column() {
  awk -v c="$2" '$c != "NA" { print $c }' "$1"
}

# bench_machine: one line on the machine: cores, CPU model, memory, load average.
bench_machine() {
  local model mem
  model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
  mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
  echo "$(nproc) cores (${model:-unknown CPU}), ${mem:-unknown memory}, load average $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null)"
}
