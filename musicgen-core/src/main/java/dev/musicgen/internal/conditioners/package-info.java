/**
 * audiocraft's conditioning for MusicGen (audiocraft/modules/conditioners.py and chroma.py, v1.2.0): the text
 * ({@link dev.musicgen.internal.conditioners.T5Conditioner}) and melody ({@link dev.musicgen.internal.conditioners.ChromaStemConditioner},
 * {@link dev.musicgen.internal.conditioners.ChromaExtractor}, {@link dev.musicgen.internal.conditioners.StemSeparator}) conditioners,
 * and the entry point the LM uses, {@link dev.musicgen.internal.conditioners.ConditionProvider}, which builds the
 * conditioned and null (CFG) rows in one batch. How the conditions meet the LM input is the LM's
 * {@link dev.musicgen.internal.lm.ConditionFuser}, as upstream's {@code LMModel} owns its fuser.
 * Internal API: NDArrays cross these classes; each class that holds weights owns a sub-manager and is closed by its
 * owner.
 */
package dev.musicgen.internal.conditioners;
