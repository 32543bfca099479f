package dev.musicgen.internal.conditioners;

/**
 * The stem-separation step of audiocraft's {@code ChromaStemConditioner._get_stemmed_wav}: upstream runs demucs
 * (htdemucs), keeps the {@code vocals} and {@code other} stems, sums them and converts back to the model rate, mono,
 * so that drums and bass do not dominate the chroma. This seam lets an implementation plug in; the default
 * {@link #identity()} passes the audio through, as the golden fixtures do.
 */
@FunctionalInterface
public interface StemSeparator {
    /**
     * @param wav the collated batch, mono, {@code [B][T]} (rows zero-padded to the longest), at {@code sampleRate}
     * @param sampleRate the model's sample rate
     * @return the melody-bearing part of each row, mono at {@code sampleRate}, {@code [B][T']} with equal-length rows
     */
    float[][] separate(float[][] wav, int sampleRate);

    /**
     * No separation: the audio as given, which is already {@code convert_audio(wav, sr, sampleRate, 1)} of itself
     * because the conditioner only ever passes mono audio at the model rate (the fixtures' demucs bypass).
     */
    static StemSeparator identity() {
        return (wav, sampleRate) -> wav;
    }
}
