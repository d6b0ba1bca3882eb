#!/usr/bin/env python3
"""The fastdtw package's C extension on every pair of sequences in DIR (yasr's FastDTW reference).

Usage: python3 fastdtw_pairs.py DIR [--radius R]

DIR holds NAME.f32 files: frame-major float32 sequences ([T, D] row by row) and dims.json
({"NAME": D, ...}). Each pair i < j (sorted names) is aligned by fastdtw._fastdtw.fastdtw with
the Euclidean local cost (dist=2: the p-norm computed inside the C loop; a Python callable would
cost one call per cell). Prints one JSON line: pairs, seconds (the loop), seconds_process,
cpu_seconds, and every distance as [name_i, name_j, d].
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402

try:
    # the compiled function itself: importing the submodule fastdtw.fastdtw would shadow it
    from fastdtw._fastdtw import fastdtw as c_fastdtw  # noqa: E402
except ImportError as e:  # pragma: no cover
    raise SystemExit(f'fastdtw C extension not importable: {e}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('dir')
    ap.add_argument('--radius', type=int, default=1)
    a = ap.parse_args()
    with open(os.path.join(a.dir, 'dims.json')) as fh:
        dims = json.load(fh)
    names = sorted(dims)
    seqs = [np.fromfile(os.path.join(a.dir, n + '.f32'), dtype='<f4').reshape(-1, dims[n]).astype(np.float64) for n in names]
    out = []
    t0 = time.perf_counter()
    for i in range(len(seqs)):
        for j in range(i + 1, len(seqs)):
            d, _ = c_fastdtw(seqs[i], seqs[j], radius=a.radius, dist=2)
            out.append([names[i], names[j], d])
    t1 = time.perf_counter()
    print(json.dumps({
        'pairs': len(out),
        'radius': a.radius,
        'seconds': round(t1 - t0, 4),
        'seconds_process': round(t1 - T_START, 4),
        'cpu_seconds': round(time.process_time(), 4),
        'distances': out,
    }))


if __name__ == '__main__':
    main()
