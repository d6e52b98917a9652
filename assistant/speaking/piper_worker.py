# SPDX-License-Identifier: GPL-3.0-or-later
"""The Piper voice, as a program of its own: text in, samples out.

This file is a separate program, licensed GPL-3.0-or-later because it uses the
``piper-tts`` package (GPL-3.0-or-later). The assistant (MIT) never imports it: it runs
it as a child process (``speaking/piper.py``) and talks to it through a pipe, so the two
licences stay apart, as they do with the espeak-ng program.

Usage: ``python piper_worker.py MODEL.onnx CONFIG.json``. It loads the voice on one
thread and answers ``{"ready": true, "rate": 22050}``. Then, for each line of JSON on
stdin, ``{"text": ..., "length_scale": 1.0, "gap": 0.5}``, it writes one line of JSON,
``{"samples": N}``, followed by N little-endian 16-bit samples (the sentences of the text
said with ``gap`` seconds of quiet between them), or ``{"error": "..."}``. It ends when
stdin closes.
"""
import json
import sys
from pathlib import Path


def main() -> int:
    model, config = sys.argv[1:3]
    # Run by its path, its own folder comes first on the path, where the assistant's
    # ``piper.py`` would hide the ``piper`` package.
    if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        sys.path.pop(0)
    import numpy as np
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig, SynthesisConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # the listening keeps the other core
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False  # memory back after each sentence, not kept
    options.enable_mem_pattern = False
    with open(config, encoding="utf-8") as f:
        settings = PiperConfig.from_dict(json.load(f))
    voice = PiperVoice(session=onnxruntime.InferenceSession(
        model, sess_options=options, providers=["CPUExecutionProvider"]), config=settings)
    out = sys.stdout.buffer

    def answer(head: dict, body: bytes = b"") -> None:
        out.write(json.dumps(head).encode() + b"\n" + body)
        out.flush()

    answer({"ready": True, "rate": settings.sample_rate})
    for line in sys.stdin.buffer:
        try:
            ask = json.loads(line)
            quiet = np.zeros(int(float(ask.get("gap", 0.0)) * settings.sample_rate), np.int16)
            parts: list = []
            for chunk in voice.synthesize(ask["text"], syn_config=SynthesisConfig(
                    length_scale=float(ask.get("length_scale", 1.0)))):
                parts += [quiet, chunk.audio_int16_array] if parts else [chunk.audio_int16_array]
            sound = np.concatenate(parts) if parts else np.zeros(0, np.int16)
        except Exception as exc:  # noqa: BLE001 - told to the assistant, which goes on
            answer({"error": f"{type(exc).__name__}: {exc}"})
            continue
        answer({"samples": len(sound)}, sound.astype("<i2").tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
