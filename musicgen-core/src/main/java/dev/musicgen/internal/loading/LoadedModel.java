package dev.musicgen.internal.loading;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.musicgen.internal.conditioners.ConditionProvider;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.spi.AudioCodec;

/**
 * A loaded model: everything a generator runs on, owned here and freed by {@link #close()}.
 *
 * @param name version name, repo id or path
 * @param device where it runs
 * @param root the native memory manager every part was created under
 * @param lm the language model
 * @param conditions text (and melody) conditioning
 * @param codec EnCodec
 * @param stems HTDemucs for melody inputs (loaded on first use), or null when stem separation is off or the model
 *     takes no melody through audiocraft's conditioner
 */
public record LoadedModel(
        String name,
        Device device,
        NDManager root,
        LMModel lm,
        ConditionProvider conditions,
        AudioCodec codec,
        LazyStemSeparator stems)
        implements AutoCloseable {

    /** Frees the parts in the reverse order of loading, then the native memory manager. */
    @Override
    public void close() {
        codec.close();
        conditions.close();
        if (stems != null) {
            stems.close();
        }
        lm.close();
        root.close();
    }
}
