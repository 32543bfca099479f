package dev.musicgen.spi;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a codec's weights are.
 *
 * @param path an audiocraft {@code compression_state_dict.bin} (full or pointer), an HF EnCodec directory
 *     ({@code config.json} + {@code model.safetensors}), or an HF MusicGen directory whose weights hold the codec
 *     under {@code audio_encoder.} and whose {@code config.json} nests it under {@code audio_encoder}
 * @param device where to run
 * @param resolver resolves pointer files' repo ids to directories
 * @param stereoInterleaved whether the LM uses audiocraft's interleaved stereo codebooks (L0,R0,L1,R1,...)
 */
public record CodecSpec(Path path, Device device, RepoResolver resolver, boolean stereoInterleaved) {
    public CodecSpec {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(resolver, "resolver");
    }
}
