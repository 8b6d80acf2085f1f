#!/usr/bin/env python3
"""Writes the benchmark caller audio: 8 kHz mono PCM16 WAV, `speech` bursts then silence, repeated.

Default: 1.5 s of a voiced-like signal (150 Hz fundamental with harmonics, syllable-rate amplitude modulation,
RMS ~3000, far above the echo agent's 500 RMS speech threshold) then 2.0 s of silence, for 120 s. The echo agent
answers each burst ~0.7 s after it ends with ~2.2 s of audio, so the bot speaks ~60 % of the time.
usage: caller-wav.py OUT.wav [--seconds 120] [--speech 1.5] [--gap 2.0]
"""
import argparse, math, struct, wave

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--seconds", type=float, default=120)
p.add_argument("--speech", type=float, default=1.5)
p.add_argument("--gap", type=float, default=2.0)
a = p.parse_args()
rate = 8000
period = a.speech + a.gap
frames = bytearray()
for i in range(int(a.seconds * rate)):
    t = i / rate
    phase = t % period
    v = 0.0
    if phase < a.speech:
        envelope = 0.6 + 0.4 * math.sin(2 * math.pi * 4 * phase)  # ~4 syllables/s
        v = envelope * sum(math.sin(2 * math.pi * 150 * k * t) / k for k in range(1, 8)) * 3000
    frames += struct.pack("<h", max(-32768, min(32767, int(v))))
with wave.open(a.out, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(bytes(frames))
print(a.out)
