/**
 * HTDemucs v4 stem separation (demucs 4.0.1) as audiocraft's melody conditioning runs it: {@link
 * dev.musicgen.internal.demucs.HTDemucsSeparator} keeps the {@code vocals} and {@code other} stems of a melody (audiocraft
 * {@code ChromaStemConditioner._get_stemmed_wav}) and plugs into the conditioners as a
 * {@link dev.musicgen.internal.conditioners.StemSeparator}; {@link dev.musicgen.internal.demucs.HTDemucsWeights} fetches and verifies
 * the released checkpoint. The model classes are package-private ports of their upstream modules ({@code HTDemucs},
 * {@code HEncLayer}, {@code HDecLayer}, {@code DConv}, {@code CrossTransformerEncoder} and its layers, {@code spec},
 * {@code apply_model}) and read the shipped {@code torch.save} package through an allow-list of data-only globals.
 */
package dev.musicgen.internal.demucs;
