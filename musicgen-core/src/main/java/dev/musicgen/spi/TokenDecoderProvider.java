package dev.musicgen.spi;

import ai.djl.Device;
import java.nio.file.Path;

/** Service-provider interface: registered in {@code META-INF/services/dev.musicgen.spi.TokenDecoderProvider}. */
public interface TokenDecoderProvider {
    /** e.g. "mbd". */
    String name();

    /**
     * @param modelDir directory (or file) of the decoder's checkpoint, e.g. holding {@code mbd_musicgen_32khz.th}
     * @param codec the codec whose codes will be decoded (MBD checks it matches its own)
     */
    TokenDecoder load(Path modelDir, AudioCodec codec, Device device, RepoResolver resolver);
}
