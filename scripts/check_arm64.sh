#!/usr/bin/env bash
# Prove the assistant installs and runs on arm64 (a Raspberry Pi 4 or 5 with Raspberry Pi
# OS bookworm, which is Debian bookworm) without a Pi: build a Debian bookworm arm64 root
# with debootstrap (its --foreign first stage here, the second under qemu-aarch64-static),
# install the project into it with the same scripts/setup.sh a Pi runs, and there run
# `grounding check`, `say pause --dry-run`, `detect` on a recording of a default phrase (it
# must be heard) and `run --input ... --fast` (a trigger and its routine must show). It
# prints the real-time factor measured under emulation, and how much slower emulation is
# than this machine on a numpy reference, to relate it to a real Pi.
#
#   sudo scripts/check_arm64.sh            # the root is kept in build/arm64 for next time
#   sudo scripts/check_arm64.sh --quick    # without the four-times recording and timings (CI)
#   ARM64_BUDGET=2100 sudo scripts/check_arm64.sh --quick   # give up (exit 124) after 35 minutes
#
# Exit: 0 passed, 1 failed, 77 this machine cannot run it (said in one sentence), 124 its
# budget ran out (each step inside is cut at what is left of it; whatever ran in the arm64 root
# is stopped and its mounts are taken away before it exits, however it ends).
set -uo pipefail
quick=0
[ "${1:-}" = --quick ] && quick=1
deadline=$(( $(date +%s) + ${ARM64_BUDGET:-86400} ))
cd "$(dirname "$0")/.."
project=$(pwd)
root=$(realpath -m "${ARM64_ROOT:-$project/build/arm64}")
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
say() { echo "check_arm64: $*" >&2; }
cannot() { say "$*"; exit 77; }
left() { local s=$(( deadline - $(date +%s) )); echo $(( s > 1 ? s : 1 )); }  # never 0: no limit
expired() { [ "$(date +%s)" -ge "$deadline" ]; }
out_of_time() { say "out of time (ARM64_BUDGET=${ARM64_BUDGET:-} s) during: $1"; exit 124; }

[ "$(id -u)" = 0 ] || cannot "this needs root (debootstrap and chroot); run it with sudo."
[ "$(uname -m)" = x86_64 ] || [ "$(uname -m)" = aarch64 ] || cannot "only x86_64 or arm64 hosts."

# -- the tools: debootstrap and the arm64 emulator, registered with the kernel ------------------
missing=()
for p in debootstrap qemu-user-static binfmt-support; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null; } ||
        cannot "the packages ${missing[*]} could not be installed."
fi
if [ "$(uname -m)" = x86_64 ]; then
    if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null ||
            cannot "binfmt_misc cannot be mounted here, so arm64 programs cannot run."
    fi
    if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
        update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 ||
            update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
    fi
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
        cannot "qemu-aarch64 could not be registered with binfmt_misc."
fi

cleanup() {  # stop whatever still runs in the root, then take its mounts away
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
    sleep 1
    umount "$root/dev" 2>/dev/null || umount -l "$root/dev" 2>/dev/null
    umount "$root/proc" 2>/dev/null || umount -l "$root/proc" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 124' TERM INT

# -- the arm64 root --------------------------------------------------------------------------------
for m in dev proc; do  # a run cut short may have left them mounted
    mountpoint -q "$root/$m" 2>/dev/null && umount "$root/$m"
done
if [ ! -x "$root/usr/bin/python3" ] || [ ! -e "$root/.complete" ]; then
    rm -rf --one-file-system "$root"
    mkdir -p "$root"
    say "debootstrap, first stage (bookworm, arm64)"
    timeout -k 10 "$(left)" debootstrap --arch=arm64 --foreign --variant=minbase \
        --include=python3,python3-venv,ca-certificates,sudo bookworm "$root" "$mirror" \
        >"$root.log" 2>&1 ||
        { expired && out_of_time "debootstrap"; say "debootstrap failed (see $root.log)"; exit 1; }
    cp /usr/bin/qemu-aarch64-static "$root/usr/bin/" 2>/dev/null || true
    say "debootstrap, second stage (under qemu-aarch64-static)"
    timeout -k 10 "$(left)" chroot "$root" /debootstrap/debootstrap --second-stage >>"$root.log" 2>&1 ||
        { expired && out_of_time "debootstrap's second stage"
          say "the second stage failed (see $root.log)"; exit 1; }
    echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
    touch "$root/.complete"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# The host's trust: where the registries are reached through a proxy with its own
# certificate authority, the root must trust it too (a Pi on a home network needs none).
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
fi
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
inside() {  # a command inside the root, cut at what is left of the budget
    expired && return 124
    timeout -k 10 "$(left)" chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 GROUNDING_DATA=/root/grounding-data \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_DEFAULT_TIMEOUT=180 bash -c "$1"
}
[ "$(inside 'uname -m')" = aarch64 ] || { say "the root does not run as arm64"; exit 1; }

# -- the project, installed as on a Pi ---------------------------------------------------------------
say "copying the project (what git tracks) to /opt/grounding"
mkdir -p "$root/opt/grounding"  # over an earlier copy: its .venv is kept, as on a Pi
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$root/opt/grounding"
say "scripts/setup.sh inside (apt-get and pip under emulation: the slow part)"
started=$(date +%s)
inside "cd /opt/grounding && bash scripts/setup.sh" >"$root.setup.log" 2>&1
code=$?
[ "$code" = 124 ] || [ "$code" = 137 ] && out_of_time "scripts/setup.sh inside"
[ "$code" = 0 ] ||
    { say "scripts/setup.sh failed inside (see $root.setup.log)"; tail -5 "$root.setup.log" >&2
      exit 1; }
say "set up in $(( $(date +%s) - started )) s"

# -- the checks ---------------------------------------------------------------------------------------
status=0
check() {  # name, command inside; its output in $out
    local name=$1 code; shift
    out=$(inside "cd /opt/grounding && $*" 2>&1); code=$?
    if [ "$code" = 0 ]; then say "ok: $name"
    elif [ "$code" = 124 ] || [ "$code" = 137 ]; then out_of_time "$name"
    else say "FAILED: $name"; echo "$out" | tail -5 >&2; status=1; fi
}
check "grounding check" ".venv/bin/grounding check"
check "say pause --dry-run" ".venv/bin/grounding say pause --dry-run"
echo "$out" | grep -q "0:00.3" || { say "FAILED: the pause routine's timeline"; status=1; }
# A recording of a default phrase, said by flite (installed by setup.sh), with silence around it.
check "a recording" "flite -voice slt -t 'stop everything' -o /tmp/phrase.wav && .venv/bin/python \
  -c \"import numpy as np, soundfile as sf; x, r = sf.read('/tmp/phrase.wav'); z = np.zeros(r); \
sf.write('/tmp/said.wav', np.concatenate([z, x, z, z, z, z, z, z]), r)\""
began=$(date +%s.%N)
check "detect hears it" ".venv/bin/grounding detect /tmp/said.wav"
short=$(python3 -c "print($(date +%s.%N) - $began)")
echo "$out" | grep -q '"intent": "pause"' || { say "FAILED: 'stop everything' was not heard: $out"
                                                status=1; }
if [ "$quick" = 0 ]; then
# The same recording four times over: the difference in time is the hearing alone, without
# the start-up (loading the models), which both runs pay once.
check "a longer recording" ".venv/bin/python -c \"import numpy as np, soundfile as sf; \
x, r = sf.read('/tmp/said.wav'); sf.write('/tmp/long.wav', np.tile(x, 4), r)\""
began=$(date +%s.%N)
check "detect hears it four times" ".venv/bin/grounding detect /tmp/long.wav"
long=$(python3 -c "print($(date +%s.%N) - $began)")
[ "$(echo "$out" | grep -o '"intent": "pause"' | wc -l)" = 4 ] ||
    { say "FAILED: not heard four times in the longer recording: $out"; status=1; }
fi
began=$(date +%s.%N)
check "run --input --fast" ".venv/bin/grounding run --input /tmp/said.wav --fast \
  --output /tmp/out.wav --events /tmp/ev.jsonl"
wall=$(python3 -c "print($(date +%s.%N) - $began)")
events=$(cat "$root/tmp/ev.jsonl" 2>/dev/null)
echo "$events" | grep -q '"event": "trigger", "intent": "pause"' &&
    echo "$events" | grep -q '"event": "routine_start", "routine": "pause"' ||
    { say "FAILED: run's events show no pause trigger and routine"; status=1; }

# -- how fast, under emulation, and against this machine ---------------------------------------------
if [ "$quick" = 1 ]; then
    [ "$status" = 0 ] && say "passed (quick: no timing)" || say "failed"
    exit "$status"
fi
seconds=$(inside "cd /opt/grounding && .venv/bin/python -c \"import soundfile as sf; \
i = sf.info('/tmp/said.wav'); print(i.frames / i.samplerate)\"" 2>/dev/null)
reference='import numpy as np, time; a = np.random.default_rng(0).random((300, 300)); \
t = time.perf_counter(); [a @ a for _ in range(30)]; print(time.perf_counter() - t)'
here=$(python3 -c "$reference" 2>/dev/null || .venv/bin/python -c "$reference")
there=$(inside "/opt/grounding/.venv/bin/python -c '$reference'")
python3 - "$seconds" "$wall" "$here" "$there" "$short" "$long" <<'EOF'
import sys
audio, wall, here, there, short, long = map(float, sys.argv[1:])
ratio = there / here
print(f"check_arm64: run --input --fast: {wall:.1f} s for {audio:.1f} s of audio (start-up "
      f"included)", file=sys.stderr)
print(f"check_arm64: detect: {short:.1f} s for {audio:.1f} s, {long:.1f} s for {4 * audio:.1f} s: "
      f"hearing alone {(long - short) / (3 * audio):.2f} of real time under emulation "
      f"(start-up about {short - (long - short) / 3:.0f} s)", file=sys.stderr)
print(f"check_arm64: numpy reference (30 products of 300x300): {here * 1000:.0f} ms here, "
      f"{there * 1000:.0f} ms emulated: emulation is {ratio:.0f} times slower", file=sys.stderr)
EOF
[ "$status" = 0 ] && say "passed" || say "failed"
exit "$status"
