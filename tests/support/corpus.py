"""What the benchmarks and tests know about the shared recordings in ``../shared/speech``."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHARED = Path(os.environ.get("GROUNDING_SHARED", ROOT.parent / "shared")) / "speech"

#: Words of the Speech Commands recordings that are not commands in the benchmarks: never
#: spoken while the embedding engine learns for a benchmark, so the benchmark stays a test on
#: words the classifier has never been taught.
HELD_OUT = frozenset("bed bird cat dog happy house marvin sheila tree wow zero one two three "
                     "four five six seven eight nine".split())
