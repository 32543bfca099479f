package dev.musicgen.internal.codec;

import dev.musicgen.spi.AudioCodec;
import dev.musicgen.spi.AudioCodecProvider;
import dev.musicgen.spi.CodecSpec;

/** Makes EnCodec available to {@code musicgen-core} through {@link java.util.ServiceLoader} under the name "encodec". */
public final class EncodecCodecProvider implements AudioCodecProvider {
    public static final String NAME = "encodec";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AudioCodec load(CodecSpec spec) {
        return Encodec.load(spec);
    }
}
