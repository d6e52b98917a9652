#!/usr/bin/env bash
# Install what the assistant needs on Debian, Ubuntu or Raspberry Pi OS, once:
# system audio and speech libraries (apt-get) and a Python virtual environment
# in .venv with the project in it. With --test, also what the tests use.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# flite and espeak-ng also speak the phrases the embedding engine learns from.
# libseccomp2 lets it shut off the network for the whole process (pyseccomp loads it);
# libspeexdsp1 is the echo canceller that takes its own voice out of the microphone.
packages=(espeak-ng flite libportaudio2 libseccomp2 libspeexdsp1)
extra=""
if [ "${1:-}" = "--test" ]; then
    # PulseAudio gives tests a virtual sound card; strace shows they never go online.
    packages+=(pulseaudio pulseaudio-utils strace)
    extra="[test]"
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}" >&2
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
        echo "Please install these packages as root: ${missing[*]}" >&2; exit 1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
        rm -rf .venv
        echo "Installing python3-venv" >&2
        if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
        $sudo apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv .venv
    fi
fi
stamp=".venv/.installed$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing Python packages into .venv" >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extra"
    touch "$stamp"
fi
