package dev.musicgen.spi;

/** Service-provider interface: registered in {@code META-INF/services/dev.musicgen.spi.AudioCodecProvider}. */
public interface AudioCodecProvider {
    /** e.g. "encodec". */
    String name();

    AudioCodec load(CodecSpec spec);
}
