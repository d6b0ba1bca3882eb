#!/usr/bin/env python3
"""librosa's side of `yasr features --mfcc --mel --chroma --spectral` on a folder of WAV clips.

Usage: python3 librosa_features.py DIR [--mode shared|calls] [--trim librosa|none] [--excerpt SECONDS]

For every .wav in DIR (sorted): soundfile reads it (float32; the clips are 22050 Hz mono, so no
resampling), librosa.effects.trim(top_db=60) unless --trim none, and the central excerpt (as
yasr does with the same options), then
  shared: one |STFT| (n_fft 2048, hop 512) feeding melspectrogram(S=|D|^2) -> power_to_db ->
          mfcc(S=..., n_mfcc=20), chroma_stft(S=|D|^2, tuning=0), rms(S=|D|),
          spectral_centroid(S=|D|), plus zero_crossing_rate(y): what yasr's one pass computes;
  calls:  each feature from y with librosa's defaults, as its documentation calls them (each
          recomputes the STFT; chroma_stft estimates the tuning).
then each matrix's mean and std over frames. Prints one JSON line: files, seconds (the loop),
seconds_process (interpreter start to end, imports included), cpu_seconds, librosa version.
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
import librosa  # noqa: E402


def excerpt(y, seconds, sr):
    n = int(round(seconds * sr))
    if len(y) <= n:
        return y
    start = (len(y) - n) // 2
    return y[start:start + n]


def shared(y, sr):
    mag = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
    power = mag ** 2
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sr))
    return {
        'mfcc': librosa.feature.mfcc(S=mel_db, n_mfcc=20),
        'mel_db': mel_db,
        'chroma': librosa.feature.chroma_stft(S=power, sr=sr, tuning=0),
        'rms': librosa.feature.rms(S=mag),
        'centroid': librosa.feature.spectral_centroid(S=mag, sr=sr),
        'zcr': librosa.feature.zero_crossing_rate(y),
    }


def calls(y, sr):
    return {
        'mfcc': librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20),
        'mel_db': librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr)),
        'chroma': librosa.feature.chroma_stft(y=y, sr=sr),
        'rms': librosa.feature.rms(y=y),
        'centroid': librosa.feature.spectral_centroid(y=y, sr=sr),
        'zcr': librosa.feature.zero_crossing_rate(y),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('dir')
    ap.add_argument('--mode', choices=['shared', 'calls'], default='shared')
    ap.add_argument('--trim', choices=['librosa', 'none'], default='librosa')
    ap.add_argument('--excerpt', type=float, default=30.0)
    a = ap.parse_args()
    files = sorted(f for f in os.listdir(a.dir) if f.lower().endswith('.wav'))
    if not files:
        raise SystemExit(f'{a.dir}: no .wav files')
    compute = shared if a.mode == 'shared' else calls
    t0 = time.perf_counter()
    check = 0.0
    for f in files:
        y, sr = sf.read(os.path.join(a.dir, f), dtype='float32', always_2d=False)
        if y.ndim != 1:
            raise SystemExit(f'{f}: {y.shape[1]} channels (the benchmark clips are mono)')
        if a.trim == 'librosa':
            y, _ = librosa.effects.trim(y, top_db=60, frame_length=2048, hop_length=512)
        y = excerpt(y, a.excerpt, sr)
        for m in compute(y, sr).values():
            check += float(np.mean(m, axis=1).sum() + np.std(m, axis=1).sum())
    t1 = time.perf_counter()
    print(json.dumps({
        'files': len(files),
        'mode': a.mode,
        'trim': a.trim,
        'seconds': round(t1 - t0, 4),
        'seconds_process': round(t1 - T_START, 4),
        'cpu_seconds': round(time.process_time(), 4),
        'librosa': librosa.__version__,
        'numpy': np.__version__,
        'checksum': check,
    }))


if __name__ == '__main__':
    main()
