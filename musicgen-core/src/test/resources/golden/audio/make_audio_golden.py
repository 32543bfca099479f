"""Makes audio_golden.safetensors for the dev.musicgen.audio tests (Resampler, AudioConversion,
Loudness, TorchFloat).

    PYTHONPATH=<julius 0.2.7 checkout> python3 make_audio_golden.py <repo>/fixtures audio_golden.safetensors

Run with Debian bookworm's python3-torch 1.13.1 and python3-torchaudio 0.13.1 (apt-get install
python3-torch python3-torchaudio): the torch the golden fixtures were made with.
"""
import json
import math
import struct
import sys

import numpy as np
import torch
import torchaudio
import julius

DT = {'F32': np.float32, 'F64': np.float64, 'I16': np.int16, 'I32': np.int32, 'I64': np.int64}
RDT = {np.dtype(v): k for k, v in DT.items()}
def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8+n]); base = 8+n; out = {}
    for k, v in h.items():
        if k == '__metadata__': continue
        s, e = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(b[base+s:base+e], dtype=DT[v['dtype']]).reshape(v['shape']).copy())
    return out
def save(path, tensors):
    h = {}; off = 0; blobs = []
    for k, t in tensors.items():
        a = t.detach().cpu().contiguous().numpy()
        raw = a.tobytes(); h[k] = {'dtype': RDT[a.dtype], 'shape': list(a.shape), 'data_offsets': [off, off+len(raw)]}
        off += len(raw); blobs.append(raw)
    hj = json.dumps(h).encode(); hj += b' ' * ((8 - len(hj) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hj))); f.write(hj); [f.write(x) for x in blobs]


F = sys.argv[1] + '/continuation_resample/'
inp = load(F + 'inputs.safetensors')['input_audio']          # [1, 2, 66150] at 44.1 kHz
exp = load(F + 'expected.safetensors')
sr = 44100
prompt = inp[..., int(sr * 0.2):int(sr * 0.9)]
assert torch.equal(prompt, exp['prompt_wav'])

def convert_audio(wav, from_rate, to_rate, to_channels):     # audiocraft v1.2.0 audio_utils.convert_audio
    wav = julius.resample_frac(wav, int(from_rate), int(to_rate))
    *shape, src, length = wav.shape
    if src == to_channels: pass
    elif to_channels == 1: wav = wav.mean(dim=-2, keepdim=True)
    elif src == 1: wav = wav.expand(*shape, to_channels, length)
    elif src >= to_channels: wav = wav[..., :to_channels, :]
    else: raise ValueError()
    return wav

out = {}
out['continuation_resample.resampled'] = julius.resample_frac(prompt, 44100, 32000)[0]      # [2, 22400]
out['continuation_resample.converted_mono'] = convert_audio(prompt, 44100, 32000, 1)[0]   # [1, 22400]
g = torch.Generator().manual_seed(1234)
for (a, b, ch, n) in [(48000, 32000, 2, 12007), (16000, 32000, 1, 4001), (22050, 32000, 1, 5513),
                      (32000, 24000, 1, 3001), (8000, 32000, 2, 1003), (44100, 32000, 1, 7)]:
    x = (torch.rand(ch, n, generator=g) * 2 - 1) * 0.8
    out[f'r{a}_{b}.input'] = x
    out[f'r{a}_{b}.output'] = julius.resample_frac(x, a, b)
for lsr in [32000, 44100, 48000, 16000]:
    # deterministic input, rebuilt bit for bit in Java (float64 formula rounded to float32)
    i = np.arange(lsr * 2, dtype=np.float64)
    left = 0.3 * np.sin(2 * np.pi * 440.0 * i / lsr) + 0.02 * np.sin(i * i * 1e-3)
    right = 0.15 * np.sin(2 * np.pi * 1000.0 * i / lsr) + 0.4 * np.sin(2 * np.pi * 60.0 * i / lsr)
    x = torch.from_numpy(np.stack([left, right]).astype(np.float32))
    x[:, : lsr // 2] *= 0.001  # a quiet first half exercises the relative gate
    out[f'loudness{lsr}.lufs'] = torchaudio.functional.loudness(x, lsr).reshape(1)
    out[f'loudness{lsr}.mono_lufs'] = torchaudio.functional.loudness(x[:1], lsr).reshape(1)
# torch.sum (cascade_sum) on rows of deterministic float32 values, rebuilt exactly in Java
for n in [1, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 127, 1000, 4097, 12800, 16000]:
    i = np.arange(n, dtype=np.int64)
    x = torch.from_numpy((((i * 7919 + n * 104729) % 20011) / 20011.0 - 0.5).astype(np.float32))
    out[f'sum{n}'] = torch.sum(x).reshape(1)
save(sys.argv[2], out)
for k, v in out.items(): print(k, tuple(v.shape), v.dtype, v.flatten()[:3].tolist())
