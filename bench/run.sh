#!/usr/bin/env bash
# Benchmarks strata against the "floor" (decompress every layer and walk
# the tar headers, nothing else) on generated docker-archive images.
#
#   bench/run.sh                      # medium large cleanup manyfiles onelayer registry, 5 runs each
#   bench/run.sh -n 3 -images medium  # fewer runs, one image
#   bench/run.sh -images onelayer,registry  # names split by commas or spaces
#   bench/run.sh -smoke               # tiny image, one run of each row (CI)
#
# "registry" is a section, not an image: with /usr/bin/docker-registry it
# serves large and onelayer on 127.0.0.1 to bench/toc and bench/open.
# Images are generated into bench/out/ when missing (never committed).
# Exit status is non-zero when anything failed to build or run.
set -u -o pipefail

cd "$(dirname "$0")/.."
# CI=true makes strata --json check the CI rules too (and exit 1 when one
# fails); the benchmark times the analysis, whatever the image's rules say.
unset CI GITHUB_ACTIONS
OUT=bench/out
N=5
IMAGES="medium large cleanup manyfiles onelayer registry"
SMOKE=0
VARIANT=2

usage() {
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	echo "flags: -n RUNS  -images \"NAME ...\"  -smoke  -h"
}

while [ $# -gt 0 ]; do
	case "$1" in
	-n) N="$2"; shift 2 ;;
	-images) IMAGES="$2"; shift 2 ;;
	-smoke) SMOKE=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown flag $1" >&2; usage >&2; exit 2 ;;
	esac
done
if [ "$SMOKE" = 1 ]; then
	N=1
	IMAGES=smoke
fi
# "registry" selects the registry section (bench/toc on large, bench/open
# on onelayer); the other names are images of the main table.
REGISTRY=0
imgs=""
for img in ${IMAGES//,/ }; do
	if [ "$img" = registry ]; then REGISTRY=1; else imgs="$imgs $img"; fi
done
IMAGES=${imgs# }

FAILED=0
fail() { echo "!! $*" >&2; FAILED=1; }
note() { NOTES+=("$*"); echo "-- $*" >&2; }
NOTES=()
if [ "$SMOKE" = 1 ]; then
	note "registry section skipped in -smoke (bench/run.sh -images registry runs it)"
elif [ "$REGISTRY" = 1 ] && [ ! -x /usr/bin/docker-registry ]; then
	note "registry section skipped: /usr/bin/docker-registry is missing (apt-get install docker-registry)"
	REGISTRY=0
fi

if [ ! -x /usr/bin/time ]; then
	echo "installing GNU time (/usr/bin/time)" >&2
	if [ "$(id -u)" = 0 ]; then
		(apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y time >/dev/null 2>&1; })
	fi
	[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time (GNU time) is needed: apt-get install time" >&2; exit 2; }
fi

mkdir -p "$OUT"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$OUT/floor" ./bench/floor || { echo "run.sh: building bench/floor failed" >&2; exit 1; }
go build -o "$OUT/gen" ./bench/gen || { echo "run.sh: building bench/gen failed" >&2; exit 1; }
go build -o "$OUT/crane" ./bench/crane || { echo "run.sh: building bench/crane failed" >&2; exit 1; }
if [ "$REGISTRY" = 1 ]; then
	go build -o "$OUT/bench-toc" ./bench/toc || { echo "run.sh: building bench/toc failed" >&2; exit 1; }
	go build -o "$OUT/bench-open" ./bench/open || { echo "run.sh: building bench/open failed" >&2; exit 1; }
fi

STRATA=1
# Built as .goreleaser.yaml builds releases (static, stripped): the binary
# users run, whose size and linking show in peak RSS.
if ! CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$OUT/strata" . 2>"$OUT/strata-build.log"; then
	cat "$OUT/strata-build.log" >&2
	fail "strata does not build (go build . failed, log in $OUT/strata-build.log): strata rows are skipped"
	STRATA=0
fi
HAS_CACHEDIR=0
HAS_NOCACHE=0
if [ "$STRATA" = 1 ]; then
	HELP=$("$OUT/strata" --help 2>&1)
	grep -q -- --cache-dir <<<"$HELP" && HAS_CACHEDIR=1
	grep -q -- --no-cache <<<"$HELP" && HAS_NOCACHE=1
	[ "$HAS_CACHEDIR" = 1 ] || note "strata has no --cache-dir flag yet: warm and v2 rows skipped"
	[ "$HAS_NOCACHE" = 1 ] || note "strata has no --no-cache flag yet: cold runs use$([ "$HAS_CACHEDIR" = 1 ] && echo " an empty --cache-dir" || echo " no flag (there is no cache)")"
fi
DIVE=0
command -v dive >/dev/null 2>&1 && DIVE=1

# Generate missing images (and their -v2 twin with a changed top layer).
# A stamp of the generator's source next to each image makes a change to
# bench/gen regenerate it rather than benchmark a stale file.
STAMP=$(cat bench/gen/*.go | sha256sum | cut -c1-16)
generate() { # IMAGE VARIANT
	local f="$OUT/$1.tar"
	[ "$2" != 0 ] && f="$OUT/$1-v$2.tar"
	[ -f "$f" ] && [ "$(cat "$f.stamp" 2>/dev/null)" = "$STAMP" ] && return
	rm -f "$f" "$f.stamp"
	"$OUT/gen" -out "$OUT" -image "$1" -variant "$2" || { echo "run.sh: generating $f failed" >&2; exit 1; }
	echo "$STAMP" >"$f.stamp"
}
[ "$REGISTRY" = 1 ] && generate large 0 && generate onelayer 0
for img in $IMAGES; do
	generate "$img" 0
	generate "$img" "$VARIANT"
	# The same image as crane pull saves it (layers named by digest, no
	# LayerSources): the layout whose warm runs once hashed every blob.
	c="$OUT/$img-crane.tar"
	if [ ! -f "$c" ] || [ "$(cat "$c.stamp" 2>/dev/null)" != "$STAMP" ]; then
		"$OUT/crane" "$OUT/$img.tar" "$c" || { echo "run.sh: writing $c failed" >&2; exit 1; }
		echo "$STAMP" >"$c.stamp"
	fi
done

# measure KEY PRE CMD...: runs CMD N times under GNU time, running the
# shell function PRE (untimed) before each run, and records the median
# wall time and median peak RSS in T[KEY] and M[KEY] ("FAIL" on error).
declare -A T M
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) exit; if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
measure() {
	local key=$1 pre=$2; shift 2
	local ts=() ms=() i tf="$OUT/.time.$$"
	for ((i = 0; i < N; i++)); do
		[ -n "$pre" ] && $pre
		if ! /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$OUT/last.stdout" 2>"$OUT/last.stderr"; then
			fail "$key: '$*' failed:"
			tail -5 "$OUT/last.stderr" >&2
			T[$key]=FAIL M[$key]=FAIL
			return 1
		fi
		read -r t m <"$tf"
		ts+=("$t") ms+=("$m")
	done
	rm -f "$tf"
	T[$key]=$(printf '%s\n' "${ts[@]}" | median)
	M[$key]=$(printf '%s\n' "${ms[@]}" | median)
	echo "   $key: ${T[$key]} s, ${M[$key]} KiB peak RSS (median of $N: ${ts[*]})" >&2
}

cold_args=()
if [ "$HAS_NOCACHE" = 1 ]; then
	cold_args=(--no-cache)
elif [ "$HAS_CACHEDIR" = 1 ]; then
	cold_args=(--cache-dir "$OUT/cache/cold")
fi
reset_cold() { rm -rf "$OUT/cache/cold"; }
CUR=""
reset_v2() { rm -rf "$OUT/cache/$CUR-v2" && cp -a "$OUT/cache/$CUR" "$OUT/cache/$CUR-v2"; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD0%% *}" -v c="$(nproc)" 'BEGIN {exit !(l > c/2)}'; then
	note "load average was $LOAD0 at the start: other work on this machine makes the times noisy"
fi

declare -A LAYERS ENTRIES UNC
for img in $IMAGES; do
	CUR=$img
	f="$OUT/$img.tar"
	f2="$OUT/$img-v$VARIANT.tar"
	echo "== $img ($f)" >&2
	fc="$OUT/$img-crane.tar"
	cat "$f" "$f2" "$fc" >/dev/null # same page-cache state for every row

	if measure "$img/floor" "" "$OUT/floor" "$f"; then
		s=$(cat "$OUT/last.stdout")
		LAYERS[$img]=$(sed -n 's/.*layers=\([0-9]*\).*/\1/p' <<<"$s")
		ENTRIES[$img]=$(sed -n 's/.*entries=\([0-9]*\).*/\1/p' <<<"$s")
		UNC[$img]=$(sed -n 's/.*uncompressed=\([0-9]*\).*/\1/p' <<<"$s")
	fi
	measure "$img/floor-hash" "" "$OUT/floor" -hash "$f"

	if [ "$STRATA" = 1 ]; then
		measure "$img/cold" reset_cold "$OUT/strata" --json /dev/null "${cold_args[@]}" "$f"
		measure "$img/noverify" reset_cold "$OUT/strata" --json /dev/null --no-verify "${cold_args[@]}" "$f"
		if [ "$HAS_CACHEDIR" = 1 ]; then
			rm -rf "$OUT/cache/$img"
			if "$OUT/strata" --json /dev/null --cache-dir "$OUT/cache/$img" "$f" >/dev/null 2>"$OUT/last.stderr"; then
				measure "$img/warm" "" "$OUT/strata" --json /dev/null --cache-dir "$OUT/cache/$img" "$f"
				measure "$img/v2" reset_v2 "$OUT/strata" --json /dev/null --cache-dir "$OUT/cache/$img-v2" "$f2"
				rm -rf "$OUT/cache/$img-crane"
				"$OUT/strata" --json /dev/null --cache-dir "$OUT/cache/$img-crane" "$fc" >/dev/null 2>&1
				measure "$img/crane-warm" "" "$OUT/strata" --json /dev/null --cache-dir "$OUT/cache/$img-crane" "$fc"
			else
				fail "$img: filling the cache failed:"
				tail -5 "$OUT/last.stderr" >&2
			fi
		fi
	fi
	if [ "$DIVE" = 1 ]; then
		CI=true measure "$img/dive" "" dive --ci --source docker-archive "$f"
	fi
done

# Registry section: Debian's docker-registry on a free 127.0.0.1 port,
# its config and blobs in a temporary directory removed on exit.
REGDIR=""
REGPID=""
stop_registry() {
	[ -n "$REGPID" ] && kill "$REGPID" 2>/dev/null && wait "$REGPID" 2>/dev/null
	[ -n "$REGDIR" ] && rm -rf "$REGDIR"
	REGPID="" REGDIR=""
}
trap stop_registry EXIT
trap 'exit 130' INT TERM # so that EXIT runs stop_registry
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_registry() {
	REGDIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-bench-registry.XXXXXX") || return 1
	local try
	for try in 1 2 3 4 5; do
		REGPORT=$((20000 + RANDOM % 40000))
		listening "$REGPORT" && continue
		printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%s\n' \
			"$REGDIR/data" "$REGPORT" >"$REGDIR/config.yml"
		/usr/bin/docker-registry serve "$REGDIR/config.yml" >"$REGDIR/registry.log" 2>&1 &
		REGPID=$!
		local i
		for ((i = 0; i < 100; i++)); do
			kill -0 "$REGPID" 2>/dev/null || break
			listening "$REGPORT" && return 0
			sleep 0.1
		done
		kill "$REGPID" 2>/dev/null && wait "$REGPID" 2>/dev/null
		REGPID=""
	done
	tail -5 "$REGDIR/registry.log" >&2
	return 1
}
REG_TOC="" REG_OPEN=""
if [ "$REGISTRY" = 1 ]; then
	echo "== registry" >&2
	if ! start_registry; then
		fail "registry: docker-registry did not start on 127.0.0.1"
	else
		echo "   docker-registry on 127.0.0.1:$REGPORT, data in $REGDIR" >&2
		if [ "$STRATA" = 1 ]; then
			echo "   bench/toc on large (converts to eStargz and zstd:chunked the first time: minutes)" >&2
			REG_TOC=$("$OUT/bench-toc" -registry "127.0.0.1:$REGPORT" -strata "$OUT/strata" -work "$OUT/toc" -n "$N" "$OUT/large.tar") ||
				{ fail "registry: bench/toc on large failed"; REG_TOC=""; }
		else
			note "strata did not build: bench/toc skipped"
		fi
		echo "   bench/open on onelayer" >&2
		REG_OPEN=$("$OUT/bench-open" -registry "127.0.0.1:$REGPORT" -n "$N" "$OUT/onelayer.tar") ||
			{ fail "registry: bench/open on onelayer failed"; REG_OPEN=""; }
	fi
	stop_registry
fi

# Table.
mb() { [ -n "${1:-}" ] && awk -v b="$1" 'BEGIN {printf "%.0f MB", b/1e6}'; }
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {if (a+0 > 0 && b+0 > 0) printf "%.2fx", a/b; else printf "-"}'; }
v() { local x=${1:-}; [ -n "$x" ] && echo "$x" || echo "-"; }
secs() { local x=${1:-}; case "$x" in "" ) echo "-" ;; FAIL) echo FAIL ;; *) echo "${x} s" ;; esac; }
rss() { local x=${1:-}; case "$x" in "" ) echo "-" ;; FAIL) echo FAIL ;; *) awk -v k="$x" 'BEGIN {printf "%.0f MB", k*1024/1e6}' ;; esac; }
perentry() { awk -v k="${1:-}" -v n="${2:-}" 'BEGIN {if (k+0 > 0 && n+0 > 0) printf "%.0f", k*1024/n; else printf "-"}'; }

RES="$OUT/results-$(date +%Y%m%d-%H%M%S).md"
{
	echo "strata $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo '+dirty'), $(go version | cut -d' ' -f3), $(nproc) cores, median of $N run(s), $(date -u +%Y-%m-%dT%H:%MZ), load average $LOAD0 at start, $(cut -d' ' -f1-3 /proc/loadavg) at end"
	echo
	hdr="| image | layers | entries | uncompressed | floor | floor -hash | strata cold | cold/floor | cold --no-verify | warm | warm/cold | crane warm | crane warm/cold | v2 | RSS cold | B/entry | RSS floor |"
	sep="|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	if [ "$DIVE" = 1 ]; then hdr="$hdr dive | RSS dive |"; sep="$sep--:|--:|"; fi
	[ -n "$IMAGES" ] && echo "$hdr" && echo "$sep"
	for img in $IMAGES; do
		row="| $img | $(v "${LAYERS[$img]:-}") | $(v "${ENTRIES[$img]:-}") | $(v "$(mb "${UNC[$img]:-}")") | $(secs "${T[$img/floor]:-}") | $(secs "${T[$img/floor-hash]:-}")"
		row="$row | $(secs "${T[$img/cold]:-}") | $(ratio "${T[$img/cold]:-}" "${T[$img/floor]:-}") | $(secs "${T[$img/noverify]:-}")"
		row="$row | $(secs "${T[$img/warm]:-}") | $(ratio "${T[$img/warm]:-}" "${T[$img/cold]:-}") | $(secs "${T[$img/crane-warm]:-}") | $(ratio "${T[$img/crane-warm]:-}" "${T[$img/cold]:-}")"
		row="$row | $(secs "${T[$img/v2]:-}") | $(rss "${M[$img/cold]:-}") | $(perentry "${M[$img/cold]:-}" "${ENTRIES[$img]:-}") | $(rss "${M[$img/floor]:-}") |"
		if [ "$DIVE" = 1 ]; then row="$row $(secs "${T[$img/dive]:-}") | $(rss "${M[$img/dive]:-}") |"; fi
		echo "$row"
	done
	if [ -n "$REG_TOC" ]; then
		echo
		echo "Registry reads by table of contents (bench/toc, large; fastest of $N):"
		echo
		echo "$REG_TOC"
	fi
	if [ -n "$REG_OPEN" ]; then
		echo
		echo "Opening one file from the middle of a registry layer, warm cache (bench/open):"
		echo
		echo "$REG_OPEN"
	fi
	if [ ${#NOTES[@]} -gt 0 ]; then
		echo
		for n in "${NOTES[@]}"; do echo "- $n"; done
	fi
	[ "$STRATA" = 1 ] || echo "- strata did not build: no strata rows"
} | tee "$RES"
echo "(saved to $RES)" >&2

if [ "$FAILED" = 1 ]; then
	echo "run.sh: some steps failed (see messages above)" >&2
	exit 1
fi
