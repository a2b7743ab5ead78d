#!/usr/bin/env bash
# shellcheck disable=SC2016 # setup snippets in single quotes are eval-ed inside their case
# Hostile-input campaign against hh-fd, hh-pinn, hh-fhn and convergence: the guarantees of
# README.md ("Guarantees", "On a cluster", "Command-line tools") under input that an attacker or
# a careless user gives.
#
#   scripts/campaign.sh [BIN_DIR]      # default: target/debug of this repository; never builds
#
# Every case runs in a fresh directory under one `mktemp -d` root (removed at exit), with
# `timeout`, stdin from /dev/null and a virtual-memory cap. Prints one line per failed case, a
# tally per class and `campaign: N passed, M failed`; exits 1 when a case failed, 2 when it
# cannot run. A refused input must exit 2, name the field the user wrote and write nothing.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${1:-$REPO/target/debug}
for b in hh-fd hh-pinn hh-fhn convergence; do
  if [[ ! -f $BIN/$b || ! -x $BIN/$b ]]; then
    echo "campaign: no binary $BIN/$b; build the workspace first (this script never builds)" >&2
    exit 2
  fi
done
BIN=$(cd "$BIN" && pwd)
HEAD=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)
PY=$(python3 -c 'import sys; print(sys.executable)') || { echo "campaign: needs python3" >&2 && exit 2; }
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/campaign.XXXXXX")
trap 'cd / && rm -rf "$ROOT"' EXIT
export RUST_BACKTRACE=0 # stderr tails show the panic message, not a backtrace
START=$SECONDS
T_RUN=20          # seconds a run may take; a timeout is a failed case ("hang")
T_REFUSE=8        # seconds for a run that must be refused before any work
MEM_CAP=2000000   # KiB of address space of every run: a runaway allocation stays off the machine
MEM_SMALL=1000000 # KiB for class 6 (a tiny run needs about 250 MB of address space)
CLASSES=([1]="writes outside --out" [2]="convergence --out" [3]="leftover sweep"
  [4]="checkpoint-dir via links" [5]=panics [6]="memory-limit aborts" [7]=hangs
  [8]="exit codes and names" [9]="data files" [10]="untrusted stores" [11]=names)
HELD=() FAILED=() N=0

# --- cases and expectations -------------------------------------------------------------------

begin() { # begin CLASS NAME: a fresh case directory $C; commands run in $W = $C/w
  CLASS=$1 NAME=$2 PROBLEMS=() RC='' SNAP='' RCS=() N=$((N + 1))
  C=$ROOT/c/$N W=$ROOT/c/$N/w OUT=$ROOT/log/$N.out ERR=$ROOT/log/$N.err
  mkdir -p "$W" "$ROOT/log" && : >"$OUT" && : >"$ERR" && cd "$W" || exit 2
  ROOTLS=$(LC_ALL=C ls -A /)
}
problem() { PROBLEMS+=("$*"); }
rootcheck() { # nothing new in /: what a run (as root) created there is reported and removed
  local new e
  new=$(LC_ALL=C comm -13 <(printf '%s\n' "$ROOTLS") <(LC_ALL=C ls -A /))
  [[ -n $new ]] || return 0
  problem "wrote into /: $(tr '\n' ' ' <<<"$new")"
  while read -r e; do
    [[ $e =~ ^\.?(convergence|README\.md|manifest\.json|structure\.json)|\.(csv|json|md)$ ]] && rm -rf "/${e:?}"
  done <<<"$new"
}
finish() { # one line per failed case, with what happened
  rootcheck
  cd "$ROOT" && rm -rf "$C" || exit 2
  if ((${#PROBLEMS[@]} == 0)); then HELD[CLASS]=$((${HELD[CLASS]:-0} + 1)) && return; fi
  FAILED[CLASS]=$((${FAILED[CLASS]:-0} + 1))
  local text
  printf -v text '%s; ' "${PROBLEMS[@]}"
  printf 'FAIL class %s | %s | %s\n' "$CLASS" "$NAME" "${text%; }"
}
tail_err() { grep -v '^\s*$' "$ERR" | tail -c 200 | tr '\n\t' '  '; }
# run [-t SECS] [-m KIB] [-o STDOUT] [-e VAR=VALUE] EXE ARGS...: $BIN/EXE in $W; sets RC
run() {
  local t=$T_RUN mem=$MEM_CAP out=$OUT envs=()
  while :; do
    case $1 in -t) t=$2 ;; -m) mem=$2 ;; -o) out=$2 ;; -e) envs+=("$2") ;; *) break ;; esac
    shift 2
  done
  { (ulimit -v "$mem" && exec env "${envs[@]}" timeout -k 2 "$t" "$BIN/$1" "${@:2}") \
    </dev/null >"$out" 2>"$ERR"; } 2>/dev/null # (and no "Aborted" notice from bash)
  RC=$? && sane
}
closed() { # closed FD EXE ARGS...: EXE's stdout (FD 1) or stderr (FD 2) is a pipe nobody reads
  { (ulimit -v "$MEM_CAP" && exec "$PY" -S "$ROOT/tool.py" closed "$1" \
    timeout -k 2 "$T_REFUSE" "$BIN/$2" "${@:3}") </dev/null >"$OUT" 2>"$ERR"; } 2>/dev/null
  RC=$? && sane
}
sane() { # no panic, abort, hang or kill, whatever the case expects
  case $RC in
    124 | 137) problem "hang or kill (exit $RC at the timeout)" ;;
    101) problem "panicked (exit 101): $(tail_err)" ;;
    134 | 139) problem "killed by SIG$(kill -l $((RC - 128))) (exit $RC): $(tail_err)" ;;
    *) ! grep -q panicked "$ERR" || problem "panicked (exit $RC): $(tail_err)" ;;
  esac
}
crashed() { [[ $RC =~ ^(101|124|134|137|139)$ ]]; }
expect_rc() { # expect_rc CODE...: the exit code is one of these
  [[ " $* " == *" $RC "* ]] || crashed || problem "exit $RC (want ${*}): $(tail_err)"
}
expect_mentions() { # expect_mentions ERE: stderr matches
  grep -Eq -- "$1" "$ERR" || crashed || problem "stderr does not name /$1/: $(tail_err)"
}
sig() { # the tree under $1: path, mode, type, link target and content of every entry
  (cd "$1" && find . -printf 'E %p %m %y %l\n' && find . -type f -exec sha256sum {} + |
    awk '{ print "H", $2, $1 }') | LC_ALL=C sort
}
snap() { SNAP=$(sig "$C"); }
changed() { diff <(printf '%s\n' "$SNAP") <(sig "$C") | awk '/^[<>]/ { print $3 }' | sort -u; }
expect_unchanged() { # nothing in the case directory was created, removed or modified
  local d
  d=$(changed | head -4 | tr '\n' ' ')
  [[ -z $d ]] || problem "files changed: $d"
}
changes_in() { # changes_in PATH...: the changed entries that are these paths of $W or inside them
  local p q
  while read -r p; do
    for q; do [[ $p == "./w/$q" || $p == "./w/$q/"* ]] && echo "$p" && break; done
  done < <(changed)
}
expect_only_under() { # expect_only_under PATH...: changes only inside these paths of $W
  local d
  d=$(comm -23 <(changed) <(changes_in "$@" | sort) | head -4 | tr '\n' ' ')
  [[ -z $d ]] || problem "changed outside $*: $d"
}
expect_kept() { # expect_kept ENTRY...: these entries of $W, and what they hold, are unchanged
  local d
  d=$(changes_in "$@" | head -4 | tr '\n' ' ')
  [[ -z $d ]] || problem "user entries changed: $d"
}
expect_files() { local f && for f; do [[ -f $f ]] || problem "no file $f"; done; }
refuse() { # refuse FIELD_ERE [-m KIB] EXE ARGS...: exit 2 naming the field, writing nothing
  snap
  run -t "$T_REFUSE" "${@:2}"
  expect_rc 2
  expect_mentions "$1"
  expect_unchanged
}
succeed() { run "$@"; expect_rc 0; }
many() { # many COUNT EXE ARGS...: COUNT concurrent runs; appends their exit codes to RCS
  local i pids=()
  for ((i = 0; i < $1; i++)); do
    (ulimit -v "$MEM_CAP" && exec timeout -k 2 "$T_RUN" "$BIN/$2" "${@:3}") \
      </dev/null >/dev/null 2>"$ERR.$i" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do
    wait "$i"
    RCS+=($?)
  done
  cat "$ERR".* >>"$ERR" && rm -f "$ERR".*
}
expect_all_ok() {
  local bad
  bad=$(printf '%s\n' "${RCS[@]}" | grep -cv '^0$')
  ((bad == 0)) || problem "$bad of ${#RCS[@]} runs failed: $(grep -m1 -h error "$ERR")"
  ! grep -q panicked "$ERR" || problem "a run panicked"
}

# --- a helper for JSON, npy, safetensors and CSV surgery --------------------------------------

cat >"$ROOT/tool.py" <<'EOF'
import csv, glob, io, json, os, struct, subprocess, sys
op, a = sys.argv[1], sys.argv[2:]
def load(p): return json.load(open(p, encoding="utf-8"))
def save(p, d): open(p, "w", encoding="utf-8").write(json.dumps(d, indent=2, ensure_ascii=False) + "\n")
if op == "closed":  # closed FD CMD...: run CMD with FD writing into a pipe nobody reads
    r, w = os.pipe(); os.close(r)
    rc = subprocess.call(a[1:], stdin=subprocess.DEVNULL, **{["stdout", "stderr"][a[0] == "2"]: w})
    sys.exit(128 - rc if rc < 0 else rc)
elif op == "shard" and a[1] == "nonutf8":  # shard PARTS.JSON nonutf8: bytes that are not UTF-8
    b = open(a[0], "rb").read()
    open(a[0], "wb").write(b.replace(b'"label": "', b'"label": "\xff\xfe', 1))
elif op == "shard":  # shard PARTS.JSON EDIT [VALUE]: tamper with the first table of the first part
    d = load(a[0]); part = d["parts"][0]; t = part["tables"][0]; row = t["rows"][0]; v = a[-1]
    if a[1] == "name": t["name"] = v
    elif a[1] == "cell": row[next(i for i, c in enumerate(row) if "Number" in c)] = {"Number": v}
    elif a[1] == "shortrow": row.pop()
    elif a[1] == "extrarow": t["rows"].append(list(row))
    elif a[1] == "extratable": part["tables"].append(dict(t, name="extra_table"))
    elif a[1] == "label": part["label"] = v
    elif a[1] == "index": part["index"] = int(v)
    save(a[0], d)
elif op == "first":  # first PARTS.JSON: the name of the table that `shard` edits
    print(load(a[0])["parts"][0]["tables"][0]["name"])
elif op == "npy":  # npy PATH HEADER N: an .npy file with this header dict and N f64 values
    h = a[1].encode() + b" "
    h += b" " * ((-(10 + len(h) + 1)) % 64) + b"\n"
    data = struct.pack("<%dd" % int(a[2]), *[0.5] * int(a[2]))
    open(a[0], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data)
elif op == "flip":  # flip FILE TENSOR: flip the lowest bit of one value in a safetensors file
    b = bytearray(open(a[0], "rb").read()); n = struct.unpack("<Q", b[:8])[0]
    lo, hi = json.loads(b[8:8 + n])[a[1]]["data_offsets"]
    b[8 + n + lo + (hi - lo) // 2 // 8 * 8] ^= 1
    open(a[0], "wb").write(b)
elif op == "model":  # model CKDIR MANIFEST: the checkpoint claims the model of another run
    p = os.path.join(a[0], "config.json"); d = load(p)
    d["model"] = load(a[1])["config"]["problem"]; save(p, d)
elif op == "get":  # get JSON KEY
    print(load(a[0]).get(a[1], ""))
elif op == "csvcheck":  # csvcheck DIR: per CSV, PATH <TAB> ok | what a parser misreads
    gone = set("~!@#$%^&*()-=+~\\|]}[{';: /?.>,<")  # numpy's NameValidator, genfromtxt's defaults
    def numpy_name(n):
        n = "".join(c for c in n.strip().replace(" ", "_") if c not in gone)
        return n + "_" if n.lower() in ("return", "file", "print") else n
    try:
        import numpy
    except ImportError:
        numpy = None
    for f in sorted(glob.glob(os.path.join(a[0], "**", "*.csv"), recursive=True)):
        text, why = open(f, encoding="utf-8", newline="").read(), []
        rows = list(csv.reader(io.StringIO(text)))
        head = rows[0] if rows else []
        short = [i for i, r in enumerate(rows[1:], 2) if len(r) != len(head)]
        if short: why.append("csv: rows %s have not the header's %d fields" % (short[:3], len(head)))
        naive = {len(l.split("#")[0].split(",")) for l in text.splitlines() if l.split("#")[0].strip()}
        if naive != {len(head)}:  # genfromtxt knows no quotes and cuts at '#'
            why.append("genfromtxt sees %s columns, csv %d" % (sorted(naive), len(head)))
        renamed = [(h, numpy_name(h)) for h in head if numpy_name(h) != h]
        if renamed: why.append("names change under genfromtxt: %s" % renamed[:3])
        if not head or len(set(head)) != len(head): why.append("no header, or repeated names")
        try:
            if numpy and list(numpy.genfromtxt(f, delimiter=",", names=True, dtype=None,
                                               encoding="utf-8").dtype.names or []) != head:
                why.append("numpy.genfromtxt reads other names")
        except Exception as e:
            why.append("numpy: %s" % e)
        print("%s\t%s" % (os.path.relpath(f, a[0]), "; ".join(why) or "ok"))
EOF
tool() { "$PY" -S "$ROOT/tool.py" "$@"; }

# --- fixtures, made once ----------------------------------------------------------------------

FX=$ROOT/fx
mkdir -p "$FX" "$ROOT/fakebin"
fixture() { # fixture WHAT EXE ARGS...: one run in $FX that must succeed
  local what=$1 exe=$2
  shift 2
  if ! (cd "$FX" && ulimit -v "$MEM_CAP" && exec timeout 60 "$BIN/$exe" "$@") \
    </dev/null >"$FX/log" 2>&1; then
    echo "campaign: cannot make the fixture '$what': $(tail -c 400 "$FX/log")" >&2
    exit 2
  fi
}
cat >"$FX/tiny.toml" <<'EOF'
# a sweep of 7 parts that runs in well under a second (the fields of profiles/quick.toml)
a_values = [0.1]
reference_grid = [16, 64]
grid_convergence = { a = 0.1, bc = ["dirichlet"], k = [5.0], nx = 8, nt = 8, levels = 2, theta = 0.5 }
k_convergence = { bc = ["dirichlet"], regularisation = ["lower"], k = [5.0], nx = 16, nt = 64 }
pinn = { presets = ["seed"], bc = ["dirichlet"], steps = { seed = 2 }, track_every = 1, k_sweep_preset = "seed", k_sweep_a = 0.1, k_sweep = [5.0] }
EOF
for i in 0 1; do
  fixture "shard $i/2" convergence --config tiny.toml --shard "$i/2" --out sh/rep
  parts=$(find "$FX/sh" -path "*shard-$i-of-2*" -name parts.json | head -1)
  [[ -n $parts ]] || { echo "campaign: shard $i/2 wrote no parts.json" >&2 && exit 2; }
  cp -a "$(dirname "$parts")" "$FX/s$i"
done
fixture "merged report" convergence --merge s0 s1 --out rep
fixture "hh-fd run" hh-fd solve --nx 16 --nt 16 --out fd
fixture "hh-pinn run" hh-pinn train --steps 2 --quiet --checkpoint-every 1 --out pinn
fixture "hh-fhn run" hh-fhn train --steps 2 --quiet --out fhn
"$BIN/hh-pinn" config --preset seed | sed 's/^steps = .*/steps = 2/' >"$FX/pinn.toml"
if "$BIN/hh-fhn" train --help | grep -q -- --checkpoint-every; then
  fixture "hh-fhn checkpoint" hh-fhn train --steps 2 --quiet --checkpoint-every 1 --out fhn
else # no checkpoints of its own: an hh-pinn checkpoint that names the FitzHugh–Nagumo model
  cp -a "$FX/pinn.checkpoint" "$FX/fhn.checkpoint"
  tool model "$FX/fhn.checkpoint" "$FX/fhn/manifest.json"
fi
printf '#!/bin/sh\necho 0000000000000000000000000000000000000000\n' >"$ROOT/fakebin/git"
chmod +x "$ROOT/fakebin/git"
T0=$(tool first "$FX/s0/parts.json") # the table that `tool shard` edits
shards() { cp -a "$FX/s0" "$FX/s1" "$W"/; }
leftovers() { # leftovers NAME: user entries next to NAME named like staging debris, in LEFT
  local e
  LEFT=()
  for e in old-backup partial-mine; do
    mkdir -p "$W/.$1.$e" && echo mine >"$W/.$1.$e/keep.txt" && echo mine >"$W/.$1.$e-file"
    LEFT+=(".$1.$e" ".$1.$e-file")
  done
}
TRAIN=(train --steps 2 --quiet)
tiny() { # tiny EXE [merge]: TINY=(the subcommand and flags of a run of milliseconds)
  case $1 in
    hh-fd | hh-fhn) TINY=(solve --nx 16 --nt 16) ;; hh-pinn) TINY=("${TRAIN[@]}") ;;
    *) TINY=() && [[ -z ${2:-} ]] || TINY=(--merge s0 s1) ;;
  esac
}

# rcase CLASS NAME SETUP FIELD_ERE [-m KIB] EXE ARGS...: SETUP, eval-ed in $W, then a run that
# must be refused (@W in ARGS is the case's $W); CHECK, when set, is eval-ed after it
rcase() {
  begin "$1" "$2"
  eval "$3"
  local args=("${@:5}")
  refuse "$4" "${args[@]//@W/$W}"
  eval "${CHECK:-:}"
  finish
}
q() { printf '%q ' "$@"; } # words quoted for eval

# --- 1: a merge writes only inside --out -------------------------------------------------------

for name in "@C/victim/pwned" ../victim/pwned ../../victim/pwned ../../../victim/pwned \
  a/b .. . "" / "x/../../victim/pwned" manifest; do
  rcase 1 "merge: table name '${name}'" 'shards
    for v in "$C/victim" "$W/victim" "$W/out/victim"; do mkdir -p "$v" && echo precious >"$v/pwned.csv"; done
    tool shard s0/parts.json name "${name/@C/$C}"' \
    'merge|parts\.json|s0' convergence --merge s0 s1 --out out/rep
done

# --- 2: convergence --out is the report's own directory ---------------------------------------

for spec in "a user dir holding convergence.md|mkdir d && echo mine >d/convergence.md|d" \
  "a user dir holding notes|mkdir d && echo mine >d/notes.txt|d" ".|:|." "..|:|.." \
  "a file|echo mine >f|f" "a link to an empty dir|mkdir e && ln -s e lnk|lnk" \
  'a link to a report|cp -a "$FX/rep" r && ln -s r lnk|lnk' "/dev/null|:|/dev/null"; do
  IFS='|' read -r name setup out <<<"$spec"
  rcase 2 "merge --out $name" "shards && $setup" '\bout\b' convergence --merge s0 s1 --out "$out"
done
rcase 2 "merge --out /" shards '\bout\b' convergence --merge s0 s1 --out / # (finish checks /)
report_ok() { # the directory $1 holds README.md, manifest.json and one report's entries
  expect_files "$1/README.md" "$1/manifest.json"
  local got want
  got=$(cd "$1" 2>/dev/null && find . | sort) want=$(cd "$FX/rep" && find . | sort)
  [[ $got == "$want" ]] || problem "$1 holds $(wc -l <<<"$got") entries, a report $(wc -l <<<"$want")"
}
for spec in "a new --out|new/rep|new|" "a previous report|rep|rep|rep" \
  "the default --out (results/convergence; its parent results/ is created)||results|"; do
  IFS='|' read -r name out top prev <<<"$spec"
  begin 2 "merge into $name"
  shards
  [[ -z $prev ]] || cp -a "$FX/rep" "$prev"
  snap
  succeed convergence --merge s0 s1 ${out:+--out "$out"}
  report_ok "${out:-results/convergence}"
  expect_only_under "$top"
  finish
done
for prev in "" rep; do
  begin 2 "8 concurrent merges into one --out (${prev:-absent}), 3 rounds"
  shards
  [[ -z $prev ]] || cp -a "$FX/rep" rep
  snap
  for _ in 1 2 3; do
    [[ -n $prev ]] || rm -rf rep
    many 8 convergence --merge s0 s1 --out rep
  done
  expect_all_ok
  report_ok rep
  expect_only_under rep
  finish
done

# --- 3: entries that look like leftovers are the user's ---------------------------------------

left() { # left NAME OUT PREVIOUS EXE ARGS...: a run beside user entries named like leftovers
  begin 3 "$1"
  [[ -z $3 ]] || cp -a "$FX/$3" "$2"
  leftovers "$2"
  [[ $4 != convergence ]] || shards
  snap
  succeed "${@:4}"
  expect_kept "${LEFT[@]}"
  finish
}
left "hh-fd solve over a previous run" out fd hh-fd solve --nx 16 --nt 16 --out out
left "hh-fd solve, no previous run" out "" hh-fd solve --nx 16 --nt 16 --out out
left "hh-pinn train over a previous run" out pinn hh-pinn "${TRAIN[@]}" --out out
left "hh-pinn checkpoints" out.checkpoint "" hh-pinn "${TRAIN[@]}" --checkpoint-every 1 --out out
left "hh-fhn solve" out "" hh-fhn solve --nx 16 --nt 16 --out out
left "hh-fhn train over a previous run" out fhn hh-fhn "${TRAIN[@]}" --out out
left "convergence merge over a report" rep rep convergence --merge s0 s1 --out rep
left "convergence merge, no report" rep "" convergence --merge s0 s1 --out rep
rcase 3 "a refused hh-fd run (--nx 1)" 'cp -a "$FX/fd" out && leftovers out' '\bnx\b' \
  hh-fd solve --nx 1 --out out
begin 3 "no out and a user dir .out.old-x: not renamed to out"
mkdir .out.old-x && echo mine >.out.old-x/keep.txt
snap
succeed hh-fd solve --nx 16 --nt 16 --out out
expect_kept .out.old-x
expect_files out/solution.npy
finish

# --- 4: --checkpoint-dir inside --out, reached through links ----------------------------------

ckcase() { # ckcase NAME SETUP ARGS...: over a previous run in out, refused naming checkpoint-dir
  rcase 4 "$1" "cp -a \"\$FX/pinn\" out && $2" checkpoint-dir hh-pinn "${TRAIN[@]}" \
    --checkpoint-every 1 "${@:3}"
}
ckcase "link to out, then ck" 'ln -s out lnk' --out out --checkpoint-dir lnk/ck
ckcase "linked parent of out" 'ln -s . here' --out out --checkpoint-dir here/out/ck
ckcase "out/../out/ck" : --out out --checkpoint-dir out/../out/ck
ckcase "absolute out, relative ck" : --out @W/out --checkpoint-dir out/ck
ckcase "out through a link, ck the real path" 'mkdir real && mv out real/ && ln -s real par' \
  --out par/out --checkpoint-dir real/out/ck
ckcase "ck is a link to out" 'ln -s out lnk' --out out --checkpoint-dir lnk
ckcase "absolute ck through a link" 'ln -s out lnk' --out out --checkpoint-dir @W/lnk/ck
ckcase "out inside ck through a link" 'cp -a "$FX/pinn.checkpoint" ck && ln -s ck ckl' \
  --out ckl/run --checkpoint-dir ck
if "$BIN/hh-fhn" train --help | grep -q -- --checkpoint-dir; then
  rcase 4 "hh-fhn: link to out, then ck" 'cp -a "$FX/fhn" out && ln -s out lnk' checkpoint-dir \
    hh-fhn "${TRAIN[@]}" --checkpoint-every 1 --out out --checkpoint-dir lnk/ck
fi
begin 4 "control: a checkpoint-dir beside out"
cp -a "$FX/pinn" out
succeed hh-pinn "${TRAIN[@]}" --checkpoint-every 1 --out out --checkpoint-dir ck
expect_files ck/checkpoint.safetensors
finish

# --- 5: closed pipes, full disks, grids that overflow -----------------------------------------

pipecase() { # pipecase NAME FD "EXITS" EXE ARGS...: output into a pipe whose reader is gone
  begin 5 "$1"
  [[ $4 != convergence ]] || shards
  closed "$2" "${@:4}"
  read -ra exits <<<"$3"
  expect_rc "${exits[@]}"
  finish
}
pipecase "hh-pinn presets | head -0" 1 "0 1 141" hh-pinn presets
pipecase "hh-pinn config --preset accurate | head -0" 1 "0 1 141" hh-pinn config --preset accurate
for b in hh-fd hh-pinn hh-fhn convergence; do
  pipecase "$b --version | head -0" 1 "0 1 141" "$b" --version
  tiny "$b" merge
  pipecase "$b ${TINY[0]}, stderr into a closed pipe" 2 "0 1 141" "$b" "${TINY[@]}" --out out
done
pipecase "hh-fd solve --nx 1, stderr into a closed pipe" 2 "2 141" hh-fd solve --nx 1 --out out
for cmd in "hh-pinn config --preset accurate" "hh-pinn presets" "hh-fd --help" \
  "hh-pinn --help" "hh-fhn --help" "convergence --help"; do
  begin 5 "$cmd > /dev/full"
  read -ra argv <<<"$cmd"
  run -t "$T_REFUSE" -o /dev/full "${argv[@]}"
  expect_rc 1
  expect_mentions 'space|full|error'
  finish
done
for spec in 'hh-fd|nx|g.json|{"grid": {"nx": 18446744073709551615, "nt": 16}}' \
  'hh-fd|nt|g.json|{"grid": {"nx": 16, "nt": 18446744073709551615}}' \
  'hh-fd|nx|g.toml|[grid]@nx = 4294967296@nt = 16' 'hh-fd|nt|g.toml|[grid]@nx = 16@nt = 4294967296' \
  'hh-fd|n[xt]|g.toml|[grid]@nx = 4294967296@nt = 4294967296' \
  'hh-fd|nt|g.toml|[grid]@nx = 16@nt = 9223372036854775807' \
  'hh-fhn|nx|g.json|{"grid": {"nx": 18446744073709551615, "nt": 16}}'; do
  IFS='|' read -r b field file text <<<"$spec"
  rcase 5 "$b --config: ${text//@/; }" 'tr @ "\n" <<<"$text" >"$file"' "\\b$field\\b" \
    "$b" solve --config "$file" --out out
done
sweepcase() { # sweepcase CLASS NAME FIELD SED [TOML] [KIB]: a sweep config that is refused
  # (--shard 0/9 runs one cheap part where the sweep is wrongly accepted)
  rcase "$1" "convergence --config: $2" "sed -e $(q "$4")\"\$FX/tiny.toml\" >w.toml &&
    printf '%s\n' $(q "${5:-}")>>w.toml" "$3" -m "${6:-$MEM_CAP}" convergence --config w.toml \
    --shard 0/9 --out out
}
WAVES=$'[waves]\nk = ["inf"]\nhorizon = 20.0\nrel_tol = 1e-3\nh = '
sweepcase 5 "waves.h = 1e-300" 'waves\.h' "" "${WAVES}1e-300"
sweepcase 5 "waves.h = 5e-324 (subnormal)" 'waves\.h' "" "${WAVES}5e-324"
sweepcase 5 "waves.h = 1e-9" 'waves\.h' "" "${WAVES}1e-9"
sweepcase 5 "k_convergence.nx = 2^32" 'k_convergence' 's/nx = 16,/nx = 4294967296,/'
sweepcase 5 "grid_convergence.nx = 2^40, 8 levels" 'grid_convergence' \
  's/nx = 8,/nx = 1099511627776,/; s/levels = 2,/levels = 8,/'

# --- 6: allocations beyond the process's own memory limit (ulimit -v) -------------------------

begin 6 "control: tiny runs work under the limit"
shards
for b in hh-fd hh-pinn hh-fhn convergence; do
  tiny "$b" merge
  run -m "$MEM_SMALL" "$b" "${TINY[@]}" --out "out-$b"
  expect_rc 0
done
finish
rcase 6 "hh-fd solve of 1.5 GB" : '\bn[xt]\b' -m "$MEM_SMALL" hh-fd solve --nx 4095 --nt 45000 --out out
rcase 6 "hh-fhn solve of 1.5 GB" : '\bn[xt]\b' -m "$MEM_SMALL" hh-fhn solve --nx 4095 --nt 22500 --out out
pinnmem() { # pinnmem NAME FIELD SED: the tiny training config, edited
  rcase 6 "hh-pinn train: $1" "sed -e $(q "$3")\"\$FX/pinn.toml\" >t.toml" "$2" -m "$MEM_SMALL" \
    hh-pinn train --config t.toml --quiet --out out
}
F64='s/^dtype = .*/dtype = "f64"/'
pinnmem "a network of 8 GB" 'network\.(width|depth)' \
  "s/^depth = .*/depth = 64/; s/^width = .*/width = 4096/; $F64"
pinnmem "a batch of 40 GB" 'sampler\.batch|network\.width' \
  "s/^batch = .*/batch = 1000000/; s/^width = .*/width = 1280/; s/^chunks = .*/chunks = 64/; $F64"
pinnmem "1e8 collocation points" 'sampler\.points' \
  '/^\[train.sampler\]/,/^\[/ s/^points = .*/points = 100000000/'
pinnmem "a Jacobian of 2.5 TB" 'second_order|network\.width' 's/^width = .*/width = 1024/
  /^\[train.second_order\]/,/^\[/ { s/^iterations = .*/iterations = 1/; s/^points = .*/points = 100000/; }
  /^\[train.second_order.coarse\]/,$ s/^points = .*/points = 1/; s/^initial_form = .*/initial_form = "pointwise"/'
# shellcheck disable=SC2034 # (used in the eval-ed setups)
declare -A NPY=(
  [repeated]="{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'shape': (1000000000000,), }"
  [valid-looking]="{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }")
for b in hh-fd hh-pinn hh-fhn; do
  tiny "$b"
  for kind in repeated valid-looking; do
    rcase 6 "$b --ic npy: a $kind header claiming 8e12 bytes, 3 values" \
      'tool npy u0.npy "${NPY[$kind]}" 3' '\bic\b' -m "$MEM_SMALL" "$b" "${TINY[@]}" --ic npy:u0.npy --out out
  done
done
sweepcase 6 "reference_grid of 1.5 GB" 'reference_grid' \
  's/^reference_grid = .*/reference_grid = [4095, 45000]/' "" "$MEM_SMALL"
NONUNIQUE=$'[nonuniqueness]\nplateau = 0.5\nfamily_a = 0.25\nfamily_t_end = 2.0\nsteps = 2\nfd = '
sweepcase 6 "nonuniqueness.fd of 4 GB" 'nonuniqueness\.fd' "" "${NONUNIQUE}[65536, 8192]" "$MEM_SMALL"

# --- 7: FIFOs, devices and directories where a file is read -----------------------------------

special() { # special KIND PATH: make PATH a FIFO, a link to /dev/zero or a directory
  rm -rf "$2"
  case $1 in fifo) mkfifo "$2" ;; zero) ln -s /dev/zero "$2" ;; dir) mkdir "$2" ;; esac
}
unread() { ! grep -qi 'out of memory' "$ERR" || problem "read it until out of memory: $(tail_err)"; }
devcase() { CHECK=unread rcase 7 "$@"; } # refused before reading, not when memory ran out
for kind in fifo zero dir; do
  for f in checkpoint.safetensors config.json; do
    devcase "hh-pinn --resume: $f is a $kind" 'cp -a "$FX/pinn.checkpoint" ck && special "$kind" "ck/$f"' \
      'resume|checkpoint' hh-pinn train --resume ck --steps 3 --quiet --out out
  done
  for b in hh-fd hh-pinn hh-fhn convergence; do
    tiny "$b"
    devcase "$b --config: a $kind" 'special "$kind" cfg.toml' '\bconfig\b' "$b" "${TINY[@]}" \
      --config cfg.toml --out out
  done
  for b in hh-fd hh-pinn; do
    tiny "$b"
    devcase "$b --ic npy: a $kind" 'special "$kind" u0.npy' '\bic\b' "$b" "${TINY[@]}" --ic npy:u0.npy --out out
  done
  devcase "merge: parts.json is a $kind" 'shards && special "$kind" s0/parts.json' 'merge|parts\.json' \
    convergence --merge s0 s1 --out rep
done
rcase 7 "hh-pinn --resume: the directory is a FIFO" 'mkfifo ck' resume \
  hh-pinn train --resume ck --steps 3 --quiet --out out

# --- 8: exit codes, and messages that name what the user wrote --------------------------------

mergecase() { # mergecase CLASS NAME FIELD [EDIT [VALUE]]: a merge of a tampered shard 0
  rcase "$1" "merge: $2" "shards && tool shard s0/parts.json $(q "${@:4}")" "$3" \
    convergence --merge s0 s1 --out rep
}
WHERE="s0/parts\.json.*$T0.*row|s0/parts\.json.*row.*$T0" # the file, the table and the row
mergecase 8 "a cell that is not a number" "$WHERE" cell abc
mergecase 8 "a short row" "$WHERE" shortrow
mergecase 8 "non-UTF-8 bytes in parts.json" 's0/parts\.json' nonutf8
rcase 8 "merge: a missing part (shard 1 of 2 absent)" shards part convergence --merge s0 --out rep
rcase 8 "merge: a repeated shard" shards s0 convergence --merge s0 s1 s0 --out rep
rcase 8 "merge: a repeated part (a copy of shard 0)" 'shards && cp -a s0 s0b' s0 \
  convergence --merge s0 s1 s0b --out rep
sweepcase 8 "reference_grid = [2, 8]" 'reference_grid' 's/^reference_grid = .*/reference_grid = [2, 8]/'
sweepcase 8 "grid_convergence.nx = 2" 'grid_convergence\.nx' 's/nx = 8,/nx = 2,/'
sweepcase 8 "k_convergence.nt = 0" 'k_convergence\.nt' 's/nt = 64 /nt = 0 /'
sweepcase 8 "a_values = [nan]" 'a_values' 's/^a_values = .*/a_values = [nan]/'
for eps in 1e-4 1e-300 -1 nan; do
  rcase 8 "hh-fhn train --eps $eps" : '\beps\b' hh-fhn train --eps "$eps" --steps 2 --quiet --out out
done
rcase 8 "hh-fhn train --preset accurate" : preset hh-fhn "${TRAIN[@]}" --preset accurate --out out
rcase 8 "hh-pinn train --preset nonsense" : preset hh-pinn "${TRAIN[@]}" --preset nonsense --out out
rcase 8 "hh-pinn train --resume: a checkpoint of hh-fhn" 'cp -a "$FX/fhn.checkpoint" ck' resume \
  hh-pinn train --steps 3 --quiet --resume ck --out out
rcase 8 "hh-fhn train --resume: a checkpoint of hh-pinn" 'cp -a "$FX/pinn.checkpoint" ck' resume \
  hh-fhn train --steps 3 --quiet --resume ck --out out

# --- 9: CSV files under results/ read alike by csv and numpy.genfromtxt -----------------------

while IFS=$'\t' read -r f verdict; do
  begin 9 "results/$f"
  [[ $verdict == ok ]] || problem "$verdict"
  finish
done < <("$PY" "$ROOT/tool.py" csvcheck "$REPO/results")

# --- 10: tampered shard stores and checkpoints; concurrent runs -------------------------------

mergecase 10 "an extra row" 's0' extrarow
mergecase 10 "an extra table" 's0' extratable
mergecase 10 "a number that is inf" 's0' cell inf
mergecase 10 "a number that is NaN" 's0' cell NaN
mergecase 10 "a number that overflows (1e400)" 's0' cell 1e400
mergecase 10 "a false label" 's0' label "PINN accurate, free, a = 0.3"
mergecase 10 "a part index out of range" 's0' index 99
mergecase 10 "a part index of 2^64 - 1" 's0' index 18446744073709551615
mergecase 10 "a part index beyond u64" 's0' index 1000000000000000000000000000000
rcase 10 "hh-pinn --resume: one flipped bit in the weights" 'cp -a "$FX/pinn.checkpoint" ck
  tool flip ck/checkpoint.safetensors theta' 'resume|checkpoint' hh-pinn train --steps 3 --quiet \
  --resume ck --out out
for prev in "" fd; do
  begin 10 "12 concurrent hh-fd solves on one --out (${prev:-absent}), 3 rounds"
  [[ -z $prev ]] || cp -a "$FX/fd" out
  snap
  for _ in 1 2 3; do
    [[ -n $prev ]] || rm -rf out
    many 12 hh-fd solve --nx 16 --nt 16 --out out
  done
  expect_all_ok
  expect_files out/solution.npy out/manifest.json
  expect_only_under out
  finish
done
begin 10 "6 concurrent hh-pinn trainings on one --out, 2 rounds"
snap
many 6 hh-pinn "${TRAIN[@]}" --out out && many 6 hh-pinn "${TRAIN[@]}" --out out
expect_all_ok
expect_only_under out
finish

# --- 11: long names; the manifest's git revision ----------------------------------------------

for len in 240 250 255; do
  begin 11 "hh-fd --out of a $len-byte name"
  name=$(printf "%${len}s" '' | tr ' ' n)
  snap
  succeed hh-fd solve --nx 16 --nt 16 --out "$name"
  expect_files "$name/manifest.json"
  expect_only_under "$name"
  finish
done
rcase 11 "hh-fd --out of a 256-byte name" : '\bout\b' hh-fd solve --nx 16 --nt 16 \
  --out "$(printf '%256s' '' | tr ' ' n)"
for b in hh-fd hh-pinn convergence; do
  begin 11 "fake git first on PATH: $b"
  tiny "$b" merge
  [[ $b != convergence ]] || shards
  succeed -e "PATH=$ROOT/fakebin:$PATH" "$b" "${TINY[@]}" --out out
  rev=$(tool get "$(find out -maxdepth 2 -name manifest.json | head -1)" git_revision 2>/dev/null)
  [[ $rev != 0000000000* ]] || problem "git_revision is the fake one: $rev"
  [[ $HEAD == unknown || $rev == "$HEAD"* ]] || problem "git_revision '$rev' is not HEAD $HEAD"
  finish
done

# --- tally ------------------------------------------------------------------------------------

passed=0 failed=0
for c in "${!CLASSES[@]}"; do
  printf 'class %s %s: %d held, %d failed\n' "$c" "${CLASSES[c]}" "${HELD[c]:-0}" "${FAILED[c]:-0}"
  passed=$((passed + ${HELD[c]:-0})) failed=$((failed + ${FAILED[c]:-0}))
done
echo "campaign time: $((SECONDS - START)) s"
echo "campaign: $passed passed, $failed failed"
((failed == 0))
